import { type JWK, jwtVerify } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { BoundedCache } from '../../src/auth/cache.ts'
import { type AuthInfo, type PipOptions, pip, resetAuthCaches } from '../../src/auth/index.ts'
import { createVerifier } from '../../src/auth/verify.ts'
import {
  AUDIENCE,
  bearerEvent,
  claimsAt,
  ISSUER,
  type JwksServer,
  makeKey,
  runStack,
  sign,
  startJwksServer,
  type TestKey,
} from './support.ts'

const START = Date.UTC(2026, 0, 15, 12, 0, 0)
let key: TestKey
let jwks: JwksServer
let now = START

beforeAll(async () => {
  key = await makeKey('ES256')
  jwks = await startJwksServer([key.publicJwk])
})
afterAll(() => jwks.stop())
afterEach(() => {
  resetAuthCaches()
  jwks.setMode('ok')
  now = START
})

const middleware = (extra: Partial<PipOptions> = {}) =>
  pip({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url, now: () => now, ...extra })

const inspect = async (pipMiddleware: ReturnType<typeof pip>, token: string): Promise<AuthInfo> =>
  (await runStack([pipMiddleware], bearerEvent(token))).context.auth as AuthInfo

const fromCache = (auth: AuthInfo) => auth.token.ok && auth.token.value.fromCache

describe('the per-container cache of verified tokens', () => {
  it('verifies a repeated token once and answers it from the cache afterwards', async () => {
    const pipMiddleware = middleware()
    const token = await sign(key, claimsAt(START / 1000))
    expect(fromCache(await inspect(pipMiddleware, token))).toBe(false)
    const again = await inspect(pipMiddleware, token)
    expect(again.valid).toBe(true)
    expect(fromCache(again)).toBe(true)
  })

  it('re-checks exp on every use with the injected clock', async () => {
    const pipMiddleware = middleware()
    const token = await sign(key, claimsAt(START / 1000, { exp: START / 1000 + 60 }))
    expect((await inspect(pipMiddleware, token)).valid).toBe(true)
    now = START + 64_000 // within the 5 s tolerance
    expect((await inspect(pipMiddleware, token)).valid).toBe(true)
    now = START + 66_000
    expect((await inspect(pipMiddleware, token)).reason).toBe('expired')
  })

  it('re-checks nbf on every use (a clock that went back)', async () => {
    const pipMiddleware = middleware()
    const token = await sign(key, claimsAt(START / 1000, { nbf: START / 1000 }))
    expect((await inspect(pipMiddleware, token)).valid).toBe(true)
    now = START - 60_000
    expect((await inspect(pipMiddleware, token)).reason).toBe('not-yet-valid')
  })

  it('never caches a failure: a token refused for an unavailable JWKS verifies once the JWKS is back', async () => {
    const pipMiddleware = middleware()
    const token = await sign(key, claimsAt(START / 1000))
    jwks.setMode('error')
    expect((await inspect(pipMiddleware, token)).reason).toBe('jwks-unavailable')
    jwks.setMode('ok')
    const back = await inspect(pipMiddleware, token)
    expect(back.valid).toBe(true)
    expect(fromCache(back)).toBe(false)
  })

  it('never caches a failure: a token not valid yet becomes valid when its time comes', async () => {
    const pipMiddleware = middleware()
    const token = await sign(key, claimsAt(START / 1000, { nbf: START / 1000 + 60 }))
    expect((await inspect(pipMiddleware, token)).reason).toBe('not-yet-valid')
    now = START + 60_000
    expect((await inspect(pipMiddleware, token)).valid).toBe(true)
  })

  it('keeps at most tokenCacheSize tokens, the least recently used leaving first', async () => {
    const pipMiddleware = middleware({ tokenCacheSize: 2 })
    const tokens = await Promise.all(
      ['a', 'b', 'c'].map((sub) => sign(key, claimsAt(START / 1000, { sub }))),
    )
    for (const token of tokens) await inspect(pipMiddleware, token)
    expect(fromCache(await inspect(pipMiddleware, tokens[2] as string))).toBe(true)
    expect(fromCache(await inspect(pipMiddleware, tokens[0] as string))).toBe(false)
  })

  it('keeps a token at most tokenCacheTtlMs, and not at all with a size of 0', async () => {
    const token = await sign(key, claimsAt(START / 1000))
    const short = middleware({ tokenCacheTtlMs: 1000 })
    await inspect(short, token)
    now = START + 2000
    expect(fromCache(await inspect(short, token))).toBe(false)
    const none = middleware({ tokenCacheSize: 0 })
    await inspect(none, token)
    expect(fromCache(await inspect(none, token))).toBe(false)
  })

  it('forgets every verified token on resetAuthCaches()', async () => {
    const pipMiddleware = middleware()
    const token = await sign(key, claimsAt(START / 1000))
    await inspect(pipMiddleware, token)
    resetAuthCaches()
    expect(fromCache(await inspect(pipMiddleware, token))).toBe(false)
  })
})

describe('revocation: a key a JWKS refresh drops', () => {
  let rotating: JwksServer | undefined
  afterEach(async () => {
    vi.useRealTimers()
    await rotating?.stop()
    rotating = undefined
  })

  // No cooldown: a token with an unknown kid makes jose fetch the key set again at once.
  const rotatingPip = (server: JwksServer, extra: Partial<PipOptions> = {}) =>
    pip({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: server.url,
      jwksCooldownMs: 0,
      now: () => now,
      ...extra,
    })

  it('evicts the cached tokens verified with a dropped kid, in every pip() of the key set, and keeps the others', async () => {
    const [dropped, kept, added] = await Promise.all([
      makeKey('ES256'),
      makeKey(),
      makeKey('ES256'),
    ])
    rotating = await startJwksServer([dropped.publicJwk, kept.publicJwk])
    const first = rotatingPip(rotating)
    const second = rotatingPip(rotating)
    const claims = claimsAt(START / 1000)
    const [revoked, still, fresh] = await Promise.all([
      sign(dropped, claims),
      sign(kept, claims),
      sign(added, claims),
    ])
    for (const middleware of [first, second]) {
      expect((await inspect(middleware, revoked)).valid).toBe(true)
      expect((await inspect(middleware, still)).valid).toBe(true)
      expect(fromCache(await inspect(middleware, revoked))).toBe(true)
    }

    rotating.setKeys([kept.publicJwk, added.publicJwk])
    // Until a refresh, the cache answers: the bound tokenCacheTtlMs documents.
    expect(fromCache(await inspect(first, revoked))).toBe(true)
    const requests = rotating.requests()
    expect((await inspect(first, fresh)).valid).toBe(true)
    expect(rotating.requests()).toBe(requests + 1)

    for (const middleware of [first, second]) {
      expect((await inspect(middleware, revoked)).reason).toBe('unknown-key')
      expect(fromCache(await inspect(middleware, still))).toBe(true)
    }
  })

  it('evicts the tokens of a key replaced under the same kid, and re-verifies the tokens without a kid', async () => {
    const [replaced, other] = await Promise.all([makeKey('ES256'), makeKey('EdDSA')])
    const impostor = await makeKey('ES256', replaced.kid)
    rotating = await startJwksServer([replaced.publicJwk, other.publicJwk])
    // jose times the key set's age with Date: faked, so that it can grow old without a wait
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now())
    const middleware = rotatingPip(rotating, { jwksCacheMaxAgeMs: 60_000 })
    const claims = claimsAt(START / 1000)
    const [old, bare] = await Promise.all([
      sign(replaced, claims),
      sign(other, claims, { kid: undefined }),
    ])
    for (const token of [old, bare, old, bare])
      expect((await inspect(middleware, token)).valid).toBe(true)
    expect(fromCache(await inspect(middleware, bare))).toBe(true)

    rotating.setKeys([impostor.publicJwk, other.publicJwk])
    // a known kid makes no refresh: the key set is fetched again once it is older than its max age
    const signedByNew = await sign(impostor, claims)
    expect((await inspect(middleware, signedByNew)).reason).toBe('bad-signature')
    vi.advanceTimersByTime(61_000)
    expect((await inspect(middleware, signedByNew)).valid).toBe(true)

    expect((await inspect(middleware, old)).reason).toBe('bad-signature')
    const again = await inspect(middleware, bare)
    expect(again.valid).toBe(true)
    expect(fromCache(again)).toBe(false)
  })

  it('compares with the last key set fetched, through answers that are no key set, and drops a key without a kid', async () => {
    const [named, bare, stranger] = await Promise.all([
      makeKey('ES256'),
      makeKey('EdDSA'),
      makeKey('ES256'),
    ])
    const { kid: _none, ...bareJwk } = bare.publicJwk
    rotating = await startJwksServer([named.publicJwk, bareJwk])
    const middleware = rotatingPip(rotating)
    const claims = claimsAt(START / 1000)
    const [byName, byBare, unknown] = await Promise.all([
      sign(named, claims),
      sign(bare, claims, { kid: undefined }),
      sign(stranger, claims),
    ])
    for (const token of [byName, byBare])
      expect((await inspect(middleware, token)).valid).toBe(true)

    rotating.setMode('not-a-key-set')
    expect((await inspect(middleware, unknown)).reason).toBe('jwks-unavailable')
    rotating.setMode('ok')
    rotating.setKeys([named.publicJwk, 42 as unknown as JWK])
    expect((await inspect(middleware, unknown)).reason).toBe('jwks-unavailable')
    expect(fromCache(await inspect(middleware, byBare))).toBe(true)

    rotating.setKeys([named.publicJwk])
    const requests = rotating.requests()
    expect((await inspect(middleware, unknown)).reason).toBe('unknown-key')
    expect(rotating.requests()).toBe(requests + 1)
    expect((await inspect(middleware, byBare)).reason).toBe('unknown-key')
    expect(fromCache(await inspect(middleware, byName))).toBe(true)
  })

  it('does not cache a token whose verification was under way when its kid was dropped', async () => {
    const [slow, added] = await Promise.all([makeKey(), makeKey()])
    rotating = await startJwksServer([slow.publicJwk])
    let entered: () => void = () => undefined
    const inJose = new Promise<void>((resolve) => {
      entered = resolve
    })
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const verify = createVerifier(
      {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['RS256'],
        clockToleranceMs: 5_000,
        requiredClaims: [],
        typ: undefined,
        keys: {
          kind: 'remote',
          url: new URL(rotating.url),
          cooldownMs: 0,
          timeoutMs: 5000,
          cacheMaxAgeMs: 600_000,
          fetch: undefined,
        },
        unsafeSkipVerification: false,
        cacheSize: 10,
        cacheTtlMs: 300_000,
        now: () => now,
      },
      (async (...args: Parameters<typeof jwtVerify>) => {
        const verified = await jwtVerify(...args)
        entered()
        await gate
        return verified
      }) as typeof jwtVerify,
    )
    const claims = claimsAt(START / 1000)
    // A `crit: ["b64"]` header (valid, b64 true) is left to jose's jwtVerify by the fast path:
    // that verification is held open here across the refresh.
    const token = await sign(slow, claims, { b64: true, crit: ['b64'] })
    const underWay = verify(token)
    await inJose
    rotating.setKeys([added.publicJwk])
    expect((await verify(await sign(added, claims))).ok).toBe(true)
    release()
    // verified before the key went, so answered once, but not kept
    expect((await underWay).ok).toBe(true)
    const after = await verify(token)
    expect(after.ok).toBe(false)
    expect(!after.ok && after.error.reason).toBe('unknown-key')
  })
})

describe('BoundedCache', () => {
  it('stores until the expiry and counts its entries', () => {
    const cache = new BoundedCache<number>(3)
    cache.set('a', 1, 100)
    cache.set('a', 2, 100)
    expect(cache.size).toBe(1)
    expect(cache.get('a', 99)).toBe(2)
    expect(cache.get('a', 100)).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('answers only to the exact key, even when two long keys share their tail', () => {
    const cache = new BoundedCache<string>(3)
    const tail = 'x'.repeat(60)
    cache.set(`first.${tail}`, 'first', 100)
    expect(cache.get(`other.${tail}`, 0)).toBeUndefined()
    expect(cache.get(`first.${tail}`, 0)).toBe('first')
    cache.set(`other.${tail}`, 'other', 100)
    expect(cache.get(`first.${tail}`, 0)).toBeUndefined()
    expect(cache.get(`other.${tail}`, 0)).toBe('other')
  })
})
