/**
 * Retries with full-jitter exponential backoff, shared by the circuit breaker, its DynamoDB store
 * and the self-token client: the delay, the default sleep, and the loop that waits and tries
 * again without running past a deadline. Internal to metis-app.
 * @module
 */

/**
 * Waits `ms` milliseconds, or less when `signal` aborts (it never rejects).
 *
 * @example
 * ```ts
 * const noWait: Sleep = async () => {} // tests: retries without real waits
 * const breaker = circuitBreaker({ name: 'inventory', sleep: noWait })
 * ```
 */
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
 * Full-jitter exponential backoff: a random delay in `[0, min(maxDelay, baseDelay * 2^attempt))`,
 * `attempt` counting from 0. `random` answers a number in [0, 1) (`Math.random`, or a test's).
 */
export const backoff = (
  attempt: number,
  baseDelay: number,
  maxDelay: number,
  random: () => number,
): number => Math.floor(random() * Math.min(maxDelay, baseDelay * 2 ** attempt))

/** How {@link retry} goes on after a first outcome. */
export interface RetryPlan<T> {
  /** Attempts after the first one, at the most. */
  readonly retries: number
  /**
   * The wait before retry number `retry` (from 0) after `last`, or `undefined` when `last` is not
   * worth another attempt. Called once per retry, so a random delay is drawn once.
   */
  readonly delay: (last: T, retry: number) => number | undefined
  /** The next attempt; `undefined` ends the retries with the previous outcome. */
  readonly attempt: () => Promise<T | undefined>
  /** Epoch ms at or past which no wait ends: the retries stop instead. Default none. */
  readonly until?: number | undefined
  /** Epoch ms, for `until`. */
  readonly clock: () => number
  /** Waits between attempts; given `signal` when there is one. */
  readonly sleep: Sleep
  /** Ends the wait early, and the retries with it. */
  readonly signal?: AbortSignal | undefined
}

/**
 * Tries again after `first` while `plan` says a retry may help: waits `plan.delay`, unless the wait
 * would end at or past `plan.until` or `plan.signal` aborted, then attempts. Answers the last
 * outcome.
 *
 * @example
 * ```ts
 * const result = await retry(await call(), {
 *   retries: 2,
 *   delay: (last, n) => (last.ok ? undefined : backoff(n, 100, 2_000, Math.random)),
 *   attempt: call,
 *   until: deadline,
 *   clock: Date.now,
 *   sleep,
 * })
 * ```
 */
export const retry = async <T>(first: T, plan: RetryPlan<T>): Promise<T> => {
  const { until, signal } = plan
  let last = first
  for (let n = 0; n < plan.retries; n++) {
    const wait = plan.delay(last, n)
    if (wait === undefined) break
    if (until !== undefined && plan.clock() + wait >= until) break
    await (signal === undefined ? plan.sleep(wait) : plan.sleep(wait, signal))
    if (signal?.aborted) break
    const next = await plan.attempt()
    if (next === undefined) break
    last = next
  }
  return last
}
