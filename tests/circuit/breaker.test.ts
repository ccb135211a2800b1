import {
  type CircuitBreakerOptions,
  CircuitOpenError,
  type CircuitStateChange,
  type CircuitStore,
  CircuitTimeoutError,
  circuitBreaker,
  type FailureRule,
  memoryCircuitStore,
} from 'metis-app/circuit'
import { AppError, NotFoundError, ServiceUnavailableError } from 'metis-app/errors'
import { err, ok } from 'metis-app/result'
import { describe, expect, it } from 'vitest'
import { boom, instantSleep, manualClock, manualTimers, recorder } from './helpers.ts'

const MINUTE = 60_000

/** A breaker on a manual clock and an instant sleep, with no retry unless asked. */
const setup = (overrides: Partial<CircuitBreakerOptions> = {}) => {
  const clock = manualClock()
  const { sleep, waits } = instantSleep()
  const changes: CircuitStateChange[] = []
  const store = memoryCircuitStore()
  const breaker = circuitBreaker({
    name: 'payments',
    store,
    clock: clock.now,
    sleep,
    retry: false,
    onStateChange: (change) => changes.push(change),
    ...overrides,
  })
  return { breaker, clock, waits, changes, store }
}

const fail = async (breaker: ReturnType<typeof setup>['breaker'], times: number) => {
  for (let i = 0; i < times; i++) await breaker.execute(boom)
}

describe('circuitBreaker: closed circuit', () => {
  it('passes a plain value through as ok and a Result as it is', async () => {
    const { breaker } = setup()
    expect(await breaker.execute(async () => 42)).toEqual(ok(42))
    expect(await breaker.execute(() => ok('x'))).toEqual(ok('x'))
    const answer = new NotFoundError('no order')
    expect(await breaker.execute(async () => err(answer))).toEqual(err(answer))
  })

  it('returns a thrown error as an error Result and never rejects', async () => {
    const { breaker } = setup()
    const result = await breaker.execute(() => {
      throw 'plain string'
    })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error).toBeInstanceOf(Error)
  })

  it('opens after the threshold of failures within the window, by the seed defaults (3 in 5 min)', async () => {
    const { breaker, changes, clock } = setup()
    await fail(breaker, 2)
    expect((await breaker.snapshot()).state).toBe('closed')
    clock.advance(4 * MINUTE)
    await fail(breaker, 1)
    const snapshot = await breaker.snapshot()
    expect(snapshot.state).toBe('open')
    expect(snapshot.failures).toBe(3)
    expect(changes).toEqual([
      expect.objectContaining({ circuit: 'payments', from: 'closed', to: 'open', failures: 3 }),
    ])
  })

  it('starts a new count when the window has passed since its first failure', async () => {
    const { breaker, clock } = setup()
    await fail(breaker, 2)
    clock.advance(5 * MINUTE)
    await fail(breaker, 2)
    const snapshot = await breaker.snapshot()
    expect(snapshot.state).toBe('closed')
    expect(snapshot.failures).toBe(2)
  })

  it('writes nothing for a success on a closed circuit', async () => {
    const { breaker, store } = setup()
    await breaker.execute(async () => 'fine')
    expect(store.read('payments', 0).version).toBe(0)
  })

  it('does not count 4xx answers, thrown or returned, as failures', async () => {
    const { breaker } = setup({ failureThreshold: 1 })
    await breaker.execute(async () => err(new NotFoundError()))
    await breaker.execute(async () => {
      throw new AppError(409)
    })
    expect((await breaker.snapshot()).failures).toBe(0)
  })

  it('counts retryable error Results (5xx, 429) as failures', async () => {
    const { breaker } = setup({ failureThreshold: 2 })
    await breaker.execute(async () => err(new ServiceUnavailableError()))
    await breaker.execute(async () => err(new AppError(429)))
    expect((await breaker.snapshot()).state).toBe('open')
  })

  it('lets a custom predicate decide what a failure is', async () => {
    const { breaker } = setup({ failureThreshold: 1, isFailure: (_e, kind) => kind === 'result' })
    await breaker.execute(boom)
    expect((await breaker.snapshot()).state).toBe('closed')
    await breaker.execute(async () => err('teapot'))
    expect((await breaker.snapshot()).state).toBe('open')
  })
})

describe('circuitBreaker: open and half-open', () => {
  it('refuses calls with a 503 CircuitOpenError without calling fn during the stand-down', async () => {
    const { breaker, clock } = setup()
    await fail(breaker, 3)
    clock.advance(MINUTE)
    let called = false
    const result = await breaker.execute(async () => {
      called = true
    })
    expect(called).toBe(false)
    expect(result.ok).toBe(false)
    const error = (result as { error: CircuitOpenError }).error
    expect(error).toBeInstanceOf(CircuitOpenError)
    expect(error).toMatchObject({
      statusCode: 503,
      code: 'CIRCUIT_OPEN',
      retryable: false,
      state: 'open',
      retryAfterMs: 4 * MINUTE,
    })
    expect(error.headers['Retry-After']).toBe('240')
  })

  it('lets one probe through after the stand-down; its success closes with a fresh count', async () => {
    const { breaker, clock, changes } = setup()
    await fail(breaker, 3)
    clock.advance(5 * MINUTE)
    expect(await breaker.execute(async () => 'back')).toEqual(ok('back'))
    const snapshot = await breaker.snapshot()
    expect(snapshot).toMatchObject({ state: 'closed', failures: 0, prober: undefined })
    expect(changes.map((c) => `${c.from}->${c.to}`)).toEqual([
      'closed->open',
      'open->half-open',
      'half-open->closed',
    ])
    await fail(breaker, 2)
    expect((await breaker.snapshot()).state).toBe('closed')
  })

  it('opens again for a new stand-down when the probe fails', async () => {
    const { breaker, clock } = setup()
    await fail(breaker, 3)
    clock.advance(5 * MINUTE)
    const probe = await breaker.execute(boom)
    expect(probe.ok).toBe(false)
    const snapshot = await breaker.snapshot()
    expect(snapshot.state).toBe('open')
    expect(snapshot.openedAt).toBe(clock.now())
    clock.advance(4 * MINUTE)
    const refused = await breaker.execute(async () => 'x')
    expect((refused as { error: unknown }).error).toBeInstanceOf(CircuitOpenError)
  })

  it('counts a 4xx answer to a probe as a sign of life and closes', async () => {
    const { breaker, clock } = setup()
    await fail(breaker, 3)
    clock.advance(5 * MINUTE)
    await breaker.execute(async () => err(new NotFoundError()))
    expect((await breaker.snapshot()).state).toBe('closed')
  })

  it('refuses other calls of the same instance while its probe is in flight', async () => {
    const { breaker, clock } = setup()
    await fail(breaker, 3)
    clock.advance(5 * MINUTE)
    let release: (value: string) => void = () => undefined
    const probe = breaker.execute(() => new Promise<string>((resolve) => (release = resolve)))
    await Promise.resolve()
    await Promise.resolve()
    const second = await breaker.execute(async () => 'second')
    expect((second as { error: CircuitOpenError }).error.state).toBe('half-open')
    release('probe')
    expect(await probe).toEqual(ok('probe'))
  })

  it('needs halfOpenProbes successes in a row before closing, one prober at a time', async () => {
    const { breaker, clock } = setup({ halfOpenProbes: 3 })
    await fail(breaker, 3)
    clock.advance(5 * MINUTE)
    await breaker.execute(async () => 1)
    expect(await breaker.snapshot()).toMatchObject({ state: 'half-open', probeSuccesses: 1 })
    await breaker.execute(async () => 2)
    expect((await breaker.snapshot()).state).toBe('half-open')
    await breaker.execute(async () => 3)
    expect((await breaker.snapshot()).state).toBe('closed')
  })

  it('lets another instance take over the probe when the prober dies and its lease expires', async () => {
    const clock = manualClock()
    const store = memoryCircuitStore()
    const options = { name: 'shared', store, clock: clock.now, retry: false as const }
    const a = circuitBreaker({ ...options, instanceId: 'a' })
    const b = circuitBreaker({ ...options, instanceId: 'b', probeLeaseMs: 10_000 })
    await fail(a as never, 3)
    clock.advance(5 * MINUTE)
    // a becomes the prober and is frozen mid-call (its promise never settles).
    void a.execute(() => new Promise(() => undefined))
    await new Promise((resolve) => setImmediate(resolve))
    expect(await b.snapshot()).toMatchObject({ state: 'half-open', prober: 'a' })
    const refused = await b.execute(async () => 'b')
    expect((refused as { error: CircuitOpenError }).error.state).toBe('half-open')
    clock.advance(30_000)
    expect(await b.execute(async () => 'b probed')).toEqual(ok('b probed'))
    expect((await b.snapshot()).state).toBe('closed')
  })

  it('ignores the late outcome of a prober whose lease was taken over', async () => {
    const clock = manualClock()
    const store = memoryCircuitStore()
    const options = { name: 'late', store, clock: clock.now, retry: false as const }
    const a = circuitBreaker({ ...options, instanceId: 'a', probeLeaseMs: 1_000 })
    const b = circuitBreaker({ ...options, instanceId: 'b', probeLeaseMs: 1_000 })
    await fail(a as never, 3)
    clock.advance(5 * MINUTE)
    let releaseA: () => void = () => undefined
    const slow = a.execute(
      () =>
        new Promise<never>((_resolve, reject) => {
          releaseA = () => reject(new Error('late failure'))
        }),
    )
    await new Promise((resolve) => setImmediate(resolve))
    clock.advance(2_000)
    let releaseB: () => void = () => undefined
    const probeB = b.execute(
      () => new Promise<string>((resolve) => (releaseB = () => resolve('ok'))),
    )
    await new Promise((resolve) => setImmediate(resolve))
    releaseA()
    await slow
    expect(store.read('late', 0)).toMatchObject({ state: 'half-open', prober: 'b' })
    releaseB()
    await probeB
    expect(store.read('late', 0).state).toBe('closed')
  })
})

describe('circuitBreaker: retry, timeout and deadline', () => {
  it('retries retryable failures twice by default with full-jitter exponential backoff', async () => {
    const { breaker, waits } = setup({
      retry: { baseDelayMs: 100, maxDelayMs: 1_000 },
      random: () => 0.5,
      failureThreshold: 10,
    })
    let calls = 0
    const result = await breaker.execute(async () => {
      calls++
      return err(new ServiceUnavailableError())
    })
    expect(calls).toBe(3)
    expect(waits).toEqual([50, 100])
    expect((await breaker.snapshot()).failures).toBe(3)
    expect(result.ok).toBe(false)
  })

  it('caps the backoff at maxDelay', async () => {
    const { breaker, waits } = setup({
      retry: { retries: 4, baseDelayMs: 100, maxDelayMs: 300 },
      random: () => 0.99,
      failureThreshold: 10,
    })
    await breaker.execute(async () => err(new ServiceUnavailableError()))
    expect(waits).toEqual([99, 198, 297, 297])
  })

  it('returns the first success after a retry', async () => {
    const { breaker } = setup({ retry: {}, failureThreshold: 10 })
    let calls = 0
    const result = await breaker.execute(async () => {
      calls++
      if (calls === 1) throw Object.assign(new Error('reset'), { code: 'ECONNRESET' })
      return 'second time'
    })
    expect(result).toEqual(ok('second time'))
  })

  it('does not retry answers or errors that are not retryable', async () => {
    const { breaker } = setup({ retry: {} })
    let calls = 0
    await breaker.execute(async () => {
      calls++
      throw new Error('a bug, not a network error')
    })
    await breaker.execute(async () => {
      calls++
      return err(new NotFoundError())
    })
    expect(calls).toBe(2)
  })

  it('stops retrying when the circuit opens and answers the last failure', async () => {
    const { breaker } = setup({ retry: { retries: 5 }, failureThreshold: 2 })
    let calls = 0
    const result = await breaker.execute(async () => {
      calls++
      return err(new ServiceUnavailableError('down'))
    })
    expect(calls).toBe(2)
    expect((result as { error: Error }).error).toBeInstanceOf(ServiceUnavailableError)
  })

  it('never waits past the deadline: no retry when the backoff would end after it', async () => {
    const { breaker, clock } = setup({ retry: { baseDelayMs: 1_000 }, random: () => 0.9 })
    let calls = 0
    await breaker.execute(
      async () => {
        calls++
        return err(new ServiceUnavailableError())
      },
      { deadline: clock.now() + 500 },
    )
    expect(calls).toBe(1)
  })

  it('reads remainingTime once and limits each attempt by it', async () => {
    const { schedule, timers } = manualTimers()
    const { breaker } = setup({ timeoutMs: 10_000, schedule })
    await breaker.execute(async () => 'fast', { remainingTime: () => 1_234 })
    await breaker.execute(async () => 'fast', { remainingTime: () => 60_000 })
    expect(timers.map((t) => t.ms)).toEqual([1_234, 10_000])
  })

  it('answers a CircuitTimeoutError without calling fn when no time is left', async () => {
    const { breaker } = setup({ remainingTime: () => 0 })
    let called = false
    const result = await breaker.execute(async () => {
      called = true
    })
    expect(called).toBe(false)
    expect((result as { error: CircuitTimeoutError }).error).toMatchObject({
      code: 'CIRCUIT_TIMEOUT',
      beforeStart: true,
    })
    expect((await breaker.snapshot()).failures).toBe(0)
  })

  it('aborts the signal of a call that times out and counts the timeout as a failure', async () => {
    const { schedule, timers } = manualTimers()
    const { breaker } = setup({ timeoutMs: 50, failureThreshold: 1, schedule })
    let aborted: unknown
    const pending = breaker.execute(
      (signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            aborted = signal.reason
            reject(signal.reason)
          })
        }),
    )
    timers[0]?.fire()
    const result = await pending
    expect((result as { error: CircuitTimeoutError }).error).toBeInstanceOf(CircuitTimeoutError)
    expect(aborted).toBeInstanceOf(CircuitTimeoutError)
    expect((await breaker.snapshot()).state).toBe('open')
  })

  it('passes a call that beats its timeout and stops the timer', async () => {
    const { schedule, timers } = manualTimers()
    const { breaker } = setup({ timeoutMs: 50, schedule })
    expect(await breaker.execute(async () => 'quick')).toEqual(ok('quick'))
    expect(await breaker.execute(async () => ok('a Result'))).toEqual(ok('a Result'))
    expect(await breaker.execute(() => Promise.reject(new Error('quick failure')))).toMatchObject({
      ok: false,
    })
    const syncThrow = await breaker.execute(() => {
      throw new Error('thrown before any await')
    })
    expect((syncThrow as { error: Error }).error.message).toBe('thrown before any await')
    expect(timers.map((t) => t.cancelled)).toEqual([true, true, true, true])
  })

  it('does not count or retry a call the caller aborted', async () => {
    const { breaker } = setup({ retry: {}, failureThreshold: 1 })
    const controller = new AbortController()
    let calls = 0
    const result = await breaker.execute(
      async (signal) => {
        calls++
        controller.abort(new Error('client went away'))
        throw signal.reason
      },
      { signal: controller.signal },
    )
    expect(calls).toBe(1)
    expect(result.ok).toBe(false)
    expect((await breaker.snapshot()).state).toBe('closed')
    const again = await breaker.execute(async () => 'never', { signal: controller.signal })
    expect((again as { error: Error }).error.message).toBe('client went away')
  })

  it('stops between retries when the caller aborts during the backoff', async () => {
    const controller = new AbortController()
    const { breaker } = setup({
      retry: {},
      failureThreshold: 10,
      sleep: async () => controller.abort(),
    })
    let calls = 0
    await breaker.execute(
      async () => {
        calls++
        return err(new ServiceUnavailableError())
      },
      { signal: controller.signal },
    )
    expect(calls).toBe(1)
  })
})

describe('circuitBreaker: reporting and store failures', () => {
  it('logs each state change and counts it as a metric', async () => {
    const { logger, sink, lines, metrics } = recorder()
    const { breaker, clock } = setup({ logger, metrics: sink })
    await fail(breaker, 3)
    clock.advance(5 * MINUTE)
    await breaker.execute(async () => 'ok')
    expect(lines.map((l) => l.message)).toEqual([
      'circuit closed -> open',
      'circuit open -> half-open',
      'circuit half-open -> closed',
    ])
    expect(metrics.map((m) => m.name)).toEqual(['CircuitOpen', 'CircuitHalfOpen', 'CircuitClosed'])
    expect(metrics.every((m) => m.unit === 'Count' && m.value === 1)).toBe(true)
  })

  it('reports to the observer given with the call instead of the breaker’s own', async () => {
    const own = recorder()
    const perCall = recorder()
    const { breaker } = setup({ logger: own.logger, metrics: own.sink, failureThreshold: 1 })
    await breaker.execute(boom, { observer: { logger: perCall.logger, metrics: perCall.sink } })
    expect(perCall.lines.map((l) => l.message)).toEqual(['circuit closed -> open'])
    expect(perCall.metrics.map((m) => m.name)).toEqual(['CircuitOpen'])
    expect(own.lines).toEqual([])
  })

  it('logs a throwing onStateChange callback and goes on', async () => {
    const { logger, lines } = recorder()
    const { breaker } = setup({
      logger,
      failureThreshold: 1,
      onStateChange: () => {
        throw new Error('callback bug')
      },
    })
    await breaker.execute(boom)
    expect((await breaker.snapshot()).state).toBe('open')
    expect(lines.some((l) => l.level === 'warn' && l.message.includes('onStateChange'))).toBe(true)
  })

  it('counts failures with the store’s countFailure when it has one, and its probes with update', async () => {
    const inner = memoryCircuitStore()
    const counted: { now: number; rule: FailureRule }[] = []
    const updates: number[] = []
    // A store that counts its own way: every failure opens the circuit at once.
    const counting: CircuitStore = {
      read: (name, now) => inner.read(name, now),
      update: (name, now, change) => {
        updates.push(now)
        return inner.update(name, now, change)
      },
      countFailure: (name, now, rule) => {
        counted.push({ now, rule })
        return inner.update(name, now, (current) => ({
          ...current,
          state: 'open',
          failures: current.failures + 1,
          openedAt: now,
        }))
      },
    }
    const { breaker, clock, changes } = setup({
      store: counting,
      failureThreshold: 7,
      windowMs: 60_000,
    })
    await breaker.execute(boom)
    expect(counted).toEqual([{ now: clock.now(), rule: { failureThreshold: 7, window: 60_000 } }])
    expect(updates).toEqual([])
    expect(changes.map((c) => `${c.from}->${c.to} ${c.failures}`)).toEqual(['closed->open 1'])
    clock.advance(5 * MINUTE)
    await breaker.execute(boom) // the probe fails: a state change, through update
    expect(counted).toHaveLength(1)
    expect(updates).toHaveLength(2) // the claim and the failed probe
  })

  it('counts locally when the store’s countFailure rejects', async () => {
    const { logger, lines } = recorder()
    const inner = memoryCircuitStore()
    const failing: CircuitStore = {
      read: (name, now) => inner.read(name, now),
      update: (name, now, change) => inner.update(name, now, change),
      countFailure: async () => {
        throw new Error('ThrottlingException')
      },
    }
    const { breaker } = setup({ store: failing, logger, failureThreshold: 2 })
    await fail(breaker, 2)
    expect((await breaker.snapshot()).state).toBe('open')
    expect(inner.read('payments', 0).version).toBe(0)
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1)
  })

  it('falls back to local state with one warning when the store fails, and the call proceeds', async () => {
    const { logger, sink, lines, metrics } = recorder()
    let healthy = true
    const inner = memoryCircuitStore()
    const flaky: CircuitStore = {
      read: (name, now) => {
        if (!healthy) throw new Error('ThrottlingException')
        return inner.read(name, now)
      },
      update: async (name, now, change) => {
        if (!healthy) throw new Error('ServiceUnavailable')
        return inner.update(name, now, change)
      },
    }
    const { breaker, clock } = setup({ store: flaky, logger, metrics: sink })
    await breaker.execute(boom)
    healthy = false
    expect(await breaker.execute(async () => 'still works')).toEqual(ok('still works'))
    await fail(breaker, 2)
    // The local state carried the failure the store had seen: 1 + 2 opens it locally.
    expect((await breaker.snapshot()).state).toBe('open')
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1)
    expect(metrics.filter((m) => m.name === 'CircuitStoreFallback').length).toBeGreaterThan(1)
    // The store is back, but the local circuit owns the decisions until its probe closes it.
    healthy = true
    expect((await breaker.snapshot()).state).toBe('open')
    clock.advance(5 * MINUTE)
    expect(await breaker.execute(async () => 'probe')).toEqual(ok('probe'))
    expect(lines.map((l) => l.message)).toContain('circuit closed locally; using the store again')
    expect(await breaker.snapshot()).toMatchObject({ state: 'closed', failures: 1 })
  })

  it('goes back to the store after its first successful write when the local circuit stayed closed', async () => {
    const { logger, lines } = recorder()
    let healthy = false
    const inner = memoryCircuitStore()
    const flaky: CircuitStore = {
      read: (name, now) => inner.read(name, now),
      update: (name, now, change) => {
        if (!healthy) throw new Error('ServiceUnavailable')
        return inner.update(name, now, change)
      },
    }
    const { breaker, clock } = setup({ store: flaky, logger })
    await breaker.execute(boom)
    expect(inner.read('payments', 0).failures).toBe(0)
    healthy = true
    clock.advance(1_000) // the store is left alone for 1 s after it failed
    await breaker.execute(boom)
    expect(lines.map((l) => l.message)).toEqual([
      'circuit store failed; using local circuit state',
      'circuit store recovered',
    ])
    expect(inner.read('payments', 0).failures).toBe(1)
  })

  it('falls back when an asynchronous store rejects', async () => {
    const rejecting: CircuitStore = {
      read: async () => {
        throw new Error('timeout')
      },
      update: async () => {
        throw new Error('timeout')
      },
    }
    const { breaker } = setup({ store: rejecting, failureThreshold: 1 })
    expect(await breaker.execute(async () => 1)).toEqual(ok(1))
    await breaker.execute(boom)
    const refused = await breaker.execute(async () => 2)
    expect((refused as { error: unknown }).error).toBeInstanceOf(CircuitOpenError)
  })
})

describe('circuitBreaker: options', () => {
  it('rejects invalid options up front', () => {
    expect(() => circuitBreaker({ name: '' })).toThrow(/name/)
    expect(() => circuitBreaker({ name: 'x', failureThreshold: 0 })).toThrow(/failureThreshold/)
    expect(() => circuitBreaker({ name: 'x', failureThreshold: 1.5 })).toThrow(/integer/)
    expect(() => circuitBreaker({ name: 'x', windowMs: Number.NaN })).toThrow(/window/)
    expect(() => circuitBreaker({ name: 'x', timeoutMs: -1 })).toThrow(/timeout/)
    expect(() => circuitBreaker({ name: 'x', retry: { retries: -1 } })).toThrow(/retries/)
  })

  it('works with its defaults: a memory store per breaker, a random instance id, real timers', async () => {
    const a = circuitBreaker({ name: 'defaults', timeoutMs: 1_000 })
    const b = circuitBreaker({ name: 'defaults' })
    expect(a.instanceId).not.toBe(b.instanceId)
    expect(await a.execute(async () => 'ok')).toEqual(ok('ok'))
    await a.execute(boom)
    expect((await a.snapshot()).failures).toBe(1)
    expect((await b.snapshot()).failures).toBe(0)
  })
})
