import { CircuitTimeoutError } from 'metis-app/circuit'
import { ok } from 'metis-app/result'
import { describe, expect, it } from 'vitest'
import { hangs, openAndWait, settled, heldBreaker as setup } from './helpers.ts'

describe('circuitBreaker: a timeout of the caller’s deadline is not a failure', () => {
  it('does not count an attempt cut short by remainingTime as a failure of the dependency', async () => {
    const { breaker, timers, inner } = setup({ timeoutMs: 2_000, failureThreshold: 1 })
    const pending = breaker.execute(hangs, { remainingTime: () => 50 })
    await settled()
    expect(timers.map((t) => t.ms)).toEqual([50])
    timers[0]?.fire()
    const result = await pending
    expect((result as { error: CircuitTimeoutError }).error).toBeInstanceOf(CircuitTimeoutError)
    expect(inner.read('payments', 0)).toMatchObject({ state: 'closed', failures: 0 })
  })

  it('does not count an attempt cut short by the deadline when the breaker has no timeout', async () => {
    const { breaker, clock, timers, inner } = setup({ failureThreshold: 1, retry: {} })
    let calls = 0
    const pending = breaker.execute(
      (signal) => {
        calls++
        return hangs(signal)
      },
      { deadline: clock.now() + 300 },
    )
    await settled()
    clock.advance(300)
    timers[0]?.fire()
    expect((await pending).ok).toBe(false)
    expect(calls).toBe(1)
    expect(inner.read('payments', 0).failures).toBe(0)
  })

  it('still counts the breaker’s own timeout when it ends the attempt before the deadline would', async () => {
    const { breaker, timers, inner } = setup({ timeoutMs: 2_000, failureThreshold: 2 })
    const first = breaker.execute(hangs, { remainingTime: () => 60_000 })
    await settled()
    timers[0]?.fire()
    await first
    // Equal limits: the breaker's timeout is the one that fired.
    const second = breaker.execute(hangs, { remainingTime: () => 2_000 })
    await settled()
    timers[1]?.fire()
    await second
    expect(timers.map((t) => t.ms)).toEqual([2_000, 2_000])
    expect(inner.read('payments', 0)).toMatchObject({ state: 'open', failures: 2 })
  })

  it('gives back the probe lease instead of re-opening when the deadline cuts the probe short', async () => {
    const { breaker, clock, timers, inner } = setup({ timeoutMs: 2_000 })
    await openAndWait(breaker, clock)
    const pending = breaker.execute(hangs, { remainingTime: () => 50 })
    await settled()
    timers.at(-1)?.fire()
    await pending
    expect(inner.read('payments', 0)).toMatchObject({ state: 'half-open', prober: undefined })
    expect(await breaker.execute(async () => 'probe')).toEqual(ok('probe'))
    expect(inner.read('payments', 0).state).toBe('closed')
  })

  it('gives back the probe lease when the caller aborts the probe', async () => {
    const { breaker, clock, inner } = setup()
    await openAndWait(breaker, clock)
    const controller = new AbortController()
    await breaker.execute(
      async (signal) => {
        controller.abort(new Error('client went away'))
        throw signal.reason
      },
      { signal: controller.signal },
    )
    expect(inner.read('payments', 0)).toMatchObject({ state: 'half-open', prober: undefined })
  })
})
