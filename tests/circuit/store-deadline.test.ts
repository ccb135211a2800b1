import {
  type CircuitStore,
  type CircuitTimeoutError,
  circuitBreaker,
  memoryCircuitStore,
} from 'metis-app/circuit'
import { ok } from 'metis-app/result'
import { describe, expect, it } from 'vitest'
import {
  boom,
  manualClock,
  openAndWait,
  recorder,
  settled,
  heldBreaker as setup,
} from './helpers.ts'

describe('circuitBreaker: time spent on the store counts against the deadline', () => {
  it('limits fn by the time left after a slow store read, not the time left before it', async () => {
    const { breaker, clock, timers, hold, release } = setup({ timeoutMs: 10_000 })
    hold.read = true
    const pending = breaker.execute(async () => 'fast', { deadline: clock.now() + 1_000 })
    await settled()
    clock.advance(400)
    release()
    expect(await pending).toEqual(ok('fast'))
    expect(timers.at(-1)?.ms).toBe(600)
  })

  it('stops waiting for a store read when the deadline passes, without calling fn or counting a failure', async () => {
    const { breaker, clock, timers, hold, inner } = setup()
    hold.read = true
    let called = false
    const pending = breaker.execute(
      async () => {
        called = true
      },
      { deadline: clock.now() + 300 },
    )
    await settled()
    expect(timers.map((t) => t.ms)).toEqual([300])
    clock.advance(300)
    timers[0]?.fire()
    const result = await pending
    expect((result as { error: CircuitTimeoutError }).error).toMatchObject({
      code: 'CIRCUIT_TIMEOUT',
      beforeStart: true,
    })
    expect(called).toBe(false)
    expect(inner.read('payments', 0).version).toBe(0)
  })

  it('does not call fn when a slow store read answered after the deadline', async () => {
    const { breaker, clock, hold, release, inner } = setup()
    hold.read = true
    let called = false
    const pending = breaker.execute(
      async () => {
        called = true
      },
      { deadline: clock.now() + 300 },
    )
    await settled()
    clock.advance(500)
    release()
    expect(((await pending) as { error: CircuitTimeoutError }).error.beforeStart).toBe(true)
    expect(called).toBe(false)
    expect(inner.read('payments', 0).failures).toBe(0)
  })

  it('does not wait past the deadline for the store to record a failure', async () => {
    const { breaker, clock, timers, hold, release, inner } = setup()
    hold.update = true
    const pending = breaker.execute(
      async () => {
        clock.advance(200)
        throw new Error('connection refused')
      },
      { deadline: clock.now() + 1_000 },
    )
    await settled()
    // The attempt's limit (the deadline), then the wait for the store: what is left of it.
    expect(timers.map((t) => t.ms)).toEqual([1_000, 800])
    clock.advance(800)
    timers[1]?.fire()
    expect(((await pending) as { error: Error }).error.message).toBe('connection refused')
    // The write goes on: the failure is counted when the store answers.
    release()
    await settled()
    expect(inner.read('payments', 0).failures).toBe(1)
  })

  it('does not wait past the deadline for a probe claim, and gives the claim back when it lands late', async () => {
    const { breaker, clock, timers, hold, release, inner } = setup()
    await openAndWait(breaker, clock)
    hold.update = true
    let called = false
    const pending = breaker.execute(
      async () => {
        called = true
      },
      { deadline: clock.now() + 300 },
    )
    await settled()
    expect(timers.map((t) => t.ms)).toEqual([300])
    clock.advance(300)
    timers[0]?.fire()
    expect(((await pending) as { error: CircuitTimeoutError }).error.beforeStart).toBe(true)
    expect(called).toBe(false)
    release() // the claim lands
    await settled()
    release() // and its release
    await settled()
    expect(inner.read('payments', 0)).toMatchObject({ state: 'half-open', prober: undefined })
    hold.update = false
    expect(await breaker.execute(async () => 'probe')).toEqual(ok('probe'))
    expect(inner.read('payments', 0).state).toBe('closed')
  })

  it('lets no logger that throws turn the late give-back of a probe claim into an unhandled rejection', async () => {
    const rejections: unknown[] = []
    const onRejection = (reason: unknown) => rejections.push(reason)
    process.on('unhandledRejection', onRejection)
    try {
      const down = () => {
        throw new Error('log sink down')
      }
      const broken = { debug: down, info: down, warn: down, error: down }
      const { breaker, clock, timers, hold, release, inner } = setup({ logger: broken })
      await openAndWait(breaker, clock)
      hold.update = true
      const pending = breaker.execute(async () => 'probe', { deadline: clock.now() + 300 })
      await settled()
      clock.advance(300)
      timers[0]?.fire()
      expect(((await pending) as { error: CircuitTimeoutError }).error.beforeStart).toBe(true)
      release() // the claim lands: half-open, a state change the broken logger is told about
      await settled()
      release() // and its release
      await settled()
      await new Promise((resolve) => setImmediate(resolve))
      expect(rejections).toEqual([])
      expect(inner.read('payments', 0)).toMatchObject({ state: 'half-open', prober: undefined })
    } finally {
      process.off('unhandledRejection', onRejection)
    }
  })

  it('gives back a probe it claimed when the claim used up the time left', async () => {
    const { breaker, clock, hold, release, inner } = setup()
    await openAndWait(breaker, clock)
    hold.update = true
    let called = false
    const pending = breaker.execute(
      async () => {
        called = true
      },
      { deadline: clock.now() + 300 },
    )
    await settled()
    clock.advance(400)
    release() // the claim
    await settled()
    release() // the release
    expect(((await pending) as { error: CircuitTimeoutError }).error.beforeStart).toBe(true)
    await settled()
    expect(called).toBe(false)
    expect(inner.read('payments', 0)).toMatchObject({ state: 'half-open', prober: undefined })
  })

  it('serves local state for the store’s cacheTtl after a store failure instead of asking it on every call', async () => {
    const { logger, lines } = recorder()
    const clock = manualClock()
    let reads = 0
    const inner = memoryCircuitStore()
    const down: CircuitStore = {
      cacheTtlMs: 1_000,
      read: async () => {
        reads++
        throw new Error('DynamoDB did not answer within 1000 ms')
      },
      update: async (name, now, change) => inner.update(name, now, change),
    }
    const breaker = circuitBreaker({
      name: 'payments',
      store: down,
      clock: clock.now,
      retry: false,
      logger,
    })
    expect(await breaker.execute(async () => 1)).toEqual(ok(1))
    expect(await breaker.execute(async () => 2)).toEqual(ok(2))
    await breaker.execute(boom)
    expect(reads).toBe(1)
    // The failure was counted locally, not written to the store that was just seen failing.
    expect(inner.read('payments', 0).version).toBe(0)
    expect((await breaker.snapshot()).failures).toBe(1)
    clock.advance(1_000)
    await breaker.execute(async () => 3)
    expect(reads).toBe(2)
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1)
  })
})
