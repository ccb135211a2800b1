import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import type { Context } from 'aws-lambda'
import {
  type SelfTokenContext,
  type SelfTokenOptions,
  selfToken,
  selfTokenClient,
} from 'metis-app/self-token'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startTokenServer, type TokenServer } from './support.ts'

let server: TokenServer
beforeAll(async () => {
  server = await startTokenServer()
})
afterAll(() => server.stop())
beforeEach(() => server.reset())

const options = (): SelfTokenOptions => ({
  tokenEndpoint: server.url,
  clientId: 'orders',
  clientSecret: 'middleware-secret',
  retries: 0,
})
const context = { getRemainingTimeInMillis: () => 10_000 } as Context & SelfTokenContext

describe('selfToken middleware', () => {
  it('is lazy by default: an invocation that never asks costs no token request', async () => {
    const handler = middy<unknown, string, Error, Context & SelfTokenContext>()
      .use(selfToken(options()))
      .handler(async () => 'no call out')
    expect(await handler({}, context)).toBe('no call out')
    expect(server.count()).toBe(0)
  })

  it('puts an accessor on context.selfToken that answers the token, its header and a Result, from one request', async () => {
    const handler = middy<unknown, unknown, Error, Context & SelfTokenContext>()
      .use(selfToken(options()))
      .handler(async (_event, ctx) => ({
        token: (await ctx.selfToken.get()).accessToken,
        header: await ctx.selfToken.authorization(),
        result: (await ctx.selfToken.result()).ok,
        logged: JSON.stringify(ctx.selfToken),
      }))
    expect(await handler({}, context)).toEqual({
      token: 'token-1',
      header: 'Bearer token-1',
      result: true,
      logged: '{}',
    })
    await handler({}, context)
    expect(server.count()).toBe(1)
  })

  it('rejects get() with the TokenError, which http-error-handler answers as a bare 500 (it is not exposed)', async () => {
    server.answer(() => ({ status: 401, body: '{"error":"invalid_client"}' }))
    const handler = middy<unknown, unknown, Error, Context & SelfTokenContext>()
      .use(httpErrorHandler({ logger: false }))
      .use(selfToken(options()))
      .handler(async (_event, ctx) => ctx.selfToken.authorization())
    const response = (await handler({}, context)) as { statusCode: number }
    expect(response.statusCode).toBe(500)
    expect(JSON.stringify(response)).not.toContain('middleware-secret')
    expect(JSON.stringify(response)).not.toContain('invalid_client')
  })

  it('fails before the handler runs when eager and no token can be had', async () => {
    server.answer(() => ({ status: 503, body: '' }))
    let ran = false
    const handler = middy<unknown, unknown, Error, Context & SelfTokenContext>()
      .use(selfToken(options(), { eager: true }))
      .handler(async () => {
        ran = true
        return 'ran'
      })
    await expect(handler({}, context)).rejects.toMatchObject({
      name: 'TokenError',
      statusCode: 502,
      code: 'TOKEN_ENDPOINT_ERROR',
      expose: false,
    })
    expect(ran).toBe(false)
  })

  it('gets the token before the handler when eager, and takes a client shared with other code', async () => {
    const client = selfTokenClient(options())
    const handler = middy<unknown, unknown, Error, Context & SelfTokenContext>()
      .use(selfToken(client, { eager: true }))
      .handler(async (_event, ctx) => {
        expect(server.count()).toBe(1)
        return (await ctx.selfToken.get()).accessToken
      })
    expect(await handler({}, context)).toBe('token-1')
    const direct = await client.get()
    expect(direct.ok && direct.value.accessToken).toBe('token-1')
    expect(server.count()).toBe(1)
  })

  it('requests a new token after the handler invalidates a refused one', async () => {
    const handler = middy<unknown, unknown, Error, Context & SelfTokenContext>()
      .use(selfToken(options()))
      .handler(async (_event, ctx) => {
        const first = await ctx.selfToken.get()
        ctx.selfToken.invalidate(first.accessToken)
        return (await ctx.selfToken.get()).accessToken
      })
    expect(await handler({}, context)).toBe('token-2')
  })
})
