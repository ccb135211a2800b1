/**
 * The signature check of a new token with Node's synchronous `crypto.verify`. Internal to
 * `metis-app/auth`; `verify.ts` calls it before jose's `jwtVerify`.
 *
 * Why: jose checks a signature through WebCrypto (`crypto.subtle.verify`), a job for the libuv
 * thread pool: 40 to 95 us for an RS256 token here, as soon or as late as a pool thread runs it
 * (and behind any file or DNS work queued there). Node's synchronous `crypto.verify` with a cached
 * `KeyObject` does the same arithmetic in about 20 us on the calling thread.
 *
 * What moved out of jose: only the signature arithmetic (and decoding the signature segment).
 * What still belongs to jose: parsing the protected header (`decodeProtectedHeader`), choosing and
 * importing the key for the header's `alg` (the same key set function jose's `jwtVerify` calls,
 * refetch on an unknown `kid` included), and every claim check (`UnsecuredJWT.decode` runs jose's
 * claim validation on the original payload). The checks jose makes of the imported key before it
 * verifies (algorithm, hash, curve, RSA modulus of 2048 bits, `verify` usage) are repeated here;
 * a rejection is thrown as the same jose error `jwtVerify` throws.
 *
 * Whatever this module does not handle exactly as jose does answers `FALLBACK`, and the caller asks
 * jose's `jwtVerify`: a `crit` or `b64` header member, an `alg` that is not a non-empty string or
 * not in the table below, several keys matching the header, a key jose would refuse, an empty secret,
 * a non-extractable key, a Node without `process.getBuiltinModule` (before 22.3).
 *
 * On every jose upgrade (it is pinned exactly in package.json for this reason): re-read its
 * `lib/jwt_claims_set.js` (the claim checks must read nothing of the header but `typ`, which the
 * unsecured JWT carries) and `lib/key.js` (the key checks repeated here), and run
 * `tests/auth/fast-verify.fuzz.test.ts`, which holds this path to jose's verdict.
 */
import type { KeyObject } from 'node:crypto'
import {
  type CryptoKey,
  decodeProtectedHeader,
  errors,
  type JWTClaimVerificationOptions,
  type JWTHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
  UnsecuredJWT,
} from 'jose'

/** Answered when jose's `jwtVerify` must decide the token. */
export const FALLBACK: unique symbol = Symbol('fall back to jose')

/** A token whose signature verified and whose claims jose validated. */
export interface Verified {
  readonly payload: JWTPayload
  /** The token's own protected header. */
  readonly protectedHeader: JWTHeaderParameters
}

/** Verifies `token` (already a canonical compact JWS), or answers `FALLBACK`. Throws jose errors. */
export type FastVerify = (
  token: string,
  claims: JWTClaimVerificationOptions,
) => Promise<Verified | typeof FALLBACK>

type NodeCrypto = typeof import('node:crypto')

// What jose's key checks expect of the imported CryptoKey for an `alg` (lib/key.js
// `checkCryptoKey`, `checkModulusLength`), and how Node verifies that `alg`.
interface Algorithm {
  /** Node's digest name; null for EdDSA. */
  readonly digest: string | null
  /** HMAC: the key is the configured secret, not a CryptoKey. */
  readonly hmac?: true
  readonly name?: string
  readonly hash?: string
  readonly namedCurve?: string
  readonly minRsaBits?: number
  /** RSA-PSS: the salt length WebCrypto checks, the digest's length. */
  readonly saltLength?: number
  /** ECDSA: the signature is r and s side by side (IEEE P1363), not DER. */
  readonly p1363?: true
}

const hmac = (bits: number): Algorithm => ({ digest: `sha${bits}`, hmac: true })
const rsa = (bits: number, pss: boolean): Algorithm => ({
  digest: `sha${bits}`,
  name: pss ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5',
  hash: `SHA-${bits}`,
  minRsaBits: 2048,
  ...(pss ? { saltLength: bits / 8 } : {}),
})
const ecdsa = (namedCurve: string, bits: number): Algorithm => ({
  digest: `sha${bits}`,
  name: 'ECDSA',
  namedCurve,
  p1363: true,
})
const eddsa: Algorithm = { digest: null, name: 'Ed25519' }

// A Map, not an object: an `alg` such as "constructor" must find nothing.
const ALGORITHMS: ReadonlyMap<string, Algorithm> = new Map([
  ['HS256', hmac(256)],
  ['HS384', hmac(384)],
  ['HS512', hmac(512)],
  ['RS256', rsa(256, false)],
  ['RS384', rsa(384, false)],
  ['RS512', rsa(512, false)],
  ['PS256', rsa(256, true)],
  ['PS384', rsa(384, true)],
  ['PS512', rsa(512, true)],
  ['ES256', ecdsa('P-256', 256)],
  ['ES384', ecdsa('P-384', 384)],
  ['ES512', ecdsa('P-521', 512)],
  ['EdDSA', eddsa],
  ['Ed25519', eddsa],
])

// Loaded on the first new token, not at import: an invocation without a token never needs it.
// `process.getBuiltinModule` arrived in Node 22.3; on an older 22, jose verifies every token.
let nodeCrypto: NodeCrypto | undefined
const loadCrypto = (): NodeCrypto | undefined => {
  nodeCrypto ??= process.getBuiltinModule?.('node:crypto')
  return nodeCrypto
}

// `{"alg":"none"}`: the header of the unsecured JWT that carries the payload to jose's claim checks.
const NONE_HEADER = 'eyJhbGciOiJub25lIn0'

/**
 * jose's claim checks read one header member, `typ`, and only when a `typ` is required; the
 * unsecured JWT carries the token's own `typ` then, whatever its JSON value.
 */
const unsecuredHeader = (header: JWTHeaderParameters, claims: JWTClaimVerificationOptions) => {
  if (claims.typ === undefined || header.typ === undefined) return NONE_HEADER
  return Buffer.from(JSON.stringify({ alg: 'none', typ: header.typ })).toString('base64url')
}

/** The same checks jose makes of a resolved key before it verifies with it; false: let jose decide. */
const usable = (key: CryptoKey, algorithm: Algorithm): boolean => {
  // A non-extractable key cannot become a KeyObject much longer (DEP0204): jose judges it.
  if (key.type !== 'public' || !key.extractable || !key.usages.includes('verify')) return false
  const given = key.algorithm as {
    name: string
    hash?: { name: string }
    namedCurve?: string
    modulusLength?: number
  }
  return (
    given.name === algorithm.name &&
    given.hash?.name === algorithm.hash &&
    given.namedCurve === algorithm.namedCurve &&
    (given.modulusLength ?? 0) >= (algorithm.minRsaBits ?? 0)
  )
}

/**
 * A KeyObject of its own for `key` and `algorithm`, carrying the PSS padding and salt length or
 * the ECDSA signature encoding. `crypto.verify` reads these from whatever object it is given as
 * the key; given a plain `{ key, padding }` object, Node 24 first asks whether it is a KeyObject
 * or a CryptoKey by catching two thrown errors, about 10 us of the 20 us an RS256 check costs.
 * Were they ever ignored, the check would fail: PKCS#1 v1.5 and DER are the defaults.
 */
const verifyingKey = (crypto: NodeCrypto, key: CryptoKey, algorithm: Algorithm): KeyObject => {
  const keyObject = crypto.KeyObject.from(key)
  if (algorithm.saltLength !== undefined) {
    Object.assign(keyObject, {
      padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
      saltLength: algorithm.saltLength,
    })
  }
  if (algorithm.p1363) Object.assign(keyObject, { dsaEncoding: 'ieee-p1363' })
  return keyObject
}

/**
 * Creates the fast verifier for one key source: the configured secret, or jose's key set function
 * (`createLocalJWKSet`, or the remote set of cache.ts).
 */
export const createFastVerify = (
  key: JWTVerifyGetKey | Uint8Array,
  algorithms: readonly string[],
): FastVerify => {
  const allowed = new Set(algorithms)
  // jose caches the CryptoKey it imports per JWK and alg, so a key's identity is stable; a
  // CryptoKey never changes, and reading its algorithm and usages costs more than a lookup.
  const keyObjects = new WeakMap<CryptoKey, { algorithm: Algorithm; keyObject?: KeyObject }>()

  /**
   * The KeyObject of a key jose would verify `algorithm` with; undefined (let jose decide) for a
   * key jose would refuse, and for FALLBACK or anything else that is not a CryptoKey.
   */
  const keyObjectOf = (
    crypto: NodeCrypto,
    resolved: unknown,
    algorithm: Algorithm,
  ): KeyObject | undefined => {
    if (!(resolved instanceof CryptoKey)) return undefined
    const known = keyObjects.get(resolved)
    if (known?.algorithm === algorithm) return known.keyObject
    const keyObject = usable(resolved, algorithm)
      ? verifyingKey(crypto, resolved, algorithm)
      : undefined
    keyObjects.set(resolved, { algorithm, ...(keyObject === undefined ? {} : { keyObject }) })
    return keyObject
  }

  // jose's key set throws when several keys match a header without a usable `kid`: jose decides.
  const resolve = async (
    getKey: JWTVerifyGetKey,
    header: JWTHeaderParameters,
    [encoded, payload, signature]: readonly string[],
  ): Promise<unknown> => {
    try {
      return await getKey(header, {
        protected: encoded as string,
        payload: payload as string,
        signature: signature as string,
      })
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') return FALLBACK
      throw error
    }
  }

  /** True or false for a signature checked here; FALLBACK for a key jose must judge. */
  const check = async (
    header: JWTHeaderParameters,
    algorithm: Algorithm,
    segments: readonly string[],
    signed: Buffer,
    signature: Buffer,
  ): Promise<boolean | typeof FALLBACK> => {
    const crypto = loadCrypto()
    if (crypto === undefined) return FALLBACK
    if (key instanceof Uint8Array) {
      // WebCrypto refuses a zero-length HMAC key; jose reports that, not a signature mismatch.
      if (algorithm.hmac !== true || key.length === 0) return FALLBACK
      const mac = crypto
        .createHmac(algorithm.digest as string, key)
        .update(signed)
        .digest()
      return mac.length === signature.length && crypto.timingSafeEqual(mac, signature)
    }
    const keyObject = keyObjectOf(crypto, await resolve(key, header, segments), algorithm)
    if (keyObject === undefined) return FALLBACK
    // A signature of the wrong length or out of range is false, not a throw (Node 22 and 24); a
    // throw would reach classify() and refuse the token all the same.
    return crypto.verify(algorithm.digest, signed, keyObject, signature)
  }

  return async (token, claims) => {
    // Throws jose's own TypeError for a header that is not a JSON object.
    const header = decodeProtectedHeader(token) as JWTHeaderParameters
    const { alg } = header
    if (Object.hasOwn(header, 'crit') || Object.hasOwn(header, 'b64')) return FALLBACK
    if (typeof alg !== 'string' || alg === '') return FALLBACK
    if (!allowed.has(alg)) {
      throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed')
    }
    const algorithm = ALGORITHMS.get(alg)
    if (algorithm === undefined) return FALLBACK
    const segments = token.split('.')
    const [, payload, signature] = segments as [string, string, string]
    // The token passed the compact-JWS pattern: ASCII only, canonical base64url.
    const signed = Buffer.from(token.slice(0, token.length - signature.length - 1), 'latin1')
    const verified = await check(
      header,
      algorithm,
      segments,
      signed,
      Buffer.from(signature, 'base64url'),
    )
    if (verified === FALLBACK) return FALLBACK
    if (!verified) throw new errors.JWSSignatureVerificationFailed()
    const unsecured = `${unsecuredHeader(header, claims)}.${payload}.`
    return { payload: UnsecuredJWT.decode(unsecured, claims).payload, protectedHeader: header }
  }
}
