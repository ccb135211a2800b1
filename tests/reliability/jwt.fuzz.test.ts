/**
 * Mutated valid JWTs never verify through `pip()`: bytes flipped in any segment, segments swapped
 * or repeated, `alg` or `kid` changed, claims changed, the token cut or extended. Each is refused
 * by the PIP and answered 401 by `pdp(tokenRequired())` without running the handler, for tokens
 * of a local key set and real tokens of the test identity provider (remote JWKS).
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PipOptions, pdp, pip, resetAuthCaches, tokenRequired } from '../../src/auth/index.ts'
import {
  AUDIENCE,
  bearerEvent,
  claimsAt,
  ISSUER,
  makeKey,
  runStack,
  sign,
  type TestKey,
} from '../auth/support.ts'
import { type OidcProvider, startOidcProvider } from '../support/oidc.ts'
import { runs, tally } from './support/figures.ts'
import { registerSecret } from './support/hygiene.ts'

interface Issuer {
  readonly token: string
  readonly options: PipOptions
}

let key: TestKey
let other: TestKey
let idp: OidcProvider
let issuers: Issuer[]

beforeAll(async () => {
  key = await makeKey('RS256')
  other = await makeKey('ES256')
  idp = await startOidcProvider({ scopes: ['orders:read'] })
  const local = await sign(key, claimsAt(Math.floor(Date.now() / 1000), { scope: 'orders:read' }))
  const remote = await idp.getToken('orders:read')
  registerSecret(idp.clientSecret, local, remote)
  issuers = [
    {
      token: local,
      options: {
        issuer: ISSUER,
        audience: AUDIENCE,
        jwks: { keys: [key.publicJwk, other.publicJwk] },
      },
    },
    {
      token: remote,
      options: { issuer: idp.issuer, audience: idp.audience, jwksUri: idp.jwksUri },
    },
  ]
})

afterAll(async () => {
  resetAuthCaches()
  await idp.stop()
})

const encode = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64url')
const decode = (segment: string): Buffer => Buffer.from(segment, 'base64url')
const headerOf = (token: string): Record<string, unknown> =>
  JSON.parse(decode(token.split('.')[0] as string).toString()) as Record<string, unknown>

/** A change to a token (its three segments), as fast-check generates it. */
type Mutation = (segments: readonly [string, string, string]) => string

/** Names a mutation in a counterexample. */
const named = (label: string, mutate: Mutation): Mutation =>
  Object.assign(mutate, { [fc.toStringMethod]: () => label })

/** The JSON object of a segment, or undefined when an earlier mutation broke it. */
const jsonOf = (segment: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(decode(segment).toString())
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

const flipByte = fc
  .record({ segment: fc.nat(2), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) })
  .map(
    ({ segment, at, mask }): Mutation =>
      named(`flip byte ${at} of segment ${segment} with ${mask}`, (parts) => {
        const copy = [...parts]
        const bytes = decode(copy[segment] as string)
        if (bytes.length === 0) return `${parts.join('.')}A`
        const i = at % bytes.length
        bytes[i] = (bytes[i] as number) ^ mask
        copy[segment] = encode(bytes)
        return copy.join('.')
      }),
  )

const rearrange = fc
  .tuple(fc.nat(2), fc.nat(2), fc.nat(2))
  .filter(([a, b, c]) => !(a === 0 && b === 1 && c === 2))
  .map(([a, b, c]) =>
    named(`segments ${a}.${b}.${c}`, (parts) => [parts[a], parts[b], parts[c]].join('.')),
  )

const withHeader = (
  label: string,
  change: (header: Record<string, unknown>) => void,
  signature?: string,
): Mutation =>
  named(label, (parts) => {
    const header = jsonOf(parts[0])
    if (header === undefined) return parts.join('.')
    change(header)
    return [encode(JSON.stringify(header)), parts[1], signature ?? parts[2]].join('.')
  })

const changeAlg = fc
  .tuple(
    fc.constantFrom(
      'none',
      'None',
      'HS256',
      'HS512',
      'RS384',
      'RS512',
      'PS256',
      'ES256',
      'EdDSA',
      'rs256',
      '',
    ),
    fc.boolean(),
  )
  .map(([alg, dropSignature]) =>
    withHeader(
      `alg ${JSON.stringify(alg)}${dropSignature ? ' without signature' : ''}`,
      (header) => {
        header.alg = alg
      },
      dropSignature ? '' : undefined,
    ),
  )

const changeKid = fc
  .oneof(fc.constant<unknown>('other'), fc.string(), fc.integer(), fc.constant<unknown>(undefined))
  .map((kid) =>
    withHeader(`kid ${String(kid)}`, (header) => {
      if (kid === undefined) delete header.kid
      else header.kid = kid === 'other' ? other.kid : kid
    }),
  )

const changeClaims = fc
  .record({
    name: fc.constantFrom('sub', 'exp', 'aud', 'iss', 'scope', 'extra'),
    value: fc.jsonValue({ maxDepth: 1 }),
  })
  .map(
    ({ name, value }): Mutation =>
      named(`claim ${name} = ${JSON.stringify(value)}`, (parts) => {
        const claims = jsonOf(parts[1])
        if (claims === undefined) return parts.join('.')
        if (JSON.stringify(claims[name]) === JSON.stringify(value)) claims[name] = [value]
        else claims[name] = value
        return [parts[0], encode(JSON.stringify(claims)), parts[2]].join('.')
      }),
  )

const cutOrExtend = fc
  .record({
    cut: fc.integer({ min: -8, max: 8 }).filter((n) => n !== 0),
    extra: fc.string({ maxLength: 4 }),
  })
  .map(
    ({ cut, extra }): Mutation =>
      named(`cut or extend by ${cut} ${JSON.stringify(extra)}`, (parts) => {
        const token = parts.join('.')
        return cut < 0 ? token.slice(0, cut) : `${token}${'A'.repeat(cut)}${extra}`
      }),
  )

const mutation = fc.oneof(flipByte, rearrange, changeAlg, changeKid, changeClaims, cutOrExtend)

/** The same token in another spelling: the decoded bytes of every segment are unchanged. */
const sameBytes = (a: string, b: string): boolean => {
  const x = a.split('.')
  const y = b.split('.')
  return (
    x.length === 3 && y.length === 3 && x.every((s, i) => decode(s).equals(decode(y[i] as string)))
  )
}

describe('mutated valid JWTs through pip()', () => {
  it('accepts the unmutated tokens (the baseline every mutation spoils)', async () => {
    for (const { token, options } of issuers) {
      const run = await runStack([pip(options), pdp(tokenRequired())], bearerEvent(token))
      expect(run.handlerRan).toBe(true)
      expect(headerOf(token).alg).toBe('RS256')
    }
  })

  it('never verifies a token with flipped bytes, swapped segments, another alg or kid, changed claims, or cut', async () => {
    const numRuns = runs(300)
    const seen = new Set<string>()
    await fc.assert(
      fc.asyncProperty(
        fc.nat(issuers.length - 1),
        fc.array(mutation, { minLength: 1, maxLength: 2 }),
        async (which, mutations) => {
          const { token, options } = issuers[which] as Issuer
          let mutated = token
          for (const mutate of mutations) {
            mutated = mutate(mutated.split('.').concat('', '', '').slice(0, 3) as never)
          }
          // a non-canonical spelling of the same bytes is another question (see RELIABILITY.md)
          fc.pre(mutated !== token && !sameBytes(mutated, token))
          seen.add(mutated)
          const run = await runStack([pip(options), pdp(tokenRequired())], bearerEvent(mutated))
          expect(run.handlerRan).toBe(false)
          expect(run.response.statusCode).toBe(401)
          expect(run.response.body ?? '').not.toContain(mutated)
        },
      ),
      { numRuns },
    )
    tally('fuzz', 'mutated valid JWTs (distinct tokens tried)', seen.size)
  })
})
