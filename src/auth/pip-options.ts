/**
 * The options of {@link pip}: their defaults, and the checks that run once, when the PIP is
 * created (the required issuer and audience, exactly one key source, the algorithm allow-list,
 * the durations and sizes, `unsafeSkipVerification` refused where it matters). A configuration
 * that passes them is a {@link PipConfig}; one that does not is a `TypeError` at creation.
 */

import type { JSONWebKeySet } from 'jose'
import { choiceOption, numberOption, urlOption } from '../internal/options.ts'
import type { UserinfoEndpoint, UserinfoFunction } from './userinfo.ts'
import { DEFAULT_ALGORITHMS, type KeySource } from './verify.ts'

/**
 * Options of {@link pip}. Exactly one of `jwksUri`, `jwks` and `secret` gives the keys.
 *
 * @example
 * ```ts
 * const options: PipOptions = {
 *   issuer: 'https://id.example.com', audience: 'orders',
 *   jwksUri: 'https://id.example.com/jwks', clockToleranceMs: 10_000,
 * }
 * ```
 */
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

/** The options of a PIP with the defaults filled in. */
export type PipConfig = PipOptions & typeof defaults

/** The options merged over the defaults (an explicit `undefined` keeps the default), checked. */
export const resolveOptions = (options: PipOptions): PipConfig => {
  const config = { ...defaults, ...withoutUndefined(options) }
  checkNumbers(config)
  return config
}

const withoutUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T

/**
 * The keys the options name (exactly one of `jwksUri`, `jwks` and `secret`), after the checks
 * that refuse a configuration at creation: issuer, audience, `unsafeSkipVerification`.
 */
export const keySource = (config: PipConfig): KeySource => {
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
const checkNumbers = (config: PipConfig): void => {
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

/** The `alg` allow-list: symmetric with `secret` only, asymmetric with a key set, never `none`. */
export const algorithmsFor = (config: PipOptions, keys: KeySource): readonly string[] => {
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
