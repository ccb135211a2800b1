/**
 * A check: a named decision over the invocation's context (which carries `context.request`), as a
 * route's `policies` are. The router runs a route's checks right before its handler; `pdp()` of
 * `metis-app/auth` runs them as a middleware for a handler without a router. Neither part knows
 * the other: both know this type. Internal to metis-app; each part exports it under its own name.
 */
import type { AppError } from '../errors/index.ts'
import { ok, type Result } from '../result/index.ts'

/**
 * What a check decides: `ok` allows, an error Result denies with its `AppError`.
 * @inline
 */
export type Decision = Result<void, AppError> | Promise<Result<void, AppError>>

/**
 * A named decision over the context `C` it needs. The context is a function parameter, so that a
 * check that needs `context.auth` does not fit a route whose stack lacks it.
 * @inline
 */
export interface Check<C extends object = object> {
  /** A short name for logs and error details. */
  readonly name: string
  /** Decides for one invocation. */
  readonly evaluate: (context: C) => Decision
  /** What the check requires, for `metis-app/openapi`; never read when deciding. */
  readonly openapi?: CheckDescription
}

/**
 * What a check requires, as `metis-app/openapi` documents it: a bearer token (401 without one),
 * OAuth2 scopes and activities (403 without them), and the statuses it can answer. Checks that
 * say nothing are listed by name only.
 *
 * @example
 * ```ts
 * const admin: RouteCheck = {
 *   name: 'admin',
 *   evaluate: () => ok(undefined),
 *   openapi: { bearer: true, scopes: ['admin'], statuses: [401, 403] },
 * }
 * ```
 */
export interface CheckDescription {
  /** The check needs a verified bearer token (JWT). */
  readonly bearer?: boolean
  /** OAuth2 scopes the token must grant. */
  readonly scopes?: readonly string[]
  /** Activities (`service:resource:action`) the subject must hold. */
  readonly activities?: readonly string[]
  /** Any one of these descriptions is enough (as `anyOf(...)` of `metis-app/auth`). */
  readonly anyOf?: readonly CheckDescription[]
  /** Every one of these descriptions is needed (as `allOf(...)` of `metis-app/auth`). */
  readonly allOf?: readonly CheckDescription[]
  /** The error statuses the check can answer (problem details). */
  readonly statuses?: readonly number[]
}

const allowed: Result<void, AppError> = ok(undefined)

/**
 * Runs checks in order and answers the first denial, or `ok`. Synchronous while the checks are
 * (the built-in ones are): no promise on the common path.
 */
export const runChecks = <C extends object>(
  context: C,
  checks: readonly Check<C>[],
  from = 0,
): Decision => {
  for (let index = from; index < checks.length; index += 1) {
    const decision = (checks[index] as Check<C>).evaluate(context)
    if (decision instanceof Promise) {
      return decision.then((settled) =>
        settled.ok ? runChecks(context, checks, index + 1) : settled,
      )
    }
    if (!decision.ok) return decision
  }
  return allowed
}
