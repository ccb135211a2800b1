import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  type AuthInfo,
  activity,
  pdp,
  pip,
  resetAuthCaches,
  scope,
  tokenRequired,
} from '../../src/auth/index.ts'
import { requestBuilder } from '../../src/request/index.ts'
import { type OidcProvider, startOidcProvider } from '../support/oidc.ts'
import { bearerEvent, claimsAt, makeKey, runStack, sign } from './support.ts'

let idp: OidcProvider

beforeAll(async () => {
  idp = await startOidcProvider({
    scopes: ['orders:read', 'orders:write'],
    extraClaims: () => ({ activities: ['orders:order:read', 'orders:invoice:*'] }),
  })
})
afterAll(() => idp.stop())
afterEach(() => {
  vi.useRealTimers()
  resetAuthCaches()
  idp.resetCounts()
})

const idpOptions = () => ({ issuer: idp.issuer, audience: idp.audience, jwksUri: idp.jwksUri })

describe('PIP and PDP against a real oidc-provider', () => {
  it('verifies a client-credentials JWT access token and exposes its claims, scopes and activities', async () => {
    const token = await idp.getToken('orders:read')
    const run = await runStack(
      [pip(idpOptions()), pdp(tokenRequired(), scope('orders:read'))],
      bearerEvent(token),
    )
    expect(run.handlerRan).toBe(true)
    const auth = run.context.auth as AuthInfo
    expect(auth.valid).toBe(true)
    expect(auth.claims?.sub).toBe(idp.clientId)
    expect(auth.token.ok && auth.token.value.header.kid).toBe(idp.currentKid())
    expect(auth.scopes()).toEqual(['orders:read'])
    expect(auth.hasScope('orders:write')).toBe(false)
    expect(auth.activities()).toEqual(['orders:order:read', 'orders:invoice:*'])
    expect(auth.source).toBe('authorization')
    expect(auth.subject).toEqual({ status: 'not-requested', reason: 'not-configured' })
  })

  it('reads the token from the request the request builder made', async () => {
    const token = await idp.getToken()
    const run = await runStack(
      [requestBuilder(), pip(idpOptions()), pdp(tokenRequired(), activity('orders:invoice:pay'))],
      bearerEvent(token),
    )
    expect(run.handlerRan).toBe(true)
  })

  it('answers 403 insufficient_scope for a scope or activity the token does not grant', async () => {
    const token = await idp.getToken('orders:read')
    const noScope = await runStack(
      [pip(idpOptions()), pdp(scope('orders:write'))],
      bearerEvent(token),
    )
    expect(noScope.handlerRan).toBe(false)
    expect(noScope.response.statusCode).toBe(403)
    expect(noScope.response.headers['WWW-Authenticate']).toBe(
      'Bearer error="insufficient_scope", error_description="The scope orders:write is not granted", scope="orders:write"',
    )
    const noActivity = await runStack(
      [pip(idpOptions()), pdp(activity('orders:order:delete'))],
      bearerEvent(token),
    )
    expect(noActivity.handlerRan).toBe(false)
    expect(noActivity.response.statusCode).toBe(403)
  })

  it('fetches the JWKS once for many verifications of one key', async () => {
    const middleware = pip(idpOptions())
    for (let i = 0; i < 5; i += 1) {
      const run = await runStack(
        [middleware, pdp(tokenRequired())],
        bearerEvent(await idp.getToken()),
      )
      expect(run.handlerRan).toBe(true)
    }
    // A second pip() of the same container shares the key set.
    await runStack([pip(idpOptions()), pdp(tokenRequired())], bearerEvent(await idp.getToken()))
    expect(idp.jwksRequests()).toBe(1)
  })

  it('refetches the JWKS once for a rotated key, and at most once per cooldown for a flood of unknown kids', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now())
    const middleware = pip({ ...idpOptions(), jwksCooldownMs: 30_000 })
    const verify = async (token: string) =>
      (await runStack([middleware], bearerEvent(token))).context.auth as AuthInfo

    expect((await verify(await idp.getToken())).valid).toBe(true)
    expect(idp.jwksRequests()).toBe(1)

    vi.advanceTimersByTime(31_000)
    const newKid = await idp.rotateKeys()
    const rotated = await verify(await idp.getToken())
    expect(rotated.valid).toBe(true)
    expect(rotated.token.ok && rotated.token.value.header.kid).toBe(newKid)
    expect(idp.jwksRequests()).toBe(2)

    const stranger = await makeKey()
    const claims = claimsAt(Date.now() / 1000, { iss: idp.issuer, aud: idp.audience })
    const strangers = await Promise.all(
      Array.from({ length: 50 }, () => sign(stranger, claims, { kid: randomUUID() })),
    )
    const flood = await Promise.all(strangers.map(verify))
    expect(flood.every((auth) => auth.reason === 'unknown-key')).toBe(true)
    expect(idp.jwksRequests()).toBe(2)

    vi.advanceTimersByTime(31_000)
    const late = await Promise.all(strangers.map(verify))
    expect(late.every((auth) => auth.reason === 'unknown-key')).toBe(true)
    expect(idp.jwksRequests()).toBe(3)
  })
})
