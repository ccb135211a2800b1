/** Shared test doubles for the circuit tests: a manual clock, an instant sleep, a log. */
import {
  type CircuitBreakerOptions,
  type CircuitMetrics,
  type CircuitStore,
  circuitBreaker,
  type Logger,
  memoryCircuitStore,
  type Schedule,
  type Sleep,
} from 'metis-app/circuit'

/** A clock the test moves by hand. */
export const manualClock = (start = 1_700_000_000_000) => {
  let now = start
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms
    },
  }
}

/** A sleep that returns at once and records what it was asked to wait. */
export const instantSleep = () => {
  const waits: number[] = []
  const sleep: Sleep = async (ms) => {
    waits.push(ms)
  }
  return { sleep, waits }
}

/** A logger and a metrics sink that record what they got. */
export const recorder = () => {
  const lines: { level: 'debug' | 'info' | 'warn' | 'error'; message: string; extra: unknown[] }[] =
    []
  const metrics: { name: string; unit: string; value: number }[] = []
  const logger: Logger = {
    debug: (message, ...extra) => lines.push({ level: 'debug', message, extra }),
    info: (message, ...extra) => lines.push({ level: 'info', message, extra }),
    warn: (message, ...extra) => lines.push({ level: 'warn', message, extra }),
    error: (message, ...extra) => lines.push({ level: 'error', message, extra }),
  }
  const sink: CircuitMetrics = {
    addMetric: (name, unit, value) => metrics.push({ name, unit, value }),
  }
  return { lines, metrics, logger, sink }
}

/** A function that always fails the way a dead dependency does. */
export const boom = async (): Promise<never> => {
  throw new Error('connection refused')
}

/** Timers the test fires by hand; each records its delay and whether it was cancelled. */
export const manualTimers = () => {
  const timers: { ms: number; fire: () => void; cancelled: boolean }[] = []
  const schedule: Schedule = (ms, callback) => {
    const timer = { ms, fire: callback, cancelled: false }
    timers.push(timer)
    return () => {
      timer.cancelled = true
    }
  }
  return { schedule, timers }
}

/** Lets pending promise callbacks run. */
export const settled = () => new Promise((resolve) => setImmediate(resolve))

/**
 * A memory store whose reads and updates can be held: while held, they wait until the test
 * releases them (the change is applied at release, as a slow DynamoDB would apply it).
 */
export const heldStore = () => {
  const inner = memoryCircuitStore()
  const hold = { read: false, update: false }
  const held: (() => void)[] = []
  const store: CircuitStore = {
    read: (name, now) =>
      hold.read
        ? new Promise((resolve) => held.push(() => resolve(inner.read(name, now))))
        : inner.read(name, now),
    update: (name, now, change) =>
      hold.update
        ? new Promise((resolve) => held.push(() => resolve(inner.update(name, now, change))))
        : inner.update(name, now, change),
  }
  const release = () => {
    for (const next of held.splice(0)) next()
  }
  return { inner, hold, held, store, release }
}

/** A breaker on a manual clock, manual timers and a held store, with no retry. */
export const heldBreaker = (overrides: Partial<CircuitBreakerOptions> = {}) => {
  const clock = manualClock()
  const { schedule, timers } = manualTimers()
  const held = heldStore()
  const breaker = circuitBreaker({
    name: 'payments',
    store: held.store,
    clock: clock.now,
    schedule,
    sleep: async () => undefined,
    retry: false,
    ...overrides,
  })
  return { breaker, clock, timers, ...held }
}

/** A function that only ends when its signal aborts. */
export const hangs = (signal: AbortSignal) =>
  new Promise<never>((_resolve, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason)),
  )

/** Opens the circuit (3 failures) and lets its stand-down pass, so the next call probes. */
export const openAndWait = async (
  breaker: ReturnType<typeof heldBreaker>['breaker'],
  clock: ReturnType<typeof manualClock>,
) => {
  for (let i = 0; i < 3; i++) await breaker.execute(boom)
  clock.advance(5 * 60_000)
}
