/**
 * The default sleep of the circuit part: a timer that an `AbortSignal` ends early.
 * @module
 */

/** Waits `ms` milliseconds, or less when `signal` aborts (it never rejects). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>

/** {@link Sleep} on `setTimeout`. */
export const sleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) {
      resolve()
      return
    }
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })

/**
 * Runs `callback` after `ms` milliseconds; answers a function that cancels it. Timeouts use it
 * (a plain timer per call is cheaper than a promise and an abort listener).
 */
export type Schedule = (ms: number, callback: () => void) => () => void

/** {@link Schedule} on `setTimeout`. */
export const schedule: Schedule = (ms, callback) => {
  const timer = setTimeout(callback, ms)
  return () => clearTimeout(timer)
}

/** Full-jitter exponential backoff: a random delay in `[0, min(maxDelay, baseDelay * 2^attempt))`. */
export const backoff = (
  attempt: number,
  baseDelay: number,
  maxDelay: number,
  random: () => number,
): number => Math.floor(random() * Math.min(maxDelay, baseDelay * 2 ** attempt))
