import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { BoundedCache } from '../../src/auth/cache.ts'
import { type AuthInfo, type PipOptions, pip, resetAuthCaches } from '../../src/auth/index.ts'
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
