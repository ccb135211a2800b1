/**
 * Verifying a bearer JWT with `jose`, and saying precisely why a token is refused. Internal to
 * `metis-app/auth`; `pip()` is its public face.
 *
 * A new token's signature is checked by fast-verify.ts with Node's synchronous `crypto.verify`
 * (jose's WebCrypto check waits for the libuv thread pool, most of a new token's cost). jose still
 * parses the header, chooses and imports the key and checks every claim; whatever the fast path
 * does not handle exactly as jose does goes to jose's `jwtVerify`, which then decides alone.
 */
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  type JSONWebKeySet,
  type JWTHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose'
import { err, ok, type Result } from '../result/index.ts'
import { BoundedCache, type KeyDropWatcher, KeySetUnavailable, remoteKeySet } from './cache.ts'
import { createFastVerify, FALLBACK } from './fast-verify.ts'
import { deepFreeze } from './freeze.ts'

/**
 * Why the PIP has no verified token.
 *
 * @example
 * ```ts
 * const worthRetrying = (reason: TokenFailureReason): boolean => reason === 'jwks-unavailable'
 * ```
 */
export type TokenFailureReason =
  /** No token in the request. */
  | 'absent'
  /** Not a single Bearer token, not three base64url segments, unreadable JSON. */
  | 'malformed'
  /** Longer than `maxTokenLength`; refused before any decoding. */
  | 'too-large'
  /** `exp` is past (beyond the clock tolerance). */
  | 'expired'
  /** `nbf` is in the future (beyond the clock tolerance). */
  | 'not-yet-valid'
  /** `iat` is in the future (beyond the clock tolerance). */
  | 'issued-in-future'
  /** The signature does not verify (a tampered token, a wrong key). */
  | 'bad-signature'
  /** `iss` is not the configured issuer. */
  | 'wrong-issuer'
  /** `aud` does not contain the configured audience. */
  | 'wrong-audience'
  /** A required claim (`exp` always) is missing. */
  | 'missing-claim'
  /** A claim has the wrong type or value (`typ`, a non-numeric `exp`). */
  | 'invalid-claim'
  /** No key of the key set matches the token's `kid` (or several match and it names none). */
  | 'unknown-key'
  /** `alg` is not in the allow-list (`none`, `HS256` against a public key set). */
  | 'algorithm-not-allowed'
  /** The JWKS endpoint could not be reached or answered something that is not a key set. */
  | 'jwks-unavailable'

/**
 * The claims of a verified token; `exp` is always there.
 *
 * @example
 * ```ts
 * const tenantOf = (claims: VerifiedClaims): string | undefined =>
 *   typeof claims.tenant === 'string' ? claims.tenant : undefined
 * ```
 */
export interface VerifiedClaims extends JWTPayload {
  readonly exp: number
}

/**
 * A verified token.
 *
 * @example
 * ```ts
 * if (context.auth.token.ok) {
 *   const verified: VerifiedToken = context.auth.token.value
 *   console.log(verified.header.kid, verified.claims.exp, verified.fromCache)
 * }
 * ```
 */
export interface VerifiedToken {
  /** The verified claims. */
  readonly claims: VerifiedClaims
  /** The protected header (`alg`, `kid`, `typ`). */
  readonly header: JWTHeaderParameters
  /** `'signature'`, or `'skipped'` when `unsafeSkipVerification` was on. */
  readonly verification: 'signature' | 'skipped'
  /** True when the token was verified earlier in this container and taken from the cache. */
  readonly fromCache: boolean
}

/**
 * Why a token was refused. Never carries the token itself.
 *
 * @example
 * ```ts
 * if (!context.auth.token.ok) {
 *   const rejection: TokenRejection = context.auth.token.error
 *   console.warn(rejection.reason, rejection.message)
 * }
 * ```
 */
export interface TokenRejection {
  readonly reason: TokenFailureReason
  /** A short, client-safe explanation. */
  readonly message: string
  /** The underlying error for `jwks-unavailable` (for logs), else undefined. */
  readonly cause?: unknown
}

/** Settings of the verifier, already defaulted by `pip()`. */
export interface VerifierSettings {
  readonly issuer: string | readonly string[]
  readonly audience: string | readonly string[]
  readonly algorithms: readonly string[]
  readonly clockToleranceMs: number
  readonly requiredClaims: readonly string[]
  readonly typ: string | undefined
  readonly keys: KeySource
  readonly unsafeSkipVerification: boolean
  readonly cacheSize: number
  readonly cacheTtlMs: number
  readonly now: () => number
}

/** Where verification keys come from. */
export type KeySource =
  | {
      readonly kind: 'remote'
      readonly url: URL
      readonly cooldownMs: number
      readonly timeoutMs: number
      readonly cacheMaxAgeMs: number
      readonly fetch: typeof fetch | undefined
    }
  | { readonly kind: 'local'; readonly jwks: JSONWebKeySet }
  | { readonly kind: 'secret'; readonly secret: Uint8Array }
  /** Only with `unsafeSkipVerification`. */
  | { readonly kind: 'none' }

/** The asymmetric algorithms allowed by default. */
export const DEFAULT_ALGORITHMS: readonly string[] = ['RS256', 'PS256', 'ES256', 'EdDSA']

// The JWS compact serialization (RFC 7515): three base64url segments, the last empty for `none`.
// Checked before jose, whose base64 decoding forgives whitespace (a signature with a newline in it
// verifies) and would make one token verify under many spellings.
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

// The last character of a base64url segment whose length is 2 or 3 modulo 4 carries 4 or 2 unused
// bits; a decoder ignores them, so 16 (or 4) spellings decode to the same bytes. Only the spelling
// with those bits zero is the token that was signed: the others are refused, not verified.
const CANONICAL_LAST: Readonly<Record<number, string>> = { 2: 'AQgw', 3: 'AEIMQUYcgkosw048' }

/** True when every segment of a compact JWS is the one canonical base64url spelling of its bytes. */
const isCanonical = (token: string): boolean => {
  for (const segment of token.split('.')) {
    const rest = segment.length % 4
    if (rest === 0) continue
    const allowed = CANONICAL_LAST[rest]
    if (allowed === undefined || !allowed.includes(segment.charAt(segment.length - 1))) return false
  }
  return true
}

/** A function that verifies a token string: synchronously for a token in the cache. */
export type Verify = (
  token: string,
) => Result<VerifiedToken, TokenRejection> | Promise<Result<VerifiedToken, TokenRejection>>

// jose's remote key set builds a `Headers` when it is created, and the first touch of that global
// makes Node load its fetch implementation (undici, about 25 ms): created on the first
// verification instead of in pip(), which a handler module calls at load.
const lazyRemoteKeySet = (
  keys: Extract<KeySource, { kind: 'remote' }>,
  watcher: KeyDropWatcher,
): JWTVerifyGetKey => {
  let resolver: JWTVerifyGetKey | undefined
  return (header, token) => {
    if (resolver === undefined) {
      const keySet = remoteKeySet(keys.url, keys)
      // The key set holds its watchers weakly; this closure keeps the watcher alive.
      keySet.watch(watcher)
      resolver = keySet.getKey
    }
    return resolver(header, token)
  }
}

const keyResolver = (keys: KeySource, watcher: KeyDropWatcher): JWTVerifyGetKey | Uint8Array => {
  if (keys.kind === 'secret') return keys.secret
  if (keys.kind === 'none') return new Uint8Array()
  return keys.kind === 'local' ? createLocalJWKSet(keys.jwks) : lazyRemoteKeySet(keys, watcher)
}

/**
 * Creates the verifier: length is checked by the caller; here the cache of verified tokens (keyed
 * by the exact token string, `exp` and `nbf` re-checked on every use), then the fast signature
 * check, or jose's `jwtVerify` for what the fast path leaves to it.
 *
 * @param joseVerify jose's `jwtVerify`; tests pass a counting wrapper to see which tokens reach it.
 */
export const createVerifier = (
  settings: VerifierSettings,
  joseVerify: typeof jwtVerify = jwtVerify,
): Verify => {
  const cache = new BoundedCache<VerifiedToken>(settings.cacheSize)
  // Revocation: a JWKS fetch that no longer holds a key evicts the tokens verified with it (and
  // every token without a `kid`, which any key of its algorithm may have verified).
  let drops = 0
  const watcher: KeyDropWatcher = {
    keysDropped: (kids) => {
      drops += 1
      cache.deleteWhere(({ header }) => header.kid === undefined || kids.has(header.kid))
    },
  }
  const key = keyResolver(settings.keys, watcher)
  const fastVerify = createFastVerify(key, settings.algorithms)
  const toleranceMs = settings.clockToleranceMs
  const claimOptions = {
    issuer: settings.issuer as string | string[],
    audience: settings.audience as string | string[],
    clockTolerance: settings.clockToleranceMs / 1000,
    requiredClaims: ['exp', ...settings.requiredClaims],
    ...(settings.typ === undefined ? {} : { typ: settings.typ }),
  }
  const algorithms = [...settings.algorithms]

  const verifySigned = async (token: string, now: number) => {
    const claims = { ...claimOptions, currentDate: new Date(now) }
    const fast = await fastVerify(token, claims)
    if (fast !== FALLBACK) return fast
    return joseVerify(token, key as JWTVerifyGetKey, { ...claims, algorithms })
  }

  const verifyFresh = async (
    token: string,
    now: number,
  ): Promise<Result<VerifiedToken, TokenRejection>> => {
    try {
      const { payload, protectedHeader } = settings.unsafeSkipVerification
        ? decodeUnsafely(token, settings, now)
        : await verifySigned(token, now)
      // Frozen to the last array: the cache hands the same claims (and header) to later requests,
      // so no handler may change them (an activity pushed onto a list would outlive the request).
      const claims = deepFreeze(payload) as VerifiedClaims
      deepFreeze(protectedHeader)
      // A signed "exp": 1e400 parses as Infinity, a token that never expires: not a time.
      for (const name of TIME_CLAIMS) {
        const value = claims[name]
        if (typeof value === 'number' && !Number.isFinite(value)) {
          return err({ reason: 'invalid-claim', message: `The token "${name}" claim is invalid` })
        }
      }
      if (typeof claims.iat === 'number' && claims.iat * 1000 > now + toleranceMs) {
        return err({ reason: 'issued-in-future', message: 'The token is issued in the future' })
      }
      return ok({
        claims,
        header: protectedHeader,
        verification: settings.unsafeSkipVerification ? 'skipped' : 'signature',
        fromCache: false,
      })
    } catch (error) {
      return err(classify(error))
    }
  }

  // A cache hit answers synchronously: no promise, no microtask, on the path most requests take.
  return (token) => {
    const now = settings.now()
    const cached = cache.get(token, now)
    if (cached !== undefined) {
      const timing = checkTime(cached.claims, now, toleranceMs)
      return timing === undefined ? ok(cached) : err(timing)
    }
    if (!JWS_COMPACT.test(token) || !isCanonical(token)) {
      return err({ reason: 'malformed', message: 'The bearer token is not a compact JWS' })
    }
    const dropsBefore = drops
    return verifyFresh(token, now).then((fresh) => {
      // A key that went while this token was being verified may be its key: answered, not kept.
      if (fresh.ok && drops === dropsBefore) {
        // Kept until it expires (the tolerance is re-applied on use), at most cacheTtlMs.
        const until = Math.min(
          fresh.value.claims.exp * 1000 + toleranceMs,
          now + settings.cacheTtlMs,
        )
        cache.set(token, Object.freeze({ ...fresh.value, fromCache: true }), until)
      }
      return fresh
    })
  }
}

const TIME_CLAIMS = ['exp', 'nbf', 'iat'] as const

// The cache holds tokens whose signature verified; time is the only thing that changes.
const checkTime = (
  claims: VerifiedClaims,
  now: number,
  toleranceMs: number,
): TokenRejection | undefined => {
  if (claims.exp * 1000 <= now - toleranceMs)
    return { reason: 'expired', message: 'The token has expired' }
  if (typeof claims.nbf === 'number' && claims.nbf * 1000 > now + toleranceMs) {
    return { reason: 'not-yet-valid', message: 'The token is not valid yet' }
  }
  return undefined
}

// Only with unsafeSkipVerification (never in production): decoded, not verified; claims still checked.
const decodeUnsafely = (
  token: string,
  settings: VerifierSettings,
  now: number,
): { payload: JWTPayload; protectedHeader: JWTHeaderParameters } => {
  const protectedHeader = decodeProtectedHeader(token) as JWTHeaderParameters
  const payload = decodeJwt(token)
  const fail = (reason: TokenFailureReason, message: string): never => {
    throw new Rejected({ reason, message })
  }
  if (typeof payload.exp !== 'number') fail('missing-claim', 'The token has no "exp" claim')
  const timing = checkTime(payload as VerifiedClaims, now, settings.clockToleranceMs)
  if (timing !== undefined) throw new Rejected(timing)
  const issuers = ([] as string[]).concat(settings.issuer as string | string[])
  if (!issuers.includes(payload.iss as string))
    fail('wrong-issuer', 'The token has the wrong issuer')
  const audiences = ([] as string[]).concat(settings.audience as string | string[])
  const tokenAudiences = ([] as unknown[]).concat(payload.aud)
  if (!tokenAudiences.some((aud) => audiences.includes(aud as string))) {
    fail('wrong-audience', 'The token is not meant for this audience')
  }
  return { payload, protectedHeader }
}

class Rejected extends Error {
  readonly rejection: TokenRejection
  constructor(rejection: TokenRejection) {
    super(rejection.message)
    this.rejection = rejection
  }
}

// jose's code for JSON that is not a key set (the fetch itself is checked in cache.ts).
const KEY_SET_CODES = new Set(['ERR_JWKS_INVALID'])

const CLAIM_REASONS: Readonly<Record<string, TokenFailureReason>> = {
  iss: 'wrong-issuer',
  aud: 'wrong-audience',
  nbf: 'not-yet-valid',
}

/** Turns what jose (or the key source) threw into a reason. */
export const classify = (error: unknown): TokenRejection => {
  if (error instanceof Rejected) return error.rejection
  // An unreachable or unusable key set: infrastructure, not the token.
  if (
    error instanceof KeySetUnavailable ||
    KEY_SET_CODES.has((error as { code?: string }).code as string)
  ) {
    return {
      reason: 'jwks-unavailable',
      message: 'The keys to verify the token are unavailable',
      cause: error,
    }
  }
  const { code, claim, reason } = error as { code?: string; claim?: string; reason?: string }
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return { reason: 'expired', message: 'The token has expired' }
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (reason === 'missing')
        return { reason: 'missing-claim', message: `The token has no "${claim}" claim` }
      return claimRejection(claim)
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return { reason: 'bad-signature', message: 'The token signature does not verify' }
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return { reason: 'algorithm-not-allowed', message: 'The token algorithm is not allowed' }
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return { reason: 'unknown-key', message: 'No known key matches the token' }
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return { reason: 'unknown-key', message: 'Several keys match and the token names none' }
    default:
      // ERR_JWS_INVALID, ERR_JWT_INVALID, an unsupported `crit`, decoding errors: not a usable JWS.
      return { reason: 'malformed', message: 'The token is not a well-formed JWT' }
  }
}

const claimRejection = (claim: string | undefined): TokenRejection => {
  const reason = CLAIM_REASONS[claim as string] ?? 'invalid-claim'
  const messages: Record<string, string> = {
    'wrong-issuer': 'The token has the wrong issuer',
    'wrong-audience': 'The token is not meant for this audience',
    'not-yet-valid': 'The token is not valid yet',
  }
  return { reason, message: messages[reason] ?? `The token "${claim}" claim is invalid` }
}
