/**
 * The policy information point: a Middy middleware that finds and verifies the bearer token, looks
 * the subject up, and records the outcome on `context.auth` without deciding anything.
 */

import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import { requestOf } from '../request/accessor.ts'
import { err, type Result } from '../result/index.ts'
import { type AuthContext, authInfo } from './auth-info.ts'
import { algorithmsFor, keySource, type PipOptions, resolveOptions } from './pip-options.ts'
import { type FoundBearer, findBearer, NO_HEADERS, requestView } from './token.ts'
import { createUserinfo, type SubjectOutcome } from './userinfo.ts'
import { createVerifier, type TokenRejection, type VerifiedToken } from './verify.ts'

/**
 * Middy middleware: the policy information point. In `before` it finds the bearer token (in
 * `Authorization`, then the optional `header` and `cookie`), verifies it with jose against the
 * issuer's keys, optionally looks the subject up, and puts an {@link AuthInfo} on `context.auth`.
 * It never throws for a bad or missing token: deciding is the PDP's job (`pdp()`).
 * Reads `context.request` when `requestBuilder()` ran first, else the raw event's headers.
 *
 * Per-container caches (reset with `resetAuthCaches()`): the remote key set per JWKS URL, the
 * verified tokens (exact token string; `exp`/`nbf` re-checked on every use; failures never cached;
 * evicted when a JWKS fetch drops their key, see `tokenCacheTtlMs`) and the userinfo answers
 * (frozen deeply, as the claims are: no handler can change what a later request sees).
 *
 * @throws TypeError at creation for an invalid configuration (no issuer or audience, no key source
 * or several, a symmetric algorithm without `secret`, `unsafeSkipVerification` in production or
 * on Lambda).
 *
 * @example
 * ```ts
 * middy()
 *   .use(pip({ issuer: 'https://id.example.com', audience: 'orders', jwksUri: 'https://id.example.com/jwks' }))
 *   .use(pdp(tokenRequired()))
 *   .handler(async (_event, context) => ({ statusCode: 200, body: context.auth.claims?.sub }))
 * ```
 */
export const pip = (
  options: PipOptions,
): MiddlewareObj<unknown, unknown, Error, Context & AuthContext> => {
  const config = resolveOptions(options)
  const now = config.now ?? Date.now
  const keys = keySource(config)
  const verify = createVerifier({
    issuer: config.issuer,
    audience: config.audience,
    algorithms: algorithmsFor(config, keys),
    clockToleranceMs: config.clockToleranceMs,
    requiredClaims: config.requiredClaims ?? [],
    typ: config.typ,
    keys,
    unsafeSkipVerification: config.unsafeSkipVerification === true,
    cacheSize: config.tokenCacheSize,
    cacheTtlMs: config.tokenCacheTtlMs,
    now,
  })
  const lookup =
    config.userinfo === undefined
      ? undefined
      : createUserinfo({
          source:
            typeof config.userinfo === 'string' || config.userinfo instanceof URL
              ? { url: config.userinfo }
              : config.userinfo,
          ttlMs: config.userinfoTtlMs,
          cacheSize: config.tokenCacheSize,
          now,
        })
  const activitiesFrom = config.activitiesFrom ?? (lookup === undefined ? 'token' : 'userinfo')
  const location = {
    header: config.header,
    cookie: config.cookie,
    maxTokenLength: config.maxTokenLength,
  }

  type PipRequest = { event: unknown; context: Context & Partial<AuthContext> }
  const record = (
    request: PipRequest,
    found: FoundBearer,
    token: TokenResult,
    subject: SubjectOutcome,
  ) => {
    request.context.auth = authInfo({
      token,
      subject,
      source: found.source,
      bearer: found.found ? found.token : undefined,
      activitiesClaim: config.activitiesClaim,
      activitiesFrom,
      onJwksUnavailable: config.onJwksUnavailable,
      realm: config.realm,
    })
  }

  const withSubject = (
    request: PipRequest,
    found: FoundBearer,
    token: TokenResult,
  ): void | Promise<void> => {
    if (lookup === undefined) return record(request, found, token, NOT_CONFIGURED)
    if (!found.found || !token.ok) return record(request, found, token, NO_TOKEN)
    return lookup(found.token, token.value.claims).then((subject) =>
      record(request, found, token, subject),
    )
  }

  // Synchronous for a token in the cache and no userinfo lookup: the common path costs no promise.
  const pipBefore = (request: PipRequest): void | Promise<void> => {
    const built = requestOf(request.event, request.context)
    const view = built.ok && built.value.kind === 'http' ? requestView(built.value) : NO_HEADERS
    const found = findBearer(view, location)
    if (!found.found)
      return withSubject(request, found, err({ reason: found.reason, message: found.message }))
    const token = verify(found.token)
    if (token instanceof Promise)
      return token.then((verified) => withSubject(request, found, verified))
    return withSubject(request, found, token)
  }

  return { name: 'metis-app/auth/pip', before: pipBefore }
}

type TokenResult = Result<VerifiedToken, TokenRejection>

const NOT_CONFIGURED: SubjectOutcome = Object.freeze({
  status: 'not-requested',
  reason: 'not-configured',
})
const NO_TOKEN: SubjectOutcome = Object.freeze({ status: 'not-requested', reason: 'no-token' })
