/** Shared test doubles for the circuit tests: a manual clock, an instant sleep, a log. */
import type { CircuitLogger, CircuitMetrics, Schedule, Sleep } from 'metis-app/circuit'

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
  const lines: { level: 'info' | 'warn'; message: string; extra: unknown[] }[] = []
  const metrics: { name: string; unit: string; value: number }[] = []
  const logger: CircuitLogger = {
    info: (message, ...extra) => lines.push({ level: 'info', message, extra }),
    warn: (message, ...extra) => lines.push({ level: 'warn', message, extra }),
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
