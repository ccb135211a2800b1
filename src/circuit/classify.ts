/**
 * What counts as a failure of a dependency, and what is worth another attempt.
 * @module
 */

/**
 * How an error reached the breaker.
 *
 * @example
 * ```ts
 * // Error Results (expected answers) never count; timeouts and thrown errors as by default.
 * const isFailure = (error: unknown, kind: FailureKind): boolean =>
 *   kind !== 'result' && defaultIsFailure(error, kind)
 * circuitBreaker({ name: 'payments', isFailure })
 * ```
 */
export type FailureKind = 'thrown' | 'result' | 'timeout'

/** Node's and undici's codes for a connection that failed (not an answer from the server). */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
])

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined

/**
 * The HTTP status an error carries: its `statusCode`, its `status`, or its `response.status`
 * (`ky`'s `HTTPError`); undefined when it carries none.
 */
export const statusOf = (error: unknown): number | undefined => {
  for (const candidate of [
    field(error, 'statusCode'),
    field(error, 'status'),
    field(field(error, 'response'), 'status'),
  ]) {
    if (typeof candidate === 'number' && Number.isInteger(candidate)) return candidate
  }
  return undefined
}

/** True for a status that says "try again later": 5xx, 408 and 429. */
export const isRetryableStatus = (status: number): boolean =>
  status >= 500 || status === 408 || status === 429

/**
 * True when an error is a connection failure rather than an answer: a `fetch failed` TypeError,
 * ky's `NetworkError`, an abort or timeout, or a Node/undici network error code, looked for on the
 * error and its `cause`.
 */
export const isNetworkError = (error: unknown): boolean => {
  let current: unknown = error
  for (let depth = 0; depth < 3 && current !== undefined; depth++) {
    const code = field(current, 'code')
    if (typeof code === 'string' && networkCodes.has(code)) return true
    const name = field(current, 'name')
    if (name === 'NetworkError' || name === 'TimeoutError' || name === 'AbortError') return true
    if (name === 'TypeError' && field(current, 'message') === 'fetch failed') return true
    current = field(current, 'cause')
  }
  return false
}

/**
 * True when another attempt may succeed: an error that says so with a boolean `retryable`
 * (every metis-app error does), else one with a retryable HTTP status (5xx, 408, 429), else a
 * network error. A 4xx is an answer: retrying it gives the same answer.
 *
 * @example
 * ```ts
 * isRetryable(new ServiceUnavailableError()) // true
 * isRetryable(new NotFoundError()) // false
 * isRetryable(Object.assign(new Error('x'), { code: 'ECONNRESET' })) // true
 * ```
 */
export const isRetryable = (error: unknown): boolean => {
  const declared = field(error, 'retryable')
  if (typeof declared === 'boolean') return declared
  const status = statusOf(error)
  if (status !== undefined) return isRetryableStatus(status)
  return isNetworkError(error)
}

/**
 * The default failure predicate. A timeout is a failure. A thrown error is a failure unless it
 * carries an HTTP status that is an answer (a 4xx other than 408 and 429). An error Result is a
 * failure only when it is {@link isRetryable}: `err(new NotFoundError())` is an answer.
 *
 * @example
 * ```ts
 * // also count a 404 from this dependency as a failure
 * circuitBreaker({
 *   name: 'inventory',
 *   isFailure: (error, kind) => defaultIsFailure(error, kind) || (error as AppError).statusCode === 404,
 * })
 * ```
 */
export const defaultIsFailure = (error: unknown, kind: FailureKind): boolean => {
  if (kind === 'timeout') return true
  if (kind === 'result') return isRetryable(error)
  const status = statusOf(error)
  return status === undefined || isRetryableStatus(status)
}
