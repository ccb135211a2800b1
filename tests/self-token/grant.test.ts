import { inspect } from 'node:util'
import { decodeJwt } from 'jose'
import { toProblem } from 'metis-app/errors'
import { type SelfTokenOptions, selfTokenClient, TokenError } from 'metis-app/self-token'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { basicAuthorization, jwtExpiry } from '../../src/self-token/grant.ts'
import { type OidcProvider, startOidcProvider } from '../support/oidc.ts'
import { manualClock, startTokenServer, type TokenServer, tokenAnswer } from './support.ts'

const SECRET = 'pa ss:w%rd+/=é'

let idp: OidcProvider
let server: TokenServer

beforeAll(async () => {
  ;[idp, server] = await Promise.all([
    startOidcProvider({ scopes: ['inventory:read', 'inventory:write'], accessTokenTtl: 300 }),
    startTokenServer(),
  ])
})
afterAll(async () => {
  await Promise.all([idp.stop(), server.stop()])
})
beforeEach(() => server.reset())

const against = (extra: Partial<SelfTokenOptions> = {}) =>
  selfTokenClient({
    tokenEndpoint: server.url,
    clientId: 'orders service',
    clientSecret: SECRET,
    retries: 0,
    ...extra,
  })

const failure = async (extra: Partial<SelfTokenOptions> = {}): Promise<TokenError> => {
  const result = await against(extra).get()
  if (result.ok) throw new Error('expected a failure')
  return result.error
}

/** Every way an error may be shown or logged; none may contain a secret. */
const renderings = (error: TokenError): string[] => [
  JSON.stringify(error),
  JSON.stringify(toProblem(error)),
  inspect(error, { depth: 10 }),
  String(error.stack),
  JSON.stringify(error.details),
]

describe('the grant against oidc-provider', () => {
  it('obtains a real JWT access token with client_secret_basic, expiring at receipt time + expires_in', async () => {
    const clock = manualClock()
    const client = selfTokenClient({
      tokenEndpoint: idp.tokenEndpoint,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      scope: ['inventory:read'],
      clock: clock.now,
    })
    const result = await client.get()
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.value.tokenType).toBe('Bearer')
    expect(result.value.expiresAt).toBe(clock.now() + 300_000)
    expect(result.value.scope).toBe('inventory:read')
    const claims = decodeJwt(result.value.accessToken)
    expect(claims.aud).toBe(idp.audience)
    expect(claims.client_id).toBe(idp.clientId)
  })

  it('obtains a token with client_secret_post and a resource indicator', async () => {
    const client = selfTokenClient({
      tokenEndpoint: async () => idp.tokenEndpoint,
      clientId: () => idp.clientId,
      clientSecret: idp.clientSecret,
      authMethod: 'client_secret_post',
      scope: 'inventory:write',
      resource: idp.audience,
    })
    const result = await client.get()
    expect(result.ok && decodeJwt(result.value.accessToken).scope).toBe('inventory:write')
  })

  it('answers TOKEN_INVALID_CLIENT for a wrong secret, after exactly one request, without the secret anywhere', async () => {
    let requests = 0
    const client = selfTokenClient({
      tokenEndpoint: idp.tokenEndpoint,
      clientId: idp.clientId,
      clientSecret: 'wrong-secret-value',
      retries: 5,
      fetch: (input, init) => {
        requests += 1
        return fetch(input, init)
      },
    })
    const result = await client.get()
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error).toBeInstanceOf(TokenError)
    expect(result.error.code).toBe('TOKEN_INVALID_CLIENT')
    expect(result.error.upstreamStatus).toBe(401)
    expect(result.error.oauthError).toBe('invalid_client')
    expect(result.error.retryable).toBe(false)
    expect(result.error.statusCode).toBe(502)
    expect(requests).toBe(1)
    for (const text of renderings(result.error)) expect(text).not.toContain('wrong-secret-value')
    expect(toProblem(result.error)).toEqual({
      type: 'about:blank',
      title: 'Bad Gateway',
      status: 502,
    })
  })
})

describe('the request', () => {
  it('form-encodes the client id and secret before base64 in client_secret_basic (RFC 6749 2.3.1)', async () => {
    expect((await against().get()).ok).toBe(true)
    const seen = server.seen[0]
    expect(seen?.method).toBe('POST')
    expect(seen?.headers['content-type']).toContain('application/x-www-form-urlencoded')
    expect(seen?.form.get('grant_type')).toBe('client_credentials')
    expect(seen?.form.has('client_secret')).toBe(false)
    const encoded = String(seen?.headers.authorization).slice('Basic '.length)
    expect(Buffer.from(encoded, 'base64').toString()).toBe(
      'orders+service:pa+ss%3Aw%25rd%2B%2F%3D%C3%A9',
    )
    expect(basicAuthorization('a:b', 'c')).toBe(
      `Basic ${Buffer.from('a%3Ab:c').toString('base64')}`,
    )
  })

  it('sends the id and secret in the body with client_secret_post, and scope, audience, resource and extra parameters', async () => {
    const client = against({
      authMethod: 'client_secret_post',
      scope: ['a', 'b'],
      audience: 'https://api',
      resource: ['https://r1', 'https://r2'],
      extraParams: { tenant: 't1' },
    })
    expect((await client.get()).ok).toBe(true)
    const seen = server.seen[0]
    expect(seen?.headers.authorization).toBeUndefined()
    expect(seen?.form.get('client_id')).toBe('orders service')
    expect(seen?.form.get('client_secret')).toBe(SECRET)
    expect(seen?.form.get('scope')).toBe('a b')
    expect(seen?.form.get('audience')).toBe('https://api')
    expect(seen?.form.getAll('resource')).toEqual(['https://r1', 'https://r2'])
    expect(seen?.form.get('tenant')).toBe('t1')
  })
})

describe('the answer', () => {
  it('accepts any case of Bearer and a numeric-string expires_in', async () => {
    const clock = manualClock()
    server.answer(() => tokenAnswer({ access_token: 'x', token_type: 'bEaReR', expires_in: '60' }))
    const result = await against({ clock: clock.now }).get()
    expect(result.ok && result.value).toMatchObject({
      tokenType: 'Bearer',
      expiresAt: clock.now() + 60_000,
    })
  })

  it('takes the JWT exp when expires_in is missing, and a default lifetime for an opaque token', async () => {
    const clock = manualClock()
    const exp = Math.floor(clock.now() / 1000) + 120
    const jwt = [
      Buffer.from('{"alg":"none"}').toString('base64url'),
      Buffer.from(JSON.stringify({ exp })).toString('base64url'),
      '',
    ].join('.')
    server.answer(() => tokenAnswer({ access_token: jwt, token_type: 'Bearer' }))
    const fromJwt = await against({ clock: clock.now }).get()
    expect(fromJwt.ok && fromJwt.value.expiresAt).toBe(exp * 1000)

    server.answer(() =>
      tokenAnswer({ access_token: 'opaque', token_type: 'Bearer', expires_in: 0 }),
    )
    const opaque = await against({ clock: clock.now, defaultLifetimeMs: 42_000 }).get()
    expect(opaque.ok && opaque.value.expiresAt).toBe(clock.now() + 42_000)
  })

  it('reads a JWT exp without verifying it, and nothing from an opaque or broken token', () => {
    const payload = (value: string) => `e30.${Buffer.from(value).toString('base64url')}.sig`
    expect(jwtExpiry(payload('{"exp":10}'))).toBe(10_000)
    expect(jwtExpiry(payload('{"sub":"x"}'))).toBeUndefined()
    expect(jwtExpiry(payload('not json'))).toBeUndefined()
    expect(jwtExpiry('opaque-token')).toBeUndefined()
  })

  it.each([
    ['an HTML page', { status: 200, body: '<html>login</html>' }],
    ['a body without access_token', tokenAnswer({ token_type: 'Bearer', expires_in: 60 })],
    ['an empty access_token', tokenAnswer({ access_token: '', token_type: 'Bearer' })],
    ['a DPoP token type', tokenAnswer({ access_token: 'x', token_type: 'DPoP', expires_in: 60 })],
    ['a JSON array', { status: 200, body: '[1]', contentType: 'application/json' }],
    [
      'a JWT that expired already',
      tokenAnswer({ access_token: 'e30.eyJleHAiOjF9.', token_type: 'Bearer' }),
    ],
    [
      'an expires_in of 1e306 (an infinite expiry)',
      { status: 200, body: '{"access_token":"x","token_type":"Bearer","expires_in":1e306}' },
    ],
    [
      'a 400-digit expires_in string',
      tokenAnswer({ access_token: 'x', token_type: 'Bearer', expires_in: '9'.repeat(400) }),
    ],
    [
      'an expires_in over a year',
      tokenAnswer({ access_token: 'x', token_type: 'Bearer', expires_in: 366 * 86_400 }),
    ],
    [
      'a JWT exp of 1e306',
      tokenAnswer({
        access_token: `e30.${Buffer.from('{"exp":1e306}').toString('base64url')}.`,
        token_type: 'Bearer',
      }),
    ],
    ['a redirect', { status: 302, body: '', headers: { location: 'http://127.0.0.1:1/' } }],
    ['an oversized body', { status: 200, body: `{"access_token":"${'a'.repeat(70_000)}"}` }],
  ] as const)('answers TOKEN_INVALID_RESPONSE (502, not retried) for %s', async (_, answer) => {
    server.answer(() => answer)
    const error = await failure({ retries: 3 })
    expect(error.code).toBe('TOKEN_INVALID_RESPONSE')
    expect(error.statusCode).toBe(502)
    expect(error.retryable).toBe(false)
    expect(server.count()).toBe(1)
  })

  it('accepts a lifetime of a year', async () => {
    const clock = manualClock()
    server.answer(() =>
      tokenAnswer({ access_token: 'x', token_type: 'Bearer', expires_in: 365 * 86_400 }),
    )
    const result = await against({ clock: clock.now }).get()
    expect(result.ok && result.value.expiresAt).toBe(clock.now() + 365 * 86_400_000)
  })

  it('retries a 500 with backoff, then answers TOKEN_ENDPOINT_ERROR without the answer body', async () => {
    const waits: number[] = []
    server.answer(() => ({ status: 500, body: 'stack trace with the secret hunter2' }))
    const error = await failure({
      retries: 2,
      random: () => 0.5,
      sleep: async (ms) => {
        waits.push(ms)
      },
    })
    expect(error.code).toBe('TOKEN_ENDPOINT_ERROR')
    expect(error.retryable).toBe(true)
    expect(error.details).toEqual({ upstreamStatus: 500 })
    expect(server.count()).toBe(3)
    expect(waits).toEqual([50, 100])
    for (const text of renderings(error)) expect(text).not.toContain('hunter2')
  })

  it('succeeds when a retry after a 503 gets a token', async () => {
    server.answer((n) =>
      n === 1
        ? { status: 503, body: '' }
        : tokenAnswer({ access_token: 'second', token_type: 'Bearer', expires_in: 60 }),
    )
    const result = await against({ retries: 1, sleep: async () => {} }).get()
    expect(result.ok && result.value.accessToken).toBe('second')
    expect(server.count()).toBe(2)
  })

  it('answers 429 as TOKEN_RATE_LIMITED (503, retryable)', async () => {
    server.answer(() => ({ status: 429, body: '' }))
    const error = await failure()
    expect([error.code, error.statusCode, error.retryable]).toEqual([
      'TOKEN_RATE_LIMITED',
      503,
      true,
    ])
  })

  it.each([
    [
      400,
      '{"error":"invalid_scope","error_description":"scope x for orders service"}',
      'TOKEN_REQUEST_REJECTED',
    ],
    [400, '{"error":"invalid_client"}', 'TOKEN_INVALID_CLIENT'],
    [403, '<html>forbidden</html>', 'TOKEN_REQUEST_REJECTED'],
  ] as const)('does not retry a %i answer (%s)', async (status, body, code) => {
    server.answer(() => ({ status, body, contentType: 'application/json' }))
    const error = await failure({ retries: 3 })
    expect(error.code).toBe(code)
    expect(error.retryable).toBe(false)
    expect(server.count()).toBe(1)
    expect(JSON.stringify(error)).not.toContain('error_description')
  })

  it('keeps only a plausible OAuth error code, never free text from the endpoint', async () => {
    server.answer(() => ({ status: 400, body: '{"error":"bad <script> said secret"}' }))
    const error = await failure()
    expect(error.oauthError).toBeUndefined()
    expect(error.message).not.toContain('secret')
  })

  it('gives up on an endpoint hanging past the timeout with TOKEN_ENDPOINT_TIMEOUT (504)', async () => {
    server.answer(() => 'hang')
    const started = Date.now()
    const error = await failure({ timeoutMs: 150 })
    expect(Date.now() - started).toBeLessThan(2_000)
    expect([error.code, error.statusCode, error.retryable]).toEqual([
      'TOKEN_ENDPOINT_TIMEOUT',
      504,
      true,
    ])
  })

  it('answers TOKEN_ENDPOINT_UNREACHABLE for a refused connection, with a cause that holds no request', async () => {
    const error = await failure({ tokenEndpoint: 'http://127.0.0.1:9/token' })
    expect([error.code, error.statusCode, error.retryable]).toEqual([
      'TOKEN_ENDPOINT_UNREACHABLE',
      503,
      true,
    ])
    expect(error.cause).toBeInstanceOf(Error)
    for (const text of renderings(error)) expect(text).not.toContain(SECRET)
  })
})
