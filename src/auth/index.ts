/**
 * `metis-app/auth`: the policy information point (PIP) and the policy decision point (PDP) over
 * bearer JWTs.
 *
 * {@link pip} informs and never decides: it finds the bearer token, verifies it with `jose` against
 * the issuer's JWKS (issuer, audience, an asymmetric algorithm allow-list, `exp` required, a length
 * limit before decoding), optionally looks the subject up at a userinfo endpoint (with `ky`), and
 * puts an {@link AuthInfo} on `context.auth`: the verified claims, or the reason there are none
 * (`absent`, `malformed`, `expired`, `bad-signature`, `wrong-issuer`, `jwks-unavailable`, ...).
 *
 * {@link pdp} decides before the handler from that outcome, with policies: {@link tokenRequired}
 * (401, RFC 6750 challenge; 503 for an unavailable JWKS when configured), {@link activity}
 * (`service:resource:action`, `*` segments, a longer grant only through `*` segments, namespace
 * filter; 403 `insufficient_scope`), {@link scope}, {@link custom}, composed with {@link allOf} and
 * {@link anyOf}.
 * Routes of `metis-app/router` carry their own policies (`options.policies`), which `pdp()` applies
 * after its global ones. A denial throws an `AppError`: the handler does not run.
 *
 * Per-container caches (the JWKS per URL, the verified tokens, the userinfo answers) are reset
 * with {@link resetAuthCaches} in tests.
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import httpErrorHandler from '@middy/http-error-handler'
 * import { activity, pdp, pip, tokenRequired } from 'metis-app/auth'
 *
 * export const handler = middy()
 *   .use(httpErrorHandler())
 *   .use(pip({ issuer: 'https://id.example.com', audience: 'orders', jwksUri: 'https://id.example.com/jwks' }))
 *   .use(pdp(tokenRequired(), activity('orders:order:read')))
 *   .handler(async (_event, context) => ({ statusCode: 200, body: String(context.auth.claims?.sub) }))
 * ```
 * @module
 */

export type { AuthContext, AuthInfo } from './auth-info.ts'
export { resetAuthCaches } from './cache.ts'
export {
  type ActivityOptions,
  activity,
  allOf,
  anyOf,
  type CustomOptions,
  custom,
  type PolicyPredicate,
  pdp,
  scope,
  tokenRequired,
} from './pdp.ts'
export { pip } from './pip.ts'
export type { PipOptions } from './pip-options.ts'
export type { Policy } from './policy.ts'
export type { TokenSource } from './token.ts'
export type { Subject, SubjectOutcome, UserinfoEndpoint, UserinfoFunction } from './userinfo.ts'
export type {
  TokenFailureReason,
  TokenRejection,
  VerifiedClaims,
  VerifiedToken,
} from './verify.ts'
