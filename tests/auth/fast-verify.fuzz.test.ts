/**
 * The fast signature path decides exactly as jose does. For keys of RS256, PS256, ES256, ES384,
 * EdDSA and HS256, random claims (issuer and audience right or wrong, `exp`, `nbf` and `iat` past,
 * future, missing or not numbers, `typ`) and random mutations (a flipped or cut signature, another
 * token's payload, a changed `alg`, `alg: none`, an unknown or missing `kid`, `crit` and `b64`
 * headers, a 1024-bit RSA key, a key published for encryption, an impostor under a known `kid`),
 * the PIP's verifier and plain jose `jwtVerify` + `classify` reach the same verdict: the same
 * claims and header, or the same reason.
 */

import fc from 'fast-check'
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import type { VerifierSettings } from '../../src/auth/verify.ts'
import {
  assemble,
  b64url,
  type CountedVerifier,
  countedVerifier,
  joseVerdict,
  type Keys,
  makeKeys,
  NOW_SEC,
  type RawKey,
  segment,
  settingsFor,
} from './raw-jws.ts'
import { AUDIENCE, ISSUER } from './support.ts'

/** One way of verifying: the PIP's verifier and jose's key input, with the same settings. */
interface Side {
  readonly settings: VerifierSettings
  readonly pip: CountedVerifier
  readonly jose: JWTVerifyGetKey | Uint8Array
}

let keys: Keys
// [plain, strict (typ "at+jwt" and "sub" required)] for the key set, and for the secret.
let keySet: [Side, Side]
let secret: [Side, Side]

const side = (settings: VerifierSettings, jose: JWTVerifyGetKey | Uint8Array): Side => ({
  settings,
  pip: countedVerifier(settings),
  jose,
})

const STRICT = { typ: 'at+jwt', requiredClaims: ['sub'] } as const

beforeAll(async () => {
  keys = await makeKeys()
  const local = { kind: 'local', jwks: keys.jwks } as const
  const shared = { kind: 'secret', secret: keys.secret } as const
  const symmetric = { algorithms: ['HS256', 'HS384'] }
  keySet = [
    side(settingsFor(local), createLocalJWKSet(keys.jwks)),
    side(settingsFor(local, STRICT), createLocalJWKSet(keys.jwks)),
  ]
  secret = [
    side(settingsFor(shared, symmetric), keys.secret),
    side(settingsFor(shared, { ...symmetric, ...STRICT }), keys.secret),
  ]
})

// Claims around the fixed clock; the tolerance is 5 s, so +-2 s is inside it and +-300 s outside.
// Each claim is mostly right, so that many tokens pass and the rest fail for one reason or two.
const likely = <T>(right: T, ...wrong: T[]) =>
  fc.oneof({ weight: 6, arbitrary: fc.constant(right) }, fc.constantFrom(...wrong))
const claims = fc.record({
  iss: likely<unknown>(ISSUER, 'https://id.elsewhere.test', undefined),
  aud: likely<unknown>(AUDIENCE, [AUDIENCE, 'x'], 'https://other.test', ['x'], 7, undefined),
  sub: likely<unknown>('user-1', undefined),
  exp: likely<unknown>(NOW_SEC + 300, NOW_SEC - 2, NOW_SEC - 300, 'tomorrow', null, undefined),
  nbf: likely<unknown>(undefined, NOW_SEC - 10, NOW_SEC + 2, NOW_SEC + 300, 'x'),
  iat: likely<unknown>(NOW_SEC, undefined, NOW_SEC + 2, NOW_SEC + 300, 'x'),
  scope: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
})

const typ = likely<unknown>('at+jwt', undefined, 'AT+JWT', 'application/at+jwt', 'JWT', 5, null)

/** What is done to the token: before signing (header, key) or after (segments). */
const mutation = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'none' as const }) },
  fc.record({
    kind: fc.constant('flip-signature' as const),
    at: fc.nat(),
    mask: fc.integer({ min: 1, max: 255 }),
  }),
  fc.constant({ kind: 'cut-signature' as const }),
  fc.constant({ kind: 'swap-payload' as const }),
  fc.record({
    kind: fc.constant('alg' as const),
    alg: fc.constantFrom<unknown>(
      'RS256',
      'PS256',
      'ES256',
      'ES384',
      'EdDSA',
      'HS256',
      'RS384',
      'none',
      '',
      5,
    ),
  }),
  fc.constant({ kind: 'alg-none' as const }),
  fc.record({
    kind: fc.constant('kid' as const),
    kid: fc.constantFrom<unknown>('unknown', undefined, 7),
  }),
  fc.record({
    kind: fc.constant('header' as const),
    extra: fc.constantFrom<Record<string, unknown>>(
      { crit: ['exp'], exp: NOW_SEC + 300 },
      { crit: ['b64'], b64: true },
      { crit: ['b64'], b64: false },
      { b64: false },
      { crit: [] },
    ),
  }),
  fc.record({
    kind: fc.constant('signer' as const),
    key: fc.constantFrom('weak', 'enc', 'stranger'),
  }),
)

const KEY_NAMES = ['rs256', 'ps256', 'es256', 'es384', 'ed', 'hs256'] as const

const scenario = fc.record({
  key: fc.constantFrom(...KEY_NAMES),
  strict: fc.boolean(),
  claims,
  other: claims,
  typ,
  mutation,
})

type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never

/** The token of a scenario. */
const tokenOf = ({
  key: name,
  claims: payload,
  other,
  typ: type,
  mutation: m,
}: Scenario): string => {
  const key: RawKey = m.kind === 'signer' ? keys[m.key] : keys[name]
  const header: Record<string, unknown> = { alg: key.alg, kid: key.kid }
  if (type !== undefined) header.typ = type
  if (m.kind === 'kid') {
    if (m.kid === undefined) delete header.kid
    else header.kid = m.kid
  }
  if (m.kind === 'header') Object.assign(header, m.extra)
  const token = assemble(header, payload, key.sign)
  const [head, body, signature] = token.split('.') as [string, string, string]
  switch (m.kind) {
    case 'flip-signature': {
      const bytes = Buffer.from(signature, 'base64url')
      const at = m.at % bytes.length
      bytes[at] = (bytes[at] as number) ^ m.mask
      return `${head}.${body}.${b64url(bytes)}`
    }
    case 'cut-signature':
      return `${head}.${body}.${b64url(Buffer.from(signature, 'base64url').subarray(1))}`
    case 'swap-payload':
      return `${head}.${segment(other)}.${signature}`
    case 'alg':
      return `${segment({ ...header, alg: m.alg })}.${body}.${signature}`
    case 'alg-none':
      return `${segment({ ...header, alg: 'none' })}.${body}.`
    default:
      return token
  }
}

describe('the fast signature path against jose', () => {
  it('reaches the same verdict as jwtVerify + classify for every key, claim set and mutation', async () => {
    let fast = 0
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const token = tokenOf(s)
        const { settings, pip, jose } = (s.key === 'hs256' ? secret : keySet)[s.strict ? 1 : 0]
        const before = pip.joseCalls()
        const ours = await pip.verdict(token)
        if (pip.joseCalls() === before) fast += 1
        expect(ours).toEqual(await joseVerdict(token, settings, jose))
      }),
      { numRuns: 1000 },
    )
    // The fast path decided most scenarios; jose the rest (crit, b64, several keys, weak keys).
    const fallbacks = [...keySet, ...secret].reduce((sum, { pip }) => sum + pip.joseCalls(), 0)
    expect(fast).toBeGreaterThan(400)
    expect(fallbacks).toBeGreaterThan(0)
  })
})
