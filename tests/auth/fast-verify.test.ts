/**
 * The fast signature path of the PIP's verifier: which tokens it verifies itself (counted through
 * the verifier's `joseVerify` seam: a token decided here never reaches jose's `jwtVerify`), which
 * it hands to jose, and that every verdict is jose's own.
 */
import { constants, KeyObject, pbkdf2, sign } from 'node:crypto'
import {
  type CryptoKey,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { resetAuthCaches } from '../../src/auth/cache.ts'
import { createFastVerify, FALLBACK } from '../../src/auth/fast-verify.ts'
import { createVerifier } from '../../src/auth/verify.ts'
import {
  assemble,
  countedVerifier,
  flipSignature,
  joseVerdict,
  type Keys,
  makeKeys,
  NOW_SEC,
  type RawKey,
  settingsFor,
  signerFor,
} from './raw-jws.ts'
import { AUDIENCE, ISSUER, type JwksServer, startJwksServer } from './support.ts'

const CLAIMS = { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: NOW_SEC, exp: NOW_SEC + 300 }

let keys: Keys

beforeAll(async () => {
  keys = await makeKeys()
})

afterAll(() => resetAuthCaches())

/** A token of `key` with the standard claims; `header` adds to or overrides `alg` and `kid`. */
const tokenOf = (key: RawKey, header: Record<string, unknown> = {}) =>
  assemble({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header }, CLAIMS, key.sign)

/** A key of every algorithm of the fast path, each published under its own `kid`. */
const everyAlgorithm = async (): Promise<{ keys: RawKey[]; jwks: { keys: JWK[] } }> => {
  const rsa = await generateKeyPair('RS256', { extractable: true })
  const pairs = await Promise.all(
    ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'].map(async (alg) => ({
      alg,
      pair: await generateKeyPair(alg, { extractable: true }),
    })),
  )
  // One RSA key pair published once per RSA algorithm: jose imports it per `alg`.
  const all = [
    ...['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'].map((alg) => ({ alg, pair: rsa })),
    ...pairs,
  ]
  const published = await Promise.all(
    all.map(async ({ alg, pair }) => ({
      key: { alg, kid: `k-${alg}`, sign: signerFor(alg, pair.privateKey) },
      jwk: { ...(await exportJWK(pair.publicKey)), alg, kid: `k-${alg}`, use: 'sig' },
    })),
  )
  return { keys: published.map(({ key }) => key), jwks: { keys: published.map(({ jwk }) => jwk) } }
}

describe('tokens the fast path verifies without jose', () => {
  it('accepts a valid token of every RS, PS, ES and EdDSA algorithm without calling jwtVerify', async () => {
    const { keys: all, jwks } = await everyAlgorithm()
    const settings = settingsFor(
      { kind: 'local', jwks },
      { algorithms: all.map(({ alg }) => alg), typ: 'at+jwt' },
    )
    const pip = countedVerifier(settings)
    for (const key of all) {
      const token = tokenOf(key)
      const verdict = await pip.verdict(token)
      expect(verdict).toEqual({
        claims: CLAIMS,
        header: { alg: key.alg, kid: key.kid, typ: 'at+jwt' },
      })
      expect(verdict).toEqual(await joseVerdict(token, settings, createLocalJWKSet(jwks)))
    }
    expect(pip.joseCalls()).toBe(0)
  })

  it('accepts a valid HS256, HS384 and HS512 token of the secret without calling jwtVerify', async () => {
    const pip = countedVerifier(
      settingsFor(
        { kind: 'secret', secret: keys.secret },
        { algorithms: ['HS256', 'HS384', 'HS512'] },
      ),
    )
    for (const alg of ['HS256', 'HS384', 'HS512']) {
      const key = { alg, kid: 'hs', sign: signerFor(alg, keys.secret) }
      expect(await pip.verdict(tokenOf(key))).toMatchObject({ claims: CLAIMS })
    }
    expect(pip.joseCalls()).toBe(0)
  })

  it('refuses a flipped signature, an impostor, a wrong secret, a disallowed alg and an unknown kid as jose does, without jose', async () => {
    const local = settingsFor({ kind: 'local', jwks: keys.jwks })
    const secret = settingsFor({ kind: 'secret', secret: keys.secret }, { algorithms: ['HS256'] })
    const otherSecret = { ...keys.hs256, sign: signerFor('HS256', new Uint8Array(32).fill(7)) }
    const cases = [
      { settings: local, token: flipSignature(tokenOf(keys.es256)), reason: 'bad-signature' },
      { settings: local, token: flipSignature(tokenOf(keys.ed)), reason: 'bad-signature' },
      { settings: local, token: tokenOf(keys.stranger), reason: 'bad-signature' },
      {
        settings: local,
        token: tokenOf(keys.rs256, { alg: 'RS384' }),
        reason: 'algorithm-not-allowed',
      },
      { settings: local, token: tokenOf(keys.rs256, { kid: 'nobody' }), reason: 'unknown-key' },
      { settings: local, token: tokenOf(keys.enc), reason: 'unknown-key' },
      { settings: secret, token: tokenOf(otherSecret), reason: 'bad-signature' },
      { settings: secret, token: flipSignature(tokenOf(keys.hs256)), reason: 'bad-signature' },
    ] as const
    for (const { settings, token, reason } of cases) {
      const pip = countedVerifier(settings)
      const jose = settings.keys.kind === 'local' ? createLocalJWKSet(keys.jwks) : keys.secret
      expect(await pip.verdict(token)).toEqual({ reason })
      expect(await joseVerdict(token, settings, jose)).toEqual({ reason })
      expect(pip.joseCalls()).toBe(0)
    }
  })

  it('refuses a PS256 signature with a 20-byte salt and an ES256 signature in DER, as WebCrypto does', async () => {
    const settings = settingsFor({ kind: 'local', jwks: keys.jwks })
    const ps = KeyObject.from(keys.ps256.privateKey as CryptoKey)
    const shortSalt = assemble({ alg: 'PS256', kid: keys.ps256.kid }, CLAIMS, (input) =>
      sign('sha256', input, { key: ps, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 }),
    )
    const es = KeyObject.from(keys.es256.privateKey as CryptoKey)
    const der = assemble({ alg: 'ES256', kid: keys.es256.kid }, CLAIMS, (input) =>
      sign('sha256', input, es),
    )
    const pip = countedVerifier(settings)
    for (const token of [shortSalt, der]) {
      expect(await pip.verdict(token)).toEqual({ reason: 'bad-signature' })
      expect(await joseVerdict(token, settings, createLocalJWKSet(keys.jwks))).toEqual({
        reason: 'bad-signature',
      })
    }
    expect(pip.joseCalls()).toBe(0)
  })

  it('verifies the token of a rotated remote key on the fast path after one refetch', async () => {
    const server: JwksServer = await startJwksServer([keys.rs256.jwk as JWK])
    try {
      const settings = settingsFor({
        kind: 'remote',
        url: new URL(server.url),
        cooldownMs: 0,
        timeoutMs: 2000,
        cacheMaxAgeMs: 600_000,
        fetch: undefined,
      })
      const pip = countedVerifier(settings)
      expect(await pip.verdict(tokenOf(keys.rs256))).toMatchObject({ claims: CLAIMS })
      server.setKeys([keys.rs256.jwk as JWK, keys.es256.jwk as JWK])
      expect(await pip.verdict(tokenOf(keys.es256))).toMatchObject({ claims: CLAIMS })
      expect(server.requests()).toBe(2)
      expect(pip.joseCalls()).toBe(0)
    } finally {
      await server.stop()
    }
  })

  // WebCrypto's verify is a job on the libuv thread pool; Node's crypto.verify runs on the
  // calling thread. With every pool thread busy, a verification that needs the pool waits.
  it('settles a warm verification while every libuv pool thread is busy, where jwtVerify waits', async () => {
    const settings = settingsFor({ kind: 'local', jwks: keys.jwks })
    const pip = countedVerifier(settings)
    const jwks = createLocalJWKSet(keys.jwks)
    // Warm: the key imported, node:crypto loaded, jose's own key cache filled.
    await pip.verdict(tokenOf(keys.rs256))
    await joseVerdict(tokenOf(keys.rs256), settings, jwks)
    const order: string[] = []
    const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4)
    const busy = Array.from(
      { length: threads },
      () =>
        new Promise<void>((resolve) => {
          pbkdf2('busy', 'pool', 200_000, 32, 'sha256', () => {
            order.push('pool job')
            resolve()
          })
        }),
    )
    const ours = pip.verdict(tokenOf(keys.rs256)).then((verdict) => {
      order.push('fast path')
      return verdict
    })
    const jose = joseVerdict(tokenOf(keys.rs256), settings, jwks).then((verdict) => {
      order.push('jwtVerify')
      return verdict
    })
    await Promise.all([ours, jose, ...busy])
    expect(await ours).toMatchObject({ claims: CLAIMS })
    expect(await jose).toMatchObject({ claims: CLAIMS })
    expect(order[0]).toBe('fast path')
    expect(order.indexOf('jwtVerify')).toBeGreaterThan(order.indexOf('pool job'))
  })
})

describe('tokens the fast path hands to jose', () => {
  const viaJose = async (
    settings: ReturnType<typeof settingsFor>,
    jose: JWTVerifyGetKey | Uint8Array,
    token: string,
  ) => {
    const pip = countedVerifier(settings)
    const verdict = await pip.verdict(token)
    expect(pip.joseCalls()).toBe(1)
    expect(verdict).toEqual(await joseVerdict(token, settings, jose))
    return verdict
  }

  it('hands a token with crit to jose, which accepts crit b64 true and refuses an unknown extension', async () => {
    const settings = settingsFor({ kind: 'local', jwks: keys.jwks })
    const jwks = createLocalJWKSet(keys.jwks)
    const b64 = tokenOf(keys.rs256, { crit: ['b64'], b64: true })
    expect(await viaJose(settings, jwks, b64)).toMatchObject({ claims: CLAIMS })
    const unknown = tokenOf(keys.rs256, { crit: ['exp'], exp: NOW_SEC })
    expect(await viaJose(settings, jwks, unknown)).toEqual({ reason: 'malformed' })
  })

  it('hands a token without kid that several keys match to jose, which refuses it as an unknown key', async () => {
    // rs256 and the 1024-bit key are both published for RS256.
    const settings = settingsFor({ kind: 'local', jwks: keys.jwks })
    const token = tokenOf(keys.rs256, { kid: undefined })
    expect(await viaJose(settings, createLocalJWKSet(keys.jwks), token)).toEqual({
      reason: 'unknown-key',
    })
  })

  it('hands jose a key under 2048 bits, a non-string alg, an alg it does not know, and an empty secret', async () => {
    const local = settingsFor(
      { kind: 'local', jwks: keys.jwks },
      { algorithms: ['RS256', 'ES256K'] },
    )
    const jwks = createLocalJWKSet(keys.jwks)
    expect(await viaJose(local, jwks, tokenOf(keys.weak))).toEqual({ reason: 'malformed' })
    expect(await viaJose(local, jwks, tokenOf(keys.rs256, { alg: 7 }))).toEqual({
      reason: 'malformed',
    })
    expect(await viaJose(local, jwks, tokenOf(keys.rs256, { alg: 'ES256K' }))).toEqual({
      reason: 'malformed',
    })
    const empty = new Uint8Array()
    const secret = settingsFor({ kind: 'secret', secret: empty }, { algorithms: ['HS256'] })
    const token = tokenOf({ alg: 'HS256', kid: 'hs', sign: signerFor('HS256', keys.secret) })
    expect(await viaJose(secret, empty, token)).toEqual({ reason: 'malformed' })
  })

  it('hands jose an RS256 token checked against a secret (a setting pip() refuses)', async () => {
    const settings = settingsFor({ kind: 'secret', secret: keys.secret }, { algorithms: ['RS256'] })
    expect(await viaJose(settings, keys.secret, tokenOf(keys.rs256))).toEqual({
      reason: 'malformed',
    })
  })
})

describe('createFastVerify with a key function of its own', () => {
  const claims = { issuer: ISSUER, audience: AUDIENCE, currentDate: new Date(NOW_SEC * 1000) }

  it('answers FALLBACK for a key jose would refuse for the alg: a JWK, a private key, no verify usage, another hash', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
    const jwk = await exportJWK(publicKey)
    const noUsage = await crypto.subtle.importKey(
      'jwk',
      jwk,
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      true,
      [],
    )
    const key = { alg: 'RS256', kid: 'k', sign: signerFor('RS256', privateKey) }
    for (const given of [jwk, privateKey, noUsage]) {
      const fast = createFastVerify((async () => given) as unknown as JWTVerifyGetKey, ['RS256'])
      expect(await fast(tokenOf(key), claims)).toBe(FALLBACK)
    }
    // The same CryptoKey (SHA-256) first for RS256, then for RS384: the second is jose's to judge.
    const fast = createFastVerify((async () => publicKey) as JWTVerifyGetKey, ['RS256', 'RS384'])
    expect(await fast(tokenOf(key), claims)).toMatchObject({ payload: CLAIMS })
    const rs384 = { alg: 'RS384', kid: 'k', sign: signerFor('RS384', privateKey) }
    expect(await fast(tokenOf(rs384), claims)).toBe(FALLBACK)
  })

  it("throws jose's own errors, so that classify reads them as it reads jwtVerify's", async () => {
    const fast = createFastVerify(createLocalJWKSet(keys.jwks), ['RS256'])
    await expect(fast(tokenOf(keys.ps256), claims)).rejects.toMatchObject({
      code: 'ERR_JOSE_ALG_NOT_ALLOWED',
    })
    await expect(fast(flipSignature(tokenOf(keys.rs256)), claims)).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    })
    await expect(fast(tokenOf(keys.rs256), { ...claims, issuer: 'x' })).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'iss',
    })
  })
})

describe('what the review of the fast path asked for', () => {
  /** A token whose payload is the given JSON text, exactly as written. */
  const rawToken = (key: RawKey, payloadJson: string) => {
    const signingInput = `${Buffer.from(JSON.stringify({ alg: key.alg, kid: key.kid })).toString('base64url')}.${Buffer.from(payloadJson).toString('base64url')}`
    return `${signingInput}.${key.sign(Buffer.from(signingInput)).toString('base64url')}`
  }

  it('refuses a time claim that parses as Infinity (a signed "exp": 1e400 never expires)', async () => {
    const pip = countedVerifier(settingsFor({ kind: 'local', jwks: keys.jwks }))
    const withInfinite = (name: string) =>
      rawToken(
        keys.rs256,
        JSON.stringify({ iss: ISSUER, aud: AUDIENCE, exp: NOW_SEC + 300 }).replace(
          /}$/,
          `,"${name}":1e400}`,
        ),
      )
    expect(await pip.verdict(withInfinite('exp'))).toEqual({ reason: 'invalid-claim' })
    // jose refuses these two itself; whatever the reason, never a pass.
    expect(await pip.verdict(withInfinite('nbf'))).toHaveProperty('reason')
    expect(await pip.verdict(withInfinite('iat'))).toEqual({ reason: 'invalid-claim' })
  })

  it('freezes every level of the claims and the header it hands out and caches', async () => {
    const verify = createVerifier(
      settingsFor({ kind: 'local', jwks: keys.jwks }, { cacheSize: 10 }),
    )
    const token = assemble(
      { alg: 'RS256', kid: keys.rs256.kid },
      { ...CLAIMS, activities: ['orders:order:read'], profile: { roles: ['reader'] } },
      keys.rs256.sign,
    )
    const first = await verify(token)
    if (!first.ok) throw new Error(first.error.reason)
    const activities = first.value.claims.activities as string[]
    expect(() => activities.push('orders:order:delete')).toThrow(TypeError)
    expect(Object.isFrozen((first.value.claims.profile as { roles: string[] }).roles)).toBe(true)
    expect(Object.isFrozen(first.value.header)).toBe(true)
    const again = await verify(token)
    expect(again.ok && again.value.fromCache && again.value.claims.activities).toEqual([
      'orders:order:read',
    ])
  })

  it('leaves a non-extractable key to jose, which still verifies with it', async () => {
    const pair = await generateKeyPair('RS256')
    const token = assemble({ alg: 'RS256' }, CLAIMS, signerFor('RS256', pair.privateKey))
    const fast = createFastVerify(async () => pair.publicKey, ['RS256'])
    expect(pair.publicKey.extractable).toBe(true)
    const locked = await crypto.subtle.importKey(
      'spki',
      await crypto.subtle.exportKey('spki', pair.publicKey),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      false,
      ['verify'],
    )
    const fastLocked = createFastVerify(async () => locked, ['RS256'])
    const claims = { issuer: ISSUER, audience: AUDIENCE, currentDate: new Date(NOW_SEC * 1000) }
    expect(await fast(token, claims)).not.toBe(FALLBACK)
    expect(await fastLocked(token, claims)).toBe(FALLBACK)
  })

  it('hands every token to jose on a Node without process.getBuiltinModule (before 22.3)', async () => {
    const original = process.getBuiltinModule
    vi.resetModules()
    Object.defineProperty(process, 'getBuiltinModule', { value: undefined, configurable: true })
    try {
      const fresh = (await import(
        '../../src/auth/fast-verify.ts'
      )) as typeof import('../../src/auth/fast-verify.ts')
      const fast = fresh.createFastVerify(createLocalJWKSet(keys.jwks), ['RS256'])
      const claims = { issuer: ISSUER, audience: AUDIENCE, currentDate: new Date(NOW_SEC * 1000) }
      expect(await fast(tokenOf(keys.rs256), claims)).toBe(fresh.FALLBACK)
    } finally {
      Object.defineProperty(process, 'getBuiltinModule', { value: original, configurable: true })
    }
  })
})
