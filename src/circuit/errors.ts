/**
 * The errors of `metis-app/circuit`. Each is an {@link AppError} with a stable `code` and a
 * `retryable` flag that the breaker's default failure predicate and retry policy read.
 * @module
 */
import { AppError, type AppErrorOptions } from '../errors/index.ts'

/**
 * The state of a circuit.
 *
 * @example
 * ```ts
 * const state: CircuitStateName = (await payments.snapshot()).state
 * if (state === 'open') console.warn('payments is standing down')
 * ```
 */
export type CircuitStateName = 'closed' | 'open' | 'half-open'

/**
 * 503: the circuit is open (or half-open with another instance probing), so the call was not
 * made. Not retryable: retrying at once only meets the same open circuit. Carries a
 * `Retry-After` header (seconds until the stand-down ends, at least 1).
 *
 * @example
 * ```ts
 * const result = await breaker.execute(() => callPayments())
 * if (!result.ok && result.error instanceof CircuitOpenError) {
 *   console.log(`skipped; try again in ${result.error.retryAfterMs} ms`)
 * }
 * ```
 */
export class CircuitOpenError extends AppError {
  /** Never retry at once: the circuit stays open for its stand-down period. */
  readonly retryable = false
  /** The circuit's name. */
  readonly circuit: string
  /** The state that refused the call (`open`, or `half-open` while another instance probes). */
  readonly state: CircuitStateName
  /** Milliseconds until the circuit may let a probe through (0 when a probe is due now). */
  readonly retryAfterMs: number

  constructor(
    circuit: string,
    state: CircuitStateName,
    retryAfterMs: number,
    options: AppErrorOptions = {},
  ) {
    super(503, `Circuit ${circuit} is ${state}`, {
      code: 'CIRCUIT_OPEN',
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
      details: { circuit, state, retryAfterMs },
      ...options,
    })
    this.circuit = circuit
    this.state = state
    this.retryAfterMs = retryAfterMs
  }
}

/**
 * 504: the call took longer than the breaker's `timeoutMs` (its `AbortSignal` was aborted), or than
 * the time left before the caller's deadline, or no time was left before it. Only the breaker's
 * own `timeout` counts as a failure of the dependency; the caller's deadline says nothing about
 * it. Retryable; `beforeStart` marks the case where the dependency was never called.
 *
 * @example
 * ```ts
 * const result = await breaker.execute((signal) => ky.get(url, { signal }).json())
 * if (!result.ok && result.error instanceof CircuitTimeoutError) console.warn(result.error.timeoutMs)
 * ```
 */
export class CircuitTimeoutError extends AppError {
  /** A timeout may succeed on a later attempt. */
  readonly retryable = true
  /** The circuit's name. */
  readonly circuit: string
  /** The time budget, in milliseconds, that ran out. */
  readonly timeoutMs: number
  /** True when the deadline had passed before the call could start (nothing was called). */
  readonly beforeStart: boolean

  constructor(circuit: string, timeoutMs: number, beforeStart = false) {
    super(
      504,
      beforeStart
        ? `No time left to call ${circuit}`
        : `Call through circuit ${circuit} timed out after ${timeoutMs} ms`,
      { code: 'CIRCUIT_TIMEOUT', details: { circuit, timeoutMs } },
    )
    this.circuit = circuit
    this.timeoutMs = timeoutMs
    this.beforeStart = beforeStart
  }
}

/**
 * 500: the circuit store could not read or write (throttled, unavailable, timed out, too many
 * conflicting writers). The breaker never returns it from `execute`: it logs a warning and falls
 * back to its local state. Stores throw it so that the cause is kept.
 *
 * @example
 * ```ts
 * // in a CircuitStore of your own
 * throw new CircuitStoreError('read', 'the table answered 500', thrown)
 * ```
 */
export class CircuitStoreError extends AppError {
  /** What the store was doing: `read` or `update`. */
  readonly operation: 'read' | 'update'

  constructor(operation: 'read' | 'update', message: string, cause?: unknown) {
    super(500, message, { code: 'CIRCUIT_STORE_ERROR', cause, expose: false })
    this.operation = operation
  }
}

/**
 * 502: an upstream HTTP response that counts as a failure (5xx, 408, 429), as seen by the `ky`
 * integration. It carries the untouched `response`, which the integration hands back to `ky` so
 * that `ky` raises its usual `HTTPError`.
 *
 * @example
 * ```ts
 * const result = await breaker.execute(() => inventory.get('stock').json())
 * if (!result.ok && result.error instanceof UpstreamResponseError) console.warn(result.error.response.status)
 * ```
 */
export class UpstreamResponseError extends AppError {
  /** Retryable when the upstream status is (5xx, 408, 429). */
  readonly retryable: boolean
  /** The upstream response (its body not read). */
  readonly response: Response

  constructor(response: Response, retryable: boolean) {
    super(502, `Upstream answered ${response.status}`, {
      code: 'UPSTREAM_RESPONSE',
      details: { upstreamStatus: response.status },
    })
    this.response = response
    this.retryable = retryable
  }
}

/**
 * The errors the breaker itself produces in an `execute` Result.
 *
 * @example
 * ```ts
 * const fromBreaker = (error: unknown): error is CircuitError =>
 *   error instanceof CircuitOpenError || error instanceof CircuitTimeoutError
 * ```
 */
export type CircuitError = CircuitOpenError | CircuitTimeoutError
