import type { AppError } from '../errors/index.ts'
import type { Result } from '../result/index.ts'

/**
 * A policy of the policy decision point: given the Lambda context (which holds the PIP outcome,
 * the request and the resolved route), it allows (`ok`) or denies with an `AppError` (`err`).
 * Route options of `metis-app/router` carry policies of this type; `metis-app/auth` builds them
 * (`tokenRequired()`, `activity()`, `scope()`, `custom()`, `all()`, `any()`) and its `pdp()`
 * middleware evaluates the global ones, then the resolved route's, before the handler. A policy
 * reads the PIP outcome from `context.auth` (`requireAuth(context, name)` in `metis-app/auth`).
 *
 * @example
 * ```ts
 * const weekdaysOnly: Policy = {
 *   name: 'weekdays-only',
 *   evaluate: () => (new Date().getDay() % 6 === 0 ? err(new ForbiddenError()) : ok(undefined)),
 * }
 * ```
 */
export interface Policy {
  /** A short name for logs and error details. */
  readonly name: string
  /** Decides for one invocation. */
  readonly evaluate: (context: object) => Result<void, AppError> | Promise<Result<void, AppError>>
}
