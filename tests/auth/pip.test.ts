import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { type AuthInfo, type PipOptions, pip, resetAuthCaches } from '../../src/auth/index.ts'
import { breakerFetch, circuitBreaker } from '../../src/circuit/index.ts'
import { buildRequest } from '../../src/request/index.ts'
import {
  AUDIENCE,
  bearerEvent,
  claimsAt,
  httpEvent,
  ISSUER,
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

beforeAll(async () => {
  key = await makeKey('ES256')
  other = await makeKey('ES256')
})
afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
  resetAuthCaches()
})

const base: PipOptions = { issuer: ISSUER, audience: AUDIENCE, now: () => NOW }
const local = (extra: Partial<PipOptions> = {}) =>
  pip({ ...base, jwks: { keys: [key.publicJwk] }, ...extra })

const authOf = async (
  middleware: ReturnType<typeof pip>,
  event: unknown,
  request?: unknown,
): Promise<AuthInfo> => {
  const stack =
    request === undefined
      ? [middleware]
      : [
          { before: (r: { context: object }) => void Object.assign(r.context, { request }) },
          middleware,
        ]
  return (await runStack(stack, event)).context.auth as AuthInfo
}

describe('pip() configuration', () => {
  it('refuses to start without issuer or audience', () => {
    expect(() => pip({ ...base, issuer: '', jwks: { keys: [] } })).toThrow('"issuer" is required')
    expect(() => pip({ ...base, audience: [], jwks: { keys: [] } })).toThrow(
      '"audience" is required',
    )
    expect(() => pip({ ...base, audience: ['a', ''], jwks: { keys: [] } })).toThrow(
      '"audience" is required',
    )
  })

  it('refuses an empty secret when it is built, not token by token', () => {
    expect(() => pip({ ...base, secret: '' })).toThrow('"secret" is empty')
    expect(() => pip({ ...base, secret: new Uint8Array() })).toThrow('"secret" is empty')
  })

  it('needs exactly one key source', () => {
    expect(() => pip(base)).toThrow('exactly one of')
    expect(() => pip({ ...base, jwks: { keys: [] }, secret: 's' })).toThrow('exactly one of')
  })

  it('allows symmetric algorithms only with a secret, and never none', () => {
    expect(() => local({ algorithms: ['HS256'] })).toThrow('needs a "secret"')
    expect(() => pip({ ...base, secret: 's', algorithms: ['RS256'] })).toThrow(
      'not a symmetric algorithm',
    )
    expect(() => local({ algorithms: ['none'] })).toThrow('never an allowed algorithm')
  })

  it('refuses unsafeSkipVerification when NODE_ENV is production', () => {
    vi.stubEnv('NODE_ENV', 'production')
    expect(() => pip({ ...base, unsafeSkipVerification: true })).toThrow(
      'refused when NODE_ENV is production',
    )
  })

  it.each([
    ['AWS_LAMBDA_FUNCTION_NAME', 'orders'],
    ['AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x'],
  ])('refuses unsafeSkipVerification on Lambda (%s set), whatever NODE_ENV says', (name, value) => {
    vi.stubEnv('NODE_ENV', 'development')
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', undefined)
    vi.stubEnv('AWS_EXECUTION_ENV', undefined)
    vi.stubEnv(name, value)
    const create = () => pip({ ...base, unsafeSkipVerification: true })
    expect(create).toThrow(TypeError)
    expect(create).toThrow(`pip(): "unsafeSkipVerification" is refused on Lambda (${name} is set)`)
    // off, the same configuration is fine on Lambda
    expect(local({ unsafeSkipVerification: false }).before).toBeTypeOf('function')
  })

  it('warns once, on one line without any token, when unsafeSkipVerification is on elsewhere', async () => {
    vi.stubEnv('NODE_ENV', 'test')
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', undefined)
    vi.stubEnv('AWS_EXECUTION_ENV', undefined)
    const warned: unknown[][] = []
    const warn = vi.spyOn(console, 'warn').mockImplementation((...args) => void warned.push(args))
    try {
      const skip = pip({ ...base, unsafeSkipVerification: true })
      const token = await sign(other, claimsAt(nowSec))
      for (let i = 0; i < 3; i += 1)
        expect((await authOf(skip, bearerEvent(token))).valid).toBe(true)
      local()
    } finally {
      warn.mockRestore()
    }
    expect(warned).toHaveLength(1)
    const [line] = warned[0] as [string]
    expect(warned[0]).toHaveLength(1)
    expect(line).toContain('unsafeSkipVerification')
    expect(line).not.toContain('\n')
    expect(line).not.toMatch(/eyJ/)
  })
})

describe('pip() verification', () => {
  it('verifies HS256 with an explicitly configured secret, as a string or bytes', async () => {
    const secret = 'a-long-enough-shared-secret-for-hs256!'
    const { SignJWT } = await import('jose')
    const token = await new SignJWT(claimsAt(nowSec))
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(secret))
    expect((await authOf(pip({ ...base, secret }), bearerEvent(token))).valid).toBe(true)
    const bytes = new TextEncoder().encode(secret)
    expect((await authOf(pip({ ...base, secret: bytes }), bearerEvent(token))).valid).toBe(true)
    expect((await authOf(pip({ ...base, secret: 'wrong' }), bearerEvent(token))).reason).toBe(
      'bad-signature',
    )
  })

  it('refuses an allowed algorithm the key set cannot verify', async () => {
    const token = await sign(key, claimsAt(nowSec))
    expect((await authOf(local({ algorithms: ['RS256'] }), bearerEvent(token))).reason).toBe(
      'algorithm-not-allowed',
    )
  })

  it('requires configured claims besides exp', async () => {
    const token = await sign(key, claimsAt(nowSec))
    expect((await authOf(local({ requiredClaims: ['tenant'] }), bearerEvent(token))).reason).toBe(
      'missing-claim',
    )
  })

  it('with unsafeSkipVerification decodes without the signature but still checks the claims', async () => {
    vi.spyOn(console, 'warn').mockImplementationOnce(() => undefined)
    const skip = pip({ ...base, unsafeSkipVerification: true })
    const foreign = await authOf(skip, bearerEvent(await sign(other, claimsAt(nowSec))))
    expect(foreign.valid).toBe(true)
    expect(foreign.token.ok && foreign.token.value.verification).toBe('skipped')
    const { exp: _exp, ...noExp } = claimsAt(nowSec)
    expect((await authOf(skip, bearerEvent(await sign(other, noExp)))).reason).toBe('missing-claim')
    expect(
      (await authOf(skip, bearerEvent(await sign(other, claimsAt(nowSec - 600))))).reason,
    ).toBe('expired')
    expect(
      (await authOf(skip, bearerEvent(await sign(other, claimsAt(nowSec, { iss: 'x' }))))).reason,
    ).toBe('wrong-issuer')
    expect(
      (await authOf(skip, bearerEvent(await sign(other, claimsAt(nowSec, { aud: ['x'] }))))).reason,
    ).toBe('wrong-audience')
    expect((await authOf(skip, bearerEvent('a.b.c'))).reason).toBe('malformed')
  })

  it('uses a given fetch for the JWKS (a circuit breaker, a proxy)', async () => {
    const server = await startJwksServer([key.publicJwk])
    try {
      let calls = 0
      const jwksFetch: typeof fetch = (input, init) => {
        calls += 1
        return fetch(input, init)
      }
      const middleware = pip({ ...base, jwksUri: server.url, jwksFetch })
      expect((await authOf(middleware, bearerEvent(await sign(key, claimsAt(nowSec))))).valid).toBe(
        true,
      )
      expect(calls).toBe(1)
    } finally {
      await server.stop()
    }
  })
})

describe('pip() with the JWKS behind a circuit breaker', () => {
  it('answers jwks-unavailable without calling the JWKS once the circuit is open', async () => {
    const server = await startJwksServer([key.publicJwk])
    try {
      server.setMode('error')
      const breaker = circuitBreaker({ name: 'jwks', failureThreshold: 1, retry: false })
      const middleware = pip({ ...base, jwksUri: server.url, jwksFetch: breakerFetch(breaker) })
      const token = await sign(key, claimsAt(nowSec))
      expect((await authOf(middleware, bearerEvent(token))).reason).toBe('jwks-unavailable')
      const calls = server.requests()
      expect((await authOf(middleware, bearerEvent(token))).reason).toBe('jwks-unavailable')
      expect(server.requests()).toBe(calls)
    } finally {
      await server.stop()
    }
  })
})

describe('pip() token sources and helpers', () => {
  it('reads a named header and a named cookie', async () => {
    const token = await sign(key, claimsAt(nowSec))
    const byHeader = await authOf(
      local({ header: 'X-Access-Token' }),
      httpEvent({ 'x-access-token': token }),
    )
    expect(byHeader.source).toBe('header')
    const byCookie = await authOf(
      local({ cookie: 'at' }),
      httpEvent({}, { cookies: [`at=${token}`] }),
    )
    expect(byCookie.valid).toBe(true)
    expect(byCookie.source).toBe('cookie')
    expect(byCookie.bearer()).toBe(token)
  })

  it('reads the one typed request of the event: the one built before it, else its own', async () => {
    const token = await sign(key, claimsAt(nowSec))
    const event = bearerEvent(token)
    const built = buildRequest(event)
    expect((await authOf(local(), event, built.ok ? built.value : undefined)).valid).toBe(true)
    // A request of another event left on a reused context is not this event's: built anew.
    const stale = buildRequest(httpEvent())
    expect((await authOf(local(), event, stale.ok ? stale.value : undefined)).valid).toBe(true)
    const sqs = await authOf(local(), { Records: [{ eventSource: 'aws:sqs', body: token }] })
    expect(sqs.reason).toBe('absent')
  })

  it('reads scopes from scope or scp and activities from a configured claim, as lists or strings', async () => {
    const token = await sign(key, claimsAt(nowSec, { scp: ['a', 'b', 7], perms: 'x:y z:w' }))
    const auth = await authOf(local({ activitiesClaim: 'perms' }), bearerEvent(token))
    expect(auth.scopes()).toEqual(['a', 'b'])
    expect(auth.hasScope('b')).toBe(true)
    expect(auth.activities()).toEqual(['x:y', 'z:w'])
    expect(auth.activities()).toBe(auth.activities())
    const plain = await authOf(
      local(),
      bearerEvent(await sign(key, claimsAt(nowSec, { activities: 42 }))),
    )
    expect(plain.activities()).toEqual([])
    expect(plain.scopes()).toEqual([])
  })

  it('gives empty helpers and the reason when there is no valid token, and never throws', async () => {
    const auth = await authOf(local(), httpEvent())
    expect(auth.valid).toBe(false)
    expect(auth.reason).toBe('absent')
    expect(auth.claims).toBeUndefined()
    expect(auth.activities()).toEqual([])
    expect(auth.scopes()).toEqual([])
    expect(auth.hasScope('x')).toBe(false)
    expect(auth.bearer()).toBeUndefined()
  })

  it('freezes the verified claims, which the cache shares between requests', async () => {
    const auth = await authOf(local(), bearerEvent(await sign(key, claimsAt(nowSec))))
    expect(Object.isFrozen(auth.claims)).toBe(true)
  })

  it('keeps the raw token out of what a logger would print', async () => {
    const token = await sign(key, claimsAt(nowSec))
    const auth = await authOf(local(), bearerEvent(token))
    expect(JSON.stringify(auth)).not.toContain(token)
  })
})
