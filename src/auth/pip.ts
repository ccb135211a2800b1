/**
 * The policy information point: a Middy middleware that finds and verifies the bearer token, looks
 * the subject up, and records the outcome on `context.auth` without deciding anything.
 */

import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import type { JSONWebKeySet } from 'jose'
import { choiceOption, numberOption, urlOption } from '../internal/options.ts'
import { requestOf } from '../request/accessor.ts'
import { err, type Result } from '../result/index.ts'
import { type FoundBearer, findBearer, NO_HEADERS, requestView, type TokenSource } from './token.ts'
import {
  createUserinfo,
  type SubjectOutcome,
  type UserinfoEndpoint,
  type UserinfoFunction,
} from './userinfo.ts'
import {
  createVerifier,
  DEFAULT_ALGORITHMS,
  type KeySource,
  type TokenFailureReason,
  type TokenRejection,
  type VerifiedClaims,
  type VerifiedToken,
} from './verify.ts'

/** Options of {@link pip}. Exactly one of `jwksUri`, `jwks` and `secret` gives the keys. */
export interface PipOptions {
  /** The expected `iss` (one or several). Required. */
  issuer: string | readonly string[]
  /** The expected `aud`: the token must name at least one. Required. */
  audience: string | readonly string[]
  /** The JWKS endpoint of the issuer (fetched with jose's `createRemoteJWKSet`, cached per container). */
  jwksUri?: string | URL
  /** A local JSON Web Key Set (public keys), instead of `jwksUri`. */
  jwks?: JSONWebKeySet
  /** A symmetric secret (HS256/384/512); only this option enables symmetric algorithms. */
  secret?: string | Uint8Array
  /** Allowed `alg` values; default `RS256, PS256, ES256, EdDSA` (`HS256` with `secret`). */
  algorithms?: readonly string[]
  /** Clock skew accepted on `exp`, `nbf` and `iat`, in ms (default 5,000). */
  clockToleranceMs?: number
  /** The longest token accepted, in characters, checked before decoding (default 8192). */
  maxTokenLength?: number
  /** Claims that must be present besides `exp` (always required), `iss` and `aud`. */
  requiredClaims?: readonly string[]
  /** The expected `typ` header (`'at+jwt'` for RFC 9068 access tokens); unchecked by default. */
  typ?: string
  /** A header (any case) that carries the bare token when `Authorization` is absent. */
  header?: string
  /** A cookie that carries the bare token when no header does. */
  cookie?: string
  /** Minimum time between two JWKS fetches for an unknown `kid`, ms (default 30000). */
  jwksCooldownMs?: number
  /** JWKS fetch timeout, ms (default 5000). */
  jwksTimeoutMs?: number
  /** Age after which the key set is fetched again, ms (default 600000). */
  jwksCacheMaxAgeMs?: number
  /** A `fetch` for the JWKS (a circuit breaker, a proxy); makes the key set this PIP's own. */
  jwksFetch?: typeof fetch
  /**
   * How the PDP answers when the JWKS is unavailable: 401 `invalid_token` (default) or 503 (an
   * infrastructure failure the client may retry, and that alarms on 5xx see). Never "accept".
   */
  onJwksUnavailable?: 401 | 503
  /** Verified tokens kept per container (default 1000; 0 disables the cache). */
  tokenCacheSize?: number
  /**
   * Longest time a verified token is kept, ms (default 300000); never past its `exp`.
   *
   * Revocation: a JWKS fetch that no longer holds a key (removed, or replaced under its `kid`)
   * evicts at once the tokens verified with it, in every `pip()` of the container that shares the
   * key set (and every cached token without a `kid`, which is verified again). A token served
   * from the cache causes no fetch: the key set is fetched again when a new token names an
   * unknown `kid` (at most once per `jwksCooldownMs`) or arrives after `jwksCacheMaxAgeMs`. So a
   * token verified with a key the issuer removed stays accepted until that next fetch, and never
   * longer than this TTL. A local `jwks` or a `secret` never changes: nothing is evicted.
   */
  tokenCacheTtlMs?: number
  /** The subject lookup: a userinfo endpoint (URL or options), or a function. */
  userinfo?: string | URL | UserinfoEndpoint | UserinfoFunction
  /** Longest time a userinfo answer is kept, ms (default 300000); never past the token's `exp`. */
  userinfoTtlMs?: number
  /** The claim holding the activities (string array or space-separated), default `activities`. */
  activitiesClaim?: string
  /** Where activities come from: `'userinfo'` (default when `userinfo` is set) or `'token'`. */
  activitiesFrom?: 'token' | 'userinfo'
  /** The realm of the `WWW-Authenticate` challenge. */
  realm?: string
  /** The clock, epoch ms (default `Date.now`). */
  now?: () => number
  /**
   * Decodes tokens WITHOUT verifying their signature (claims are still checked): any token is
   * accepted, an unsigned `alg: none` one included. For local development only: refused at
   * creation (a `TypeError`) when `NODE_ENV` is `production` or the code runs on Lambda
   * (`AWS_LAMBDA_FUNCTION_NAME` or `AWS_EXECUTION_ENV` set); anywhere else `pip()` warns once, on
   * creation, with `console.warn`.
   */
  unsafeSkipVerification?: boolean
}

/** The PIP outcome, on `context.auth`. Its methods never throw. */
export interface AuthInfo {
  /** The verified token, or why there is none. */
  readonly token: Result<VerifiedToken, TokenRejection>
  /** True when the token verified. */
  readonly valid: boolean
  /** The verified claims, when valid. */
  readonly claims: VerifiedClaims | undefined
  /** Why the token was refused, when not valid. */
  readonly reason: TokenFailureReason | undefined
  /** Where the token was found, when one was. */
  readonly source: TokenSource | undefined
  /** The subject from userinfo, or why not. */
  readonly subject: SubjectOutcome
  /** How the PDP answers `jwks-unavailable` (from the PIP options). */
  readonly onJwksUnavailable: 401 | 503
  /** The `WWW-Authenticate` realm, when configured. */
  readonly realm: string | undefined
  /** The granted activities (from the token or the userinfo answer); empty when unknown. */
  activities(): readonly string[]
  /** The granted scopes (`scope` space-separated, or `scp`); empty without a valid token. */
  scopes(): readonly string[]
  /** True when the valid token grants `scope`. */
  hasScope(scope: string): boolean
  /** The raw bearer token (to forward it); kept out of enumerable fields so it is not logged. */
  bearer(): string | undefined
}

/**
 * The key under which {@link pip} puts its outcome on the Lambda context.
 *
 * @example
 * ```ts
 * const auth = (context as unknown as Record<string, AuthInfo>)[AUTH_KEY]
 * ```
 */
export const AUTH_KEY = 'auth'

/** What {@link pip} adds to the Lambda context. */
export interface AuthContext {
  /** The PIP outcome. */
  auth: AuthInfo
}

const defaults = {
  clockToleranceMs: 5_000,
  maxTokenLength: 8192,
  jwksCooldownMs: 30_000,
  jwksTimeoutMs: 5_000,
  jwksCacheMaxAgeMs: 600_000,
  onJwksUnavailable: 401 as 401 | 503,
  tokenCacheSize: 1000,
  tokenCacheTtlMs: 300_000,
  userinfoTtlMs: 300_000,
  activitiesClaim: 'activities',
}

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
  const config = { ...defaults, ...withoutUndefined(options) }
  checkNumbers(config)
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

const withoutUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T

const keySource = (config: PipOptions & typeof defaults): KeySource => {
  if (isBlank(config.issuer)) throw new TypeError('pip(): "issuer" is required')
  if (isBlank(config.audience)) throw new TypeError('pip(): "audience" is required')
  if (config.unsafeSkipVerification === true) refuseUnsafeWhereItMatters()
  const given = [config.jwksUri, config.jwks, config.secret].filter((v) => v !== undefined).length
  if (given !== 1 && config.unsafeSkipVerification !== true) {
    throw new TypeError('pip(): give exactly one of "jwksUri", "jwks" and "secret"')
  }
  if (config.secret !== undefined) {
    const secret =
      typeof config.secret === 'string' ? new TextEncoder().encode(config.secret) : config.secret
    // WebCrypto refuses an empty HMAC key: every token would be refused as malformed.
    if (secret.byteLength === 0) throw new TypeError('pip(): "secret" is empty')
    return { kind: 'secret', secret }
  }
  if (config.jwks !== undefined) return { kind: 'local', jwks: config.jwks }
  if (config.jwksUri === undefined) return { kind: 'none' }
  return {
    kind: 'remote',
    url: new URL(urlOption('pip()', 'jwksUri', config.jwksUri)),
    cooldownMs: config.jwksCooldownMs,
    timeoutMs: config.jwksTimeoutMs,
    cacheMaxAgeMs: config.jwksCacheMaxAgeMs,
    fetch: config.jwksFetch,
  }
}

// Set by the Lambda runtime in every function (NODE_ENV is not): either means "deployed".
const LAMBDA_VARIABLES = ['AWS_LAMBDA_FUNCTION_NAME', 'AWS_EXECUTION_ENV'] as const

/**
 * `unsafeSkipVerification` accepts any token, an unsigned `alg: none` one included: refused in
 * production and on Lambda, and said once (one line, at creation) anywhere else.
 */
const refuseUnsafeWhereItMatters = (): void => {
  if (process.env.NODE_ENV === 'production') {
    throw new TypeError('pip(): "unsafeSkipVerification" is refused when NODE_ENV is production')
  }
  for (const name of LAMBDA_VARIABLES) {
    if ((process.env[name] ?? '') !== '') {
      throw new TypeError(`pip(): "unsafeSkipVerification" is refused on Lambda (${name} is set)`)
    }
  }
  console.warn(
    'metis-app/auth pip(): "unsafeSkipVerification" is on: token signatures are NOT checked (local development only)',
  )
}

/** The durations (ms) and sizes, checked when the PIP is created. */
const checkNumbers = (config: PipOptions & typeof defaults): void => {
  for (const name of [
    'clockToleranceMs',
    'jwksCooldownMs',
    'jwksTimeoutMs',
    'jwksCacheMaxAgeMs',
    'tokenCacheTtlMs',
    'userinfoTtlMs',
  ] as const) {
    numberOption('pip()', name, config[name], 0)
  }
  numberOption('pip()', 'maxTokenLength', config.maxTokenLength, 0, { min: 1, integer: true })
  numberOption('pip()', 'tokenCacheSize', config.tokenCacheSize, 0, { integer: true })
  choiceOption(
    'pip()',
    'onJwksUnavailable',
    String(config.onJwksUnavailable),
    ['401', '503'],
    '401',
  )
}

const isBlank = (value: string | readonly string[] | undefined): boolean =>
  value === undefined || value.length === 0 || (Array.isArray(value) && value.some((v) => v === ''))

const algorithmsFor = (config: PipOptions, keys: KeySource): readonly string[] => {
  const symmetric = keys.kind === 'secret'
  const algorithms = config.algorithms ?? (symmetric ? ['HS256'] : DEFAULT_ALGORITHMS)
  for (const alg of algorithms) {
    if (alg.toLowerCase() === 'none')
      throw new TypeError('pip(): "none" is never an allowed algorithm')
    if (alg.startsWith('HS') !== symmetric) {
      throw new TypeError(
        symmetric
          ? `pip(): "${alg}" is not a symmetric algorithm; "secret" verifies HS256/384/512 only`
          : `pip(): "${alg}" needs a "secret"; key sets verify asymmetric algorithms only`,
      )
    }
  }
  return algorithms
}

interface AuthParts {
  token: Result<VerifiedToken, TokenRejection>
  subject: SubjectOutcome
  source: TokenSource | undefined
  bearer: string | undefined
  activitiesClaim: string
  activitiesFrom: 'token' | 'userinfo'
  onJwksUnavailable: 401 | 503
  realm: string | undefined
}

const authInfo = (parts: AuthParts): AuthInfo => {
  const { token, subject, bearer } = parts
  const claims = token.ok ? token.value.claims : undefined
  let activities: readonly string[] | undefined
  let scopes: readonly string[] | undefined
  const info: AuthInfo = {
    token,
    valid: token.ok,
    claims,
    reason: token.ok ? undefined : token.error.reason,
    source: parts.source,
    subject,
    onJwksUnavailable: parts.onJwksUnavailable,
    realm: parts.realm,
    activities: () => {
      activities ??= readActivities(parts, claims, subject)
      return activities
    },
    scopes: () => {
      scopes ??=
        claims === undefined ? [] : [...stringList(claims.scope), ...stringList(claims.scp)]
      return scopes
    },
    hasScope: (scope) => info.scopes().includes(scope),
    bearer: () => bearer,
  }
  return info
}

const readActivities = (
  parts: AuthParts,
  claims: VerifiedClaims | undefined,
  subject: SubjectOutcome,
): readonly string[] => {
  if (claims === undefined) return []
  if (parts.activitiesFrom === 'token') return stringList(claims[parts.activitiesClaim])
  return subject.status === 'available' ? stringList(subject.subject[parts.activitiesClaim]) : []
}

/** A claim that is a string array or a space-separated string, as a list; anything else is empty. */
const stringList = (value: unknown): readonly string[] => {
  if (typeof value === 'string') return value.split(' ').filter((s) => s !== '')
  if (Array.isArray(value))
    return value.filter((s): s is string => typeof s === 'string' && s !== '')
  return []
}
