/**
 * The circuit part's timers: the per-attempt timeout's schedule, and the sleep between attempts
 * (shared with the self-token client in `internal/backoff.ts`).
 * @module
 */
export { type Sleep, sleep } from '../internal/backoff.ts'

/**
 * Runs `callback` after `ms` milliseconds; answers a function that cancels it. Timeouts use it
 * (a plain timer per call is cheaper than a promise and an abort listener).
 *
 * @example
 * ```ts
 * // A test double that never fires: no attempt ever times out.
 * const schedule: Schedule = () => () => undefined
 * circuitBreaker({ name: 'payments', timeoutMs: 1_000, schedule })
 * ```
 */
export type Schedule = (ms: number, callback: () => void) => () => void

/** {@link Schedule} on `setTimeout`. */
export const schedule: Schedule = (ms, callback) => {
  const timer = setTimeout(callback, ms)
  return () => clearTimeout(timer)
}
