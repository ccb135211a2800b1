/**
 * The policy decision point: policies over the PIP outcome, and a Middy middleware that applies
 * them (global ones and the resolved route's) before the handler.
 */

import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import {
  AppError,
  ForbiddenError,
  ServiceUnavailableError,
  UnauthorizedError,
} from '../errors/index.ts'
import { type CheckDescription, type Decision, runChecks } from '../internal/check.ts'
import { textOption } from '../internal/options.ts'
import { isResult } from '../internal/result.ts'
import { err, ok, type Result } from '../result/index.ts'
import { hasActivity } from './activity.ts'
import type { AuthContext, AuthInfo } from './auth-info.ts'
import type { Policy } from './policy.ts'

const allowed: Result<void, AppError> = ok(undefined)

/**
 * The PIP outcome on the context, or a 500 configuration error (`MIDDLEWARE_ORDER`) that says to
 * stack `pip()` first.
 */
const requireAuth = (context: object, by: string): AuthInfo => {
  const auth = (context as Partial<AuthContext>).auth
  if (auth === undefined) {
    throw new AppError(500, `${by} needs the PIP outcome on context.auth: stack pip() before it`, {
      code: 'MIDDLEWARE_ORDER',
    })
  }
  return auth
}

// RFC 7235 quoted-string: a backslash and a double quote are escaped.
const quote = (value: string): string => `"${value.replace(/[\\"]/g, '\\$&')}"`

const challenge = (auth: AuthInfo, params: Readonly<Record<string, string>>): string => {
  const all = auth.realm === undefined ? params : { realm: auth.realm, ...params }
  const text = Object.entries(all)
    .map(([name, value]) => `${name}=${quote(value)}`)
    .join(', ')
  return text === '' ? 'Bearer' : `Bearer ${text}`
}

/** The error for a request without a valid token (401, or 503 for an unavailable JWKS when so configured). */
const tokenError = (auth: AuthInfo): AppError | undefined => {
  if (auth.token.ok) return undefined
  const { reason, message, cause } = auth.token.error
  if (reason === 'jwks-unavailable' && auth.onJwksUnavailable === 503) {
    return new ServiceUnavailableError('The keys to verify the token are unavailable', {
      code: 'JWKS_UNAVAILABLE',
      // Safe to show, and @middy/http-error-handler turns a non-exposed error into a bare 500.
      expose: true,
      cause,
    })
  }
  // RFC 6750 section 3.1: a request without credentials gets a challenge without an error code.
  if (reason === 'absent') {
    return new UnauthorizedError(message, {
      code: 'TOKEN_ABSENT',
      details: { reason },
      headers: { 'WWW-Authenticate': challenge(auth, {}) },
    })
  }
  return new UnauthorizedError(message, {
    code: 'INVALID_TOKEN',
    details: { reason },
    headers: {
      'WWW-Authenticate': challenge(auth, { error: 'invalid_token', error_description: message }),
    },
  })
}

const insufficient = (
  auth: AuthInfo,
  message: string,
  details: Record<string, unknown>,
  scope?: string,
) =>
  new ForbiddenError(message, {
    code: 'INSUFFICIENT_SCOPE',
    details,
    headers: {
      'WWW-Authenticate': challenge(auth, {
        error: 'insufficient_scope',
        error_description: message,
        ...(scope === undefined ? {} : { scope }),
      }),
    },
  })

/**
 * Allows only a request with a verified token; else 401 with
 * `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750; no error code when no token was sent),
 * or 503 when the JWKS is unavailable and the PIP says `onJwksUnavailable: 503`.
 *
 * @example
 * ```ts
 * middy().use(pip(options)).use(pdp(tokenRequired())).handler(handler)
 * ```
 */
export const tokenRequired = (): Policy => ({
  name: 'token-required',
  openapi: { bearer: true },
  evaluate: (context) => {
    const error = tokenError(requireAuth(context, 'tokenRequired()'))
    return error === undefined ? allowed : err(error)
  },
})

/**
 * Options of {@link activity}.
 *
 * @example
 * ```ts
 * const options: ActivityOptions = { namespace: 'orders' }
 * pdp(activity('orders:order:read', options))
 * ```
 */
export interface ActivityOptions {
  /** Count only granted activities whose first segment is this namespace (service). */
  namespace?: string
}

/**
 * Allows a request whose subject holds an activity that meets `required`
 * (`service:resource:action`; a granted `*` segment matches any segment; a grant longer than
 * `required` meets it only when its extra segments are `*`, so `orders:order:delete:own` does not
 * meet `orders:order:delete`). Without a valid token: as {@link tokenRequired}. Otherwise 403
 * `insufficient_scope`; also when the activities come from userinfo and it was unavailable.
 *
 * @example
 * ```ts
 * route('POST', '/orders', createOrder, { policies: [activity('orders:order:create')] })
 * ```
 */
export const activity = (required: string, options: ActivityOptions = {}): Policy => ({
  name: `activity(${textOption('activity()', 'the activity', required)})`,
  openapi: { bearer: true, activities: [required] },
  evaluate: (context) => {
    const auth = requireAuth(context, `activity(${required})`)
    const error = tokenError(auth)
    if (error !== undefined) return err(error)
    if (hasActivity(auth.activities(), required, options.namespace)) return allowed
    const details: Record<string, unknown> = { required }
    if (auth.subject.status === 'unavailable') details.subject = 'unavailable'
    return err(insufficient(auth, `The activity ${required} is not granted`, details))
  },
})

/**
 * Allows a request whose token grants `required` in `scope` (or `scp`); else 403
 * `insufficient_scope` with the `scope` challenge attribute. Without a valid token: as
 * {@link tokenRequired}.
 *
 * @example
 * ```ts
 * pdp(scope('orders:read'))
 * ```
 */
export const scope = (required: string): Policy => ({
  name: `scope(${textOption('scope()', 'the scope', required)})`,
  openapi: { bearer: true, scopes: [required] },
  evaluate: (context) => {
    const auth = requireAuth(context, `scope(${required})`)
    const error = tokenError(auth)
    if (error !== undefined) return err(error)
    if (auth.hasScope(required)) return allowed
    return err(insufficient(auth, `The scope ${required} is not granted`, { required }, required))
  },
})

/**
 * A user predicate: true allows, false denies with 403; a Result decides with its own error.
 *
 * @example
 * ```ts
 * const acmeOnly: PolicyPredicate = (auth) => auth.claims?.tenant === 'acme'
 * pdp(tokenRequired(), custom('acme-only', acmeOnly))
 * ```
 */
export type PolicyPredicate<C extends object = AuthContext> = (
  auth: AuthInfo,
  context: C & AuthContext,
) => boolean | Result<void, AppError> | Promise<boolean | Result<void, AppError>>

/**
 * Options of {@link custom}.
 *
 * @example
 * ```ts
 * const options: CustomOptions = { allowAnonymous: true }
 * const notBlocked = custom('not-blocked', (auth) => auth.claims?.sub !== 'blocked-user', options)
 * ```
 */
export interface CustomOptions {
  /**
   * Let the predicate decide for requests without a valid token too. Default false: such a
   * request is answered as by {@link tokenRequired} before the predicate runs, so that a predicate
   * written for verified claims (`auth.claims?.tenant === ...`) cannot let an anonymous request in.
   */
  allowAnonymous?: boolean
}

/**
 * A policy from a predicate over the PIP outcome: `true` allows, `false` is a 403
 * `POLICY_DENIED`, a `Result` decides with its own error; anything else is a denial (a predicate
 * that returns `'yes'` is a bug, not a permission). Without a valid token: as
 * {@link tokenRequired}, unless `allowAnonymous`.
 *
 * @example
 * ```ts
 * const sameTenant = custom('same-tenant', (auth, context) =>
 *   auth.claims?.tenant === (context as { route?: { params: { tenant?: string } } }).route?.params.tenant)
 * ```
 */
export const custom = <C extends object = AuthContext>(
  name: string,
  predicate: PolicyPredicate<C>,
  options: CustomOptions = {},
): Policy<C & AuthContext> => ({
  name,
  evaluate: async (context) => {
    const auth = requireAuth(context, `policy ${name}`)
    if (options.allowAnonymous !== true) {
      const error = tokenError(auth)
      if (error !== undefined) return err(error)
    }
    const decision: unknown = await predicate(auth, context)
    if (decision === true) return allowed
    if (isResult(decision)) return decision as Result<void, AppError>
    return err(
      new ForbiddenError(`Denied by policy ${name}`, {
        code: 'POLICY_DENIED',
        details: { policy: name },
      }),
    )
  },
})

/** A composed policy's description when each of its parts describes itself, else none. */
const described = (
  policies: readonly { readonly openapi?: CheckDescription | undefined }[],
  compose: (parts: CheckDescription[]) => CheckDescription,
): CheckDescription | undefined => {
  const parts = policies.map((policy) => policy.openapi)
  return parts.every((part): part is CheckDescription => part !== undefined)
    ? compose(parts)
    : undefined
}

/**
 * Allows when every policy allows; the first denial (in order) is the answer.
 *
 * @example
 * ```ts
 * allOf(scope('orders:read'), activity('orders:order:read'))
 * ```
 */
export const allOf = <C extends object = AuthContext>(
  ...policies: readonly Policy<C>[]
): Policy<C> => ({
  name: `allOf(${policies.map((p) => p.name).join(', ')})`,
  openapi: described(policies, (allOf) => ({ allOf })),
  evaluate: (context) => runChecks(context, policies),
})

/**
 * Allows when one policy allows (tried in order); when all deny, the first denial is the answer.
 *
 * @example
 * ```ts
 * anyOf(activity('orders:order:read'), scope('admin'))
 * ```
 */
export const anyOf = <C extends object = AuthContext>(
  ...policies: readonly Policy<C>[]
): Policy<C> => ({
  name: `anyOf(${policies.map((p) => p.name).join(', ')})`,
  openapi: described(policies, (anyOf) => ({ anyOf })),
  // Synchronous while the policies are (the built-in ones are), as allOf() through runChecks.
  evaluate: (context) => {
    const from = (index: number, first?: Result<void, AppError>): Decision => {
      for (let at = index; at < policies.length; at += 1) {
        const decision = (policies[at] as Policy<C>).evaluate(context)
        if (decision instanceof Promise) {
          return decision.then((settled) => (settled.ok ? settled : from(at + 1, first ?? settled)))
        }
        if (decision.ok) return decision
        first ??= decision
      }
      return first ?? err(new ForbiddenError('No policy allows this', { code: 'POLICY_DENIED' }))
    }
    return from(0)
  },
})

// Throws a denial.
const enforce = (decision: Decision): void | Promise<void> => {
  if (decision instanceof Promise) return decision.then(enforce)
  if (!decision.ok) throw decision.error
}

/**
 * Middy middleware: the policy decision point, for a handler without a router. In `before` it
 * evaluates its policies in order and throws the first denial as an `AppError`: the handler does
 * not run and the error flows through `onError` (the metis-app responder,
 * `@middy/http-error-handler`). A route of `metis-app/router` takes its policies itself
 * (`policies: [activity(...)]`), and the router runs them: no `pdp()` is needed there. Without
 * `pip()` before it, every request is a 500 `MIDDLEWARE_ORDER` error that says so.
 *
 * @example
 * ```ts
 * middy()
 *   .use(pip({ issuer, audience, jwksUri }))
 *   .use(pdp(tokenRequired(), activity('orders:*', { namespace: 'orders' })))
 *   .handler(handler)
 * ```
 */
export const pdp = (
  ...policies: readonly Policy[]
): MiddlewareObj<unknown, unknown, Error, Context & AuthContext> => {
  const pdpBefore = (request: {
    context: Context & Partial<AuthContext>
  }): void | Promise<void> => {
    requireAuth(request.context, 'pdp()')
    return enforce(runChecks(request.context as Context & AuthContext, policies))
  }
  return { name: 'metis-app/auth/pdp', before: pdpBefore }
}
