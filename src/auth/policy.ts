import type { CheckDescription, Decision } from '../internal/check.ts'
import type { AuthContext } from './auth-info.ts'

/**
 * A policy: a named check over the Lambda context that allows (`ok`) or denies with an
 * `AppError` (`err`). `metis-app/auth` builds them (`tokenRequired()`, `activity()`, `scope()`,
 * `custom()`, `all()`, `any()`); they read the PIP outcome from `context.auth`, so their context
 * type is `AuthContext`. A route of `metis-app/router` takes them as its `policies` (the router
 * runs them right before the handler, and refuses at compile time a router whose context type
 * lacks `AuthContext`); `pdp(...)` runs them as a middleware for a handler without a router.
 *
 * @example
 * ```ts
 * const weekdaysOnly: Policy = {
 *   name: 'weekdays-only',
 *   evaluate: () => (new Date().getDay() % 6 === 0 ? err(new ForbiddenError()) : ok(undefined)),
 * }
 * ```
 */
export interface Policy<C extends object = AuthContext> {
  /** A short name for logs and error details (`'token-required'`, `'scope:orders:read'`). */
  readonly name: string
  /** Decides for one invocation: `ok(undefined)` allows, `err(appError)` denies. */
  readonly evaluate: (context: C) => Decision
  /**
   * What the policy requires (`{ bearer: true, scopes: ['orders:read'] }`), for
   * `metis-app/openapi`; never read when deciding. The built-in policies describe themselves;
   * without it, the document lists the policy by name.
   */
  readonly openapi?: CheckDescription
}
