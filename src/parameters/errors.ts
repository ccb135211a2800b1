/**
 * The error of `metis-app/parameters`.
 * @module
 */
import { AppError } from '../errors/index.ts'

/**
 * The stable codes of a {@link ParametersError}.
 *
 * @example
 * ```ts
 * if (error.code === 'PARAMETERS_UNAVAILABLE') return fallback
 * ```
 */
export type ParametersErrorCode =
  /** SSM or Secrets Manager did not give what was asked (throttled, denied, timed out, missing). */
  | 'PARAMETERS_UNAVAILABLE'
  /** What was loaded cannot be laid out: two values at one key, or a reserved environment name. */
  | 'PARAMETERS_CONFLICT'
  /** `putParameter` could not write the parameter. */
  | 'PARAMETERS_WRITE_FAILED'

/**
 * Where a failure happened: which source, and its name (never its value).
 *
 * @example
 * ```ts
 * // { source: 'ssm-path', name: '/orders', reason: 'ThrottlingException' }
 * ```
 */
export type ParametersErrorDetails = {
  /** `'ssm-path'`, `'ssm'` (named parameters), `'secret'`, or `'layout'` for a conflict. */
  readonly source?: 'ssm-path' | 'ssm' | 'secret' | 'layout'
  /** The SSM path, parameter name or secret id (or the keys in conflict). */
  readonly name?: string
  /** The upstream error's name (`ThrottlingException`, `AccessDeniedException`, `TimeoutError`). */
  readonly reason?: string
}

const statusOf: Readonly<Record<ParametersErrorCode, number>> = {
  PARAMETERS_UNAVAILABLE: 503,
  PARAMETERS_CONFLICT: 500,
  PARAMETERS_WRITE_FAILED: 502,
}

/**
 * Parameters could not be loaded (or written). An {@link AppError}, never exposed to clients: its
 * problem response shows only the status (503 when SSM or Secrets Manager failed, 500 for a
 * conflict, 502 for a failed write). Its message and `details` name the path, parameter or
 * secret and the upstream error's name; never a value. `cause` keeps the upstream error's name
 * and message only.
 *
 * @example
 * ```ts
 * try {
 *   await putParameter('/orders/flag', 'on')
 * } catch (error) {
 *   if (error instanceof ParametersError) console.warn(error.code, error.details)
 * }
 * ```
 */
export class ParametersError extends AppError {
  /** The stable code. */
  declare readonly code: ParametersErrorCode
  /** The source, name and upstream reason of the failure. */
  declare readonly details: ParametersErrorDetails

  constructor(
    code: ParametersErrorCode,
    message: string,
    details: ParametersErrorDetails = {},
    cause?: unknown,
  ) {
    super(statusOf[code], message, { code, expose: false, details: { ...details }, cause })
  }
}

/** The first name in an error's cause chain that says more than a wrapper's. */
const reasonOf = (thrown: unknown): string | undefined => {
  let current: unknown = thrown
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (!/^(GetParameterError|SetParameterError|Error)$/.test(current.name)) return current.name
    current = current.cause
  }
  return undefined
}

/**
 * The cause to keep of an upstream error: its name and message only (an SDK error carries the
 * request and response), with `redact` (a value being written) masked.
 */
export const safeCause = (thrown: unknown, redact?: string): Error => {
  const reason = reasonOf(thrown)
  let message = thrown instanceof Error ? thrown.message : String(thrown)
  if (redact !== undefined && redact !== '') message = message.replaceAll(redact, '***')
  const cause = new Error(message)
  if (reason !== undefined) cause.name = reason
  return cause
}

/** A load failure of one source, naming it and the upstream reason. */
export const unavailable = (
  source: 'ssm-path' | 'ssm' | 'secret',
  name: string,
  thrown: unknown,
): ParametersError => {
  const reason = reasonOf(thrown)
  const what = source === 'ssm-path' ? 'SSM path' : source === 'ssm' ? 'SSM parameters' : 'secret'
  return new ParametersError(
    'PARAMETERS_UNAVAILABLE',
    `metis-app/parameters: could not load ${what} ${name}${reason === undefined ? '' : ` (${reason})`}`,
    reason === undefined ? { source, name } : { source, name, reason },
    safeCause(thrown),
  )
}
