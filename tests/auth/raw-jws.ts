/**
 * Test support for the fast signature path: tokens put together byte by byte (any header, any
 * claims, any signature) and signed with Node's crypto from keys jose generated; and the two
 * verdicts compared, the PIP's verifier and plain jose (`jwtVerify`, then `classify`).
 */
import { constants, createHmac, KeyObject, sign as nodeSign, randomBytes } from 'node:crypto'
import { type CryptoKey, exportJWK, type JWK, type JWTVerifyGetKey, jwtVerify } from 'jose'
import {
  classify,
  createVerifier,
  type KeySource,
  type TokenFailureReason,
  type VerifierSettings,
} from '../../src/auth/verify.ts'
import { AUDIENCE, ISSUER, makeKey, type TestKey } from './support.ts'

/** A fixed clock for every verdict: 2027-01-15T08:00:00Z. */
export const NOW_SEC = 1_800_000_000

/** Encodes bytes or a string as base64url. */
export const b64url = (input: Uint8Array | string): string =>
  Buffer.from(input).toString('base64url')

/** Encodes a JSON value as a base64url segment. */
export const segment = (value: unknown): string => b64url(JSON.stringify(value))

/** Signs a signing input (`header.payload`) the way the JWS `alg` says. */
export type Signer = (signingInput: Buffer) => Buffer

const bits = (alg: string): number => Number(alg.slice(-3))

/** The signer of `alg` with a private CryptoKey (jose's) or an HMAC secret. */
export const signerFor = (alg: string, key: CryptoKey | Uint8Array): Signer => {
  if (key instanceof Uint8Array) {
    return (input) =>
      createHmac(`sha${bits(alg)}`, key)
        .update(input)
        .digest()
  }
  const keyObject = KeyObject.from(key)
  if (alg === 'EdDSA' || alg === 'Ed25519') return (input) => nodeSign(null, input, keyObject)
  const digest = `sha${bits(alg)}`
  if (alg.startsWith('PS')) {
    return (input) =>
      nodeSign(digest, input, {
        key: keyObject,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: bits(alg) / 8,
      })
  }
  if (alg.startsWith('ES')) {
    return (input) => nodeSign(digest, input, { key: keyObject, dsaEncoding: 'ieee-p1363' })
  }
  return (input) => nodeSign(digest, input, keyObject)
}

/** A compact JWS of `header` and `claims` (any JSON), signed by `signer`. */
export const assemble = (header: unknown, claims: unknown, signer: Signer): string => {
  const signingInput = `${segment(header)}.${segment(claims)}`
  return `${signingInput}.${b64url(signer(Buffer.from(signingInput)))}`
}

/** `token` with one byte of its signature changed. */
export const flipSignature = (token: string): string => {
  const [head, body, signature] = token.split('.') as [string, string, string]
  const bytes = Buffer.from(signature, 'base64url')
  bytes[0] = (bytes[0] as number) ^ 1
  return `${head}.${body}.${b64url(bytes)}`
}

/** A key of the tests: its `alg`, `kid`, signer, and the JWK a key set publishes (if any). */
export interface RawKey {
  readonly alg: string
  readonly kid: string
  readonly sign: Signer
  readonly jwk?: JWK
  /** The private key, to sign some other way. */
  readonly privateKey?: CryptoKey
}

const fromTestKey = (key: TestKey, jwk: JWK = key.publicJwk): RawKey => ({
  alg: key.alg,
  kid: key.kid,
  sign: signerFor(key.alg, key.privateKey),
  jwk,
  privateKey: key.privateKey,
})

/** The keys of the differential tests, made once per file. */
export interface Keys {
  readonly rs256: RawKey
  readonly ps256: RawKey
  readonly es256: RawKey
  readonly es384: RawKey
  readonly ed: RawKey
  readonly hs256: RawKey
  /** RSA of 1024 bits, published for RS256: jose refuses keys under 2048 bits. */
  readonly weak: RawKey
  /** Published with `use: "enc"`: never a verification key. */
  readonly enc: RawKey
  /** Not published; signs under `rs256`'s `kid` (an impostor). */
  readonly stranger: RawKey
  /** The shared secret of `hs256`. */
  readonly secret: Uint8Array
  /** Every published JWK. */
  readonly jwks: { keys: JWK[] }
}

/** Generates the keys (jose and WebCrypto generate; Node signs). */
export const makeKeys = async (): Promise<Keys> => {
  const [rs, ps, es256, es384, ed, enc, stranger] = await Promise.all([
    makeKey('RS256', 'rs256'),
    makeKey('PS256', 'ps256'),
    makeKey('ES256', 'es256'),
    makeKey('ES384', 'es384'),
    makeKey('EdDSA', 'ed'),
    makeKey('RS256', 'enc'),
    makeKey('RS256', 'rs256'),
  ])
  // jose will not generate an RSA key under 2048 bits; WebCrypto will.
  const weakPair = (await crypto.subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 1024,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    true,
    ['sign', 'verify'],
  )) as { privateKey: CryptoKey; publicKey: CryptoKey }
  const weakJwk = {
    ...(await exportJWK(weakPair.publicKey)),
    kid: 'weak',
    alg: 'RS256',
    use: 'sig',
  }
  const secret = new Uint8Array(randomBytes(32))
  const keys = {
    rs256: fromTestKey(rs),
    ps256: fromTestKey(ps),
    es256: fromTestKey(es256),
    es384: fromTestKey(es384),
    ed: fromTestKey(ed),
    hs256: { alg: 'HS256', kid: 'hs256', sign: signerFor('HS256', secret) },
    weak: {
      alg: 'RS256',
      kid: 'weak',
      sign: signerFor('RS256', weakPair.privateKey),
      jwk: weakJwk,
    },
    enc: fromTestKey(enc, { ...enc.publicJwk, use: 'enc' }),
    stranger: { ...fromTestKey(stranger), jwk: undefined },
    secret,
  }
  const jwks = {
    keys: Object.values(keys).flatMap((key) =>
      typeof key === 'object' && 'jwk' in key && key.jwk !== undefined ? [key.jwk] : [],
    ),
  }
  return { ...keys, jwks }
}

/** Verifier settings as `pip()` would default them, at the fixed clock, without a token cache. */
export const settingsFor = (
  keys: KeySource,
  extra: Partial<VerifierSettings> = {},
): VerifierSettings => ({
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'],
  clockToleranceMs: 5_000,
  requiredClaims: [],
  typ: undefined,
  keys,
  unsafeSkipVerification: false,
  cacheSize: 0,
  cacheTtlMs: 60_000,
  now: () => NOW_SEC * 1000,
  ...extra,
})

/** What a verification decided: the claims and header of an accepted token, or the reason. */
export type Verdict =
  | { readonly claims: unknown; readonly header: unknown }
  | { readonly reason: TokenFailureReason }

/** A verifier whose calls into jose's `jwtVerify` are counted. */
export interface CountedVerifier {
  verdict(token: string): Promise<Verdict>
  /** How many verifications jose's `jwtVerify` made (the fallback). */
  joseCalls(): number
}

/** The PIP's verifier for `settings`, counting the tokens it hands to jose's `jwtVerify`. */
export const countedVerifier = (settings: VerifierSettings): CountedVerifier => {
  let calls = 0
  const verify = createVerifier(settings, ((...args: Parameters<typeof jwtVerify>) => {
    calls += 1
    return jwtVerify(...args)
  }) as typeof jwtVerify)
  return {
    async verdict(token) {
      const result = await verify(token)
      return result.ok
        ? { claims: result.value.claims, header: result.value.header }
        : { reason: result.error.reason }
    },
    joseCalls: () => calls,
  }
}

/**
 * jose's verdict on `token` with the same settings: `jwtVerify` as the PIP called it before the
 * fast path, `classify` for a refusal, and the PIP's own `iat` rule for an accepted token.
 */
export const joseVerdict = async (
  token: string,
  settings: VerifierSettings,
  key: JWTVerifyGetKey | Uint8Array,
): Promise<Verdict> => {
  const now = settings.now()
  try {
    const { payload, protectedHeader } = await jwtVerify(token, key as JWTVerifyGetKey, {
      issuer: settings.issuer as string,
      audience: settings.audience as string,
      algorithms: [...settings.algorithms],
      clockTolerance: settings.clockToleranceMs / 1000,
      requiredClaims: ['exp', ...settings.requiredClaims],
      ...(settings.typ === undefined ? {} : { typ: settings.typ }),
      currentDate: new Date(now),
    })
    if (typeof payload.iat === 'number' && payload.iat * 1000 > now + settings.clockToleranceMs) {
      return { reason: 'issued-in-future' }
    }
    return { claims: payload, header: protectedHeader }
  } catch (error) {
    return { reason: classify(error).reason }
  }
}
