import { createPublicKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { base64url, CompactSign, exportSPKI, SignJWT } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type PipOptions, pdp, pip, resetAuthCaches, tokenRequired } from '../../src/auth/index.ts'
import {
  AUDIENCE,
  bearerEvent,
  claimsAt,
  deadUrl,
  httpEvent,
  ISSUER,
  type JwksServer,
  makeKey,
  runStack,
  sign,
  startJwksServer,
  type TestKey,
} from './support.ts'

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0)
const nowSec = NOW / 1000

let key: TestKey
let other: TestKey
let jwks: JwksServer

beforeAll(async () => {
  key = await makeKey('RS256')
  other = await makeKey('RS256')
  jwks = await startJwksServer([key.publicJwk])
})
afterAll(() => jwks.stop())
afterEach(() => {
  resetAuthCaches()
  jwks.setKeys([key.publicJwk])
  jwks.setMode('ok')
})

const options = (extra: Partial<PipOptions> = {}): PipOptions => ({
  issuer: ISSUER,
  audience: AUDIENCE,
  jwksUri: jwks.url,
  now: () => NOW,
  ...extra,
})

const refused = async (event: unknown, extra: Partial<PipOptions> = {}) => {
  const run = await runStack([pip(options(extra)), pdp(tokenRequired())], event)
  return { ...run, auth: (run.context as { auth?: { reason?: string } }).auth }
}

const expectInvalid = async (event: unknown, reason: string, extra: Partial<PipOptions> = {}) => {
  const { response, handlerRan } = await refused(event, extra)
  expect(handlerRan).toBe(false)
  expect(response.statusCode).toBe(401)
  expect(response.headers['WWW-Authenticate']).toMatch(
    /^Bearer error="invalid_token", error_description="/,
  )
  expect(response.body).not.toContain('eyJ')
  // The reason is the PIP's; read it again through a PIP alone, which never throws.
  const alone = await runStack([pip(options(extra))], event)
  expect((alone.context.auth as { reason: string }).reason).toBe(reason)
}

const segment = (value: unknown) => base64url.encode(JSON.stringify(value))

describe('bad bearer input: every one is a 401 and the handler does not run', () => {
  it('accepts a valid token (the baseline the other cases spoil)', async () => {
    const run = await runStack(
      [pip(options()), pdp(tokenRequired())],
      bearerEvent(await sign(key, claimsAt(nowSec))),
    )
    expect(run.handlerRan).toBe(true)
    expect(run.response.statusCode).toBe(200)
  })

  it('answers an absent Authorization header with a challenge without error code (RFC 6750 3.1)', async () => {
    const { response, handlerRan } = await refused(httpEvent())
    expect(handlerRan).toBe(false)
    expect(response.statusCode).toBe(401)
    expect(response.headers['WWW-Authenticate']).toBe('Bearer')
  })

  it('refuses the Basic scheme', async () => {
    await expectInvalid(httpEvent({ authorization: 'Basic dXNlcjpwYXNz' }), 'malformed')
  })

  it('refuses two tokens in one header', async () => {
    const token = await sign(key, claimsAt(nowSec))
    await expectInvalid(httpEvent({ authorization: `Bearer ${token} ${token}` }), 'malformed')
  })

  it('refuses tokens joined by commas or with characters a bearer token cannot have', async () => {
    const token = await sign(key, claimsAt(nowSec))
    await expectInvalid(
      httpEvent({ authorization: `Bearer ${token}, Bearer ${token}` }),
      'malformed',
    )
    await expectInvalid(httpEvent({ authorization: `Bearer ${token};x` }), 'malformed')
  })

  it('refuses a token spelled with whitespace or base64 (not base64url) characters, which jose would forgive', async () => {
    const token = await sign(key, claimsAt(nowSec))
    const [header, payload, signature] = token.split('.') as [string, string, string]
    await expectInvalid(
      bearerEvent(`${header}.${payload}.${signature.slice(0, 8)}\n${signature.slice(8)}`),
      'malformed',
    )
    await expectInvalid(bearerEvent(`${header}.${payload}.${signature}==`), 'malformed')
  })

  it('refuses every other spelling of a valid signature that decodes to the same bytes', async () => {
    const token = await sign(key, claimsAt(nowSec))
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const bytes = Buffer.from(signature, 'base64url')
    const respellings = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_']
      .map((last) => `${signature.slice(0, -1)}${last}`)
      .filter((spelling) => spelling !== signature)
      .filter((spelling) => Buffer.from(spelling, 'base64url').equals(bytes))
    expect(respellings.length).toBeGreaterThan(0)
    for (const spelling of respellings) {
      await expectInvalid(bearerEvent(`${header}.${payload}.${spelling}`), 'malformed')
    }
  })

  it('refuses two Authorization headers', async () => {
    const token = await sign(key, claimsAt(nowSec))
    // A REST API event carries repeated headers in multiValueHeaders.
    const rest = JSON.parse(
      readFileSync(new URL('../fixtures/events/apigw-rest/no-auth.json', import.meta.url), 'utf8'),
    ) as Record<string, unknown>
    const event = {
      ...rest,
      headers: { Authorization: `Bearer ${token}` },
      multiValueHeaders: { Authorization: [`Bearer ${token}`, `Bearer ${token}`] },
    }
    await expectInvalid(event, 'malformed')
  })

  it('refuses an empty token', async () => {
    await expectInvalid(httpEvent({ authorization: 'Bearer ' }), 'malformed')
  })

  it('refuses a token that is not three segments', async () => {
    await expectInvalid(bearerEvent('abc.def'), 'malformed')
    await expectInvalid(bearerEvent('a.b.c.d'), 'malformed')
  })

  it('refuses a segment that is not base64url', async () => {
    const token = await sign(key, claimsAt(nowSec))
    const [, payload, signature] = token.split('.')
    await expectInvalid(bearerEvent(`e+/=.${payload}.${signature}`), 'malformed')
  })

  it('refuses a segment whose JSON is broken', async () => {
    const token = await sign(key, claimsAt(nowSec))
    const [, , signature] = token.split('.')
    const brokenPayload = await new CompactSign(new TextEncoder().encode('{"iss":'))
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .sign(key.privateKey)
    await expectInvalid(bearerEvent(brokenPayload), 'malformed')
    await expectInvalid(
      bearerEvent(`${base64url.encode('{alg')}.${segment(claimsAt(nowSec))}.${signature}`),
      'malformed',
    )
  })

  it('refuses alg none', async () => {
    const unsigned = `${segment({ alg: 'none', typ: 'JWT' })}.${segment(claimsAt(nowSec))}.`
    await expectInvalid(bearerEvent(unsigned), 'algorithm-not-allowed')
  })

  it('refuses HS256 signed with the RSA public key as the secret', async () => {
    const pem = await exportSPKI(key.publicKey)
    const forged = await new SignJWT(claimsAt(nowSec))
      .setProtectedHeader({ alg: 'HS256', kid: key.kid })
      .sign(new TextEncoder().encode(pem))
    await expectInvalid(bearerEvent(forged), 'algorithm-not-allowed')
    // Also with the DER bytes of the key, the other classic form of the confusion.
    const der = createPublicKey(pem).export({ type: 'spki', format: 'der' })
    const forgedDer = await new SignJWT(claimsAt(nowSec))
      .setProtectedHeader({ alg: 'HS256' })
      .sign(der)
    await expectInvalid(bearerEvent(forgedDer), 'algorithm-not-allowed')
  })

  it('refuses an unknown kid', async () => {
    await expectInvalid(bearerEvent(await sign(other, claimsAt(nowSec))), 'unknown-key')
  })

  it('refuses a token without kid when several keys match', async () => {
    jwks.setKeys([key.publicJwk, other.publicJwk])
    await expectInvalid(
      bearerEvent(await sign(key, claimsAt(nowSec), { kid: undefined })),
      'unknown-key',
    )
  })

  it('refuses a tampered payload', async () => {
    const token = await sign(key, claimsAt(nowSec, { sub: 'user-1' }))
    const [header, , signature] = token.split('.')
    await expectInvalid(
      bearerEvent(`${header}.${segment(claimsAt(nowSec, { sub: 'admin' }))}.${signature}`),
      'bad-signature',
    )
  })

  it('refuses a token signed by another key under a known kid', async () => {
    await expectInvalid(
      bearerEvent(await sign(other, claimsAt(nowSec), { kid: key.kid })),
      'bad-signature',
    )
  })

  it('refuses the wrong issuer', async () => {
    await expectInvalid(
      bearerEvent(await sign(key, claimsAt(nowSec, { iss: 'https://evil.test' }))),
      'wrong-issuer',
    )
  })

  it('refuses the wrong audience', async () => {
    await expectInvalid(
      bearerEvent(await sign(key, claimsAt(nowSec, { aud: 'https://other.test' }))),
      'wrong-audience',
    )
  })

  it('refuses an expired token (beyond the clock tolerance)', async () => {
    await expectInvalid(
      bearerEvent(await sign(key, claimsAt(nowSec, { exp: nowSec - 6 }))),
      'expired',
    )
  })

  it('accepts a token expired by less than the clock tolerance', async () => {
    const run = await runStack(
      [pip(options()), pdp(tokenRequired())],
      bearerEvent(await sign(key, claimsAt(nowSec, { exp: nowSec - 4 }))),
    )
    expect(run.handlerRan).toBe(true)
  })

  it('refuses a token without exp', async () => {
    const { exp: _exp, ...noExp } = claimsAt(nowSec)
    await expectInvalid(bearerEvent(await sign(key, noExp)), 'missing-claim')
  })

  it('refuses nbf in the future', async () => {
    await expectInvalid(
      bearerEvent(await sign(key, claimsAt(nowSec, { nbf: nowSec + 60 }))),
      'not-yet-valid',
    )
  })

  it('refuses iat far in the future', async () => {
    await expectInvalid(
      bearerEvent(
        await sign(key, claimsAt(nowSec, { iat: nowSec + 86_400, exp: nowSec + 90_000 })),
      ),
      'issued-in-future',
    )
  })

  it('refuses a wrong typ when one is required, and a claim of the wrong type', async () => {
    await expectInvalid(bearerEvent(await sign(key, claimsAt(nowSec))), 'invalid-claim', {
      typ: 'at+jwt',
    })
    await expectInvalid(
      bearerEvent(await sign(key, claimsAt(nowSec, { exp: 'soon' as unknown as number }))),
      'invalid-claim',
    )
  })

  it('refuses a 100 KB token before decoding it', async () => {
    const huge = await sign(key, claimsAt(nowSec, { pad: 'x'.repeat(100_000) }))
    const before = jwks.requests()
    await expectInvalid(bearerEvent(huge), 'too-large')
    expect(jwks.requests()).toBe(before)
  })

  it('answers 401 when the JWKS endpoint is down, and 503 when so configured; never accepts', async () => {
    const token = await sign(key, claimsAt(nowSec))
    const jwksUri = await deadUrl()
    await expectInvalid(bearerEvent(token), 'jwks-unavailable', { jwksUri })
    const down = await refused(bearerEvent(token), { jwksUri, onJwksUnavailable: 503 })
    expect(down.handlerRan).toBe(false)
    expect(down.response.statusCode).toBe(503)
    expect(down.response.body).toBe('The keys to verify the token are unavailable')
  })

  it('treats a JWKS answering JSON that is not a key set, or not answering in time, as unavailable', async () => {
    const token = await sign(key, claimsAt(nowSec))
    jwks.setMode('not-a-key-set')
    await expectInvalid(bearerEvent(token), 'jwks-unavailable')
    resetAuthCaches()
    jwks.setMode('hang')
    await expectInvalid(bearerEvent(token), 'jwks-unavailable', { jwksTimeoutMs: 50 })
  })

  it('treats a JWKS endpoint answering HTML or an error status as unavailable', async () => {
    const token = await sign(key, claimsAt(nowSec))
    jwks.setMode('html')
    await expectInvalid(bearerEvent(token), 'jwks-unavailable')
    resetAuthCaches()
    jwks.setMode('error')
    const run = await refused(bearerEvent(token), { onJwksUnavailable: 503 })
    expect(run.handlerRan).toBe(false)
    expect(run.response.statusCode).toBe(503)
  })
})
