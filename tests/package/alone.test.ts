/**
 * Each concern works alone: stacked with `.use()` (or, for the router, as the handler) with
 * nothing else of metis-app, as a user who adopts one part would stack it.
 */
import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { SignJWT } from 'jose'
import { type AuthContext, pdp, pip, tokenRequired } from 'metis-app/auth'
import { handlerGuard, requireHttp } from 'metis-app/guard'
import { type ObserverContext, observer } from 'metis-app/observer'
import { type RequestContext, requestBuilder } from 'metis-app/request'
import { json, responder } from 'metis-app/response'
import { router } from 'metis-app/router'
import { type SelfTokenContext, selfToken } from 'metis-app/self-token'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTokenServer, type TokenServer } from '../self-token/support.ts'
import { lambdaContext, loadEvent } from '../support/events.ts'

const http = () => loadEvent('apigw-http/no-auth') as Record<string, unknown>
const context = () => lambdaContext() as never
const secret = new TextEncoder().encode('a-secret-of-at-least-32-bytes-long!!')
const auth = { issuer: 'https://issuer.test', audience: 'orders', secret }
const bearer = async () =>
  new SignJWT({ sub: 'alice' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setExpirationTime('5m')
    .sign(secret)
const withBearer = async () => {
  const event = http()
  event.headers = { ...(event.headers as object), authorization: `Bearer ${await bearer()}` }
  return event
}

describe('each part alone', () => {
  it('requestBuilder() puts the typed request on the context', async () => {
    const handler = middy<unknown, unknown, Error, Context & RequestContext>()
      .use(requestBuilder())
      .handler(async (_event, ctx) => ctx.request.kind === 'http' && ctx.request.path)

    expect(await handler(http(), context())).toBe('/lambda')
  })

  it('router() is the handler: it reads, resolves and answers a problem for no route', async () => {
    const app = router({ http: [{ method: 'POST', path: '/lambda', handler: () => 'routed' }] })
    const handler = middy().handler(app)

    expect(await handler(http(), context())).toMatchObject({ statusCode: 200, body: '"routed"' })
    const missing = { ...http(), rawPath: '/nowhere' }
    expect(await handler(missing, context())).toMatchObject({ statusCode: 404 })
  })

  it('responder() shapes a reply for the event it answers', async () => {
    const handler = middy()
      .use(responder())
      .handler(async () => json({ id: 1 }))

    expect(await handler(http(), context())).toMatchObject({
      statusCode: 200,
      body: '{"id":1}',
      headers: { 'Content-Type': 'application/json' },
    })
  })

  it('handlerGuard() skips the handler when its check fails', async () => {
    let ran = 0
    const handler = middy()
      .use(handlerGuard(requireHttp()))
      .handler(async () => ++ran)

    expect(await handler(http(), context())).toBe(1)
    await expect(handler(loadEvent('sqs/base'), context())).rejects.toMatchObject({
      statusCode: 400,
    })
    expect(ran).toBe(1)
  })

  it('observer() puts the observer on the context', async () => {
    const handler = middy<unknown, unknown, Error, Context & ObserverContext>()
      .use(observer({ serviceName: 'alone', tracing: false, logRequests: false }))
      .handler(async (_event, ctx) => typeof ctx.observer.logger.info)

    expect(await handler(http(), context())).toBe('function')
  })

  it('pip() records the token outcome, and never answers by itself', async () => {
    const handler = middy<unknown, unknown, Error, Context & AuthContext>()
      .use(pip(auth))
      .handler(async (_event, ctx) => [ctx.auth.valid, ctx.auth.reason, ctx.auth.claims?.sub])

    expect(await handler(http(), context())).toEqual([false, 'malformed', undefined])
    expect(await handler({ ...http(), headers: {} }, context())).toEqual([
      false,
      'absent',
      undefined,
    ])
    expect(await handler(await withBearer(), context())).toEqual([true, undefined, 'alice'])
  })

  it('pdp() without pip() is a 500 that names the order; with it, it decides', async () => {
    const alone = middy()
      .use(pdp(tokenRequired()))
      .handler(async () => 'decided')
    await expect(alone(http(), context())).rejects.toMatchObject({
      statusCode: 500,
      code: 'MIDDLEWARE_ORDER',
    })

    const stacked = middy()
      .use(pip(auth))
      .use(pdp(tokenRequired()))
      .handler(async () => 'decided')
    await expect(stacked({ ...http(), headers: {} }, context())).rejects.toMatchObject({
      statusCode: 401,
    })
    expect(await stacked(await withBearer(), context())).toBe('decided')
  })

  describe('selfToken()', () => {
    let server: TokenServer
    beforeAll(async () => {
      server = await startTokenServer()
    })
    afterAll(() => server.stop())

    it('puts a lazy accessor on the context: no request until a handler asks', async () => {
      const handler = middy<unknown, unknown, Error, Context & SelfTokenContext>()
        .use(selfToken({ tokenEndpoint: server.url, clientId: 'alone', clientSecret: 's' }))
        .handler(async (_event, ctx) => typeof ctx.selfToken.get)

      expect(await handler(http(), context())).toBe('function')
      expect(server.count()).toBe(0)
    })
  })
})
