import middy from '@middy/core'
import httpCors from '@middy/http-cors'
import httpErrorHandler from '@middy/http-error-handler'
import httpJsonBodyParser from '@middy/http-json-body-parser'
import { describe, expect, it, vi } from 'vitest'
import { requestBuilder } from '../../src/request/index.ts'
import { created, responder } from '../../src/response/index.ts'
import { ok } from '../../src/result/index.ts'
import { type RouteCheck, router } from '../../src/router/index.ts'
import { loadEvent } from '../support/events.ts'
import { bodyOf, context, v1Event, v2Event } from './support.ts'

const allowAll: RouteCheck = { name: 'allow-all', evaluate: () => ok(undefined) }

describe('the router as the handler', () => {
  it('routes with the request the request builder built, without building or resolving again', async () => {
    const seen: unknown[] = []
    const app = router({
      http: [
        {
          method: 'GET',
          path: '/orders/{id}',
          handler: (request, ctx) => {
            seen.push(ctx.request, ctx.route)
            return { params: request.params }
          },
          options: { policies: [allowAll] },
        },
      ],
    })
    const resolve = vi.spyOn(app, 'resolve')
    let built: unknown
    const stack = middy()
      .use(requestBuilder())
      .use({
        before: (request) => {
          built = (request.context as { request?: unknown }).request
        },
      })
      .handler(app)
    const response = await stack(v2Event('GET', '/orders/7'), context())
    expect(bodyOf(response)).toEqual({ params: { id: '7' } })
    expect(seen[0]).toBe(built)
    expect(seen[1]).toEqual({
      key: '/orders/{id}',
      method: 'GET',
      params: { id: '7' },
      options: { policies: [allowAll] },
    })
    expect(resolve).not.toHaveBeenCalled()
  })

  it('routes the event it is given when a reused context holds another event request', async () => {
    const app = router({
      http: [{ method: 'GET', path: '/{name}', handler: (r) => r.params.name }],
    })
    const shared = context()
    expect(bodyOf(await app(v2Event('GET', '/first'), shared))).toBe('first')
    expect(bodyOf(await app(v2Event('GET', '/second'), shared))).toBe('second')
    expect((shared as unknown as { request: { path: string } }).request.path).toBe('/second')
  })

  it('builds the request itself when no request builder ran, and leaves it on context.request', async () => {
    const app = router({ http: [{ method: 'GET', path: '/x', handler: (r) => r.path }] })
    let shared: unknown
    const stack = middy()
      .use({
        after: (request) => {
          shared = (request.context as unknown as { request: { kind: string } }).request.kind
        },
      })
      .handler(app)
    expect(bodyOf(await stack(v1Event('GET', '/x'), context()))).toBe('/x')
    expect(shared).toBe('http')
  })

  it('answers 404 and 405 itself as problem details, and the route handler does not run', async () => {
    const handler = vi.fn()
    const app = router({ http: [{ method: 'GET', path: '/x', handler }] }, { logger: false })
    const stack = middy().handler(app)
    expect(await stack(v2Event('GET', '/y'), context())).toMatchObject({
      statusCode: 404,
      headers: { 'Content-Type': 'application/problem+json' },
    })
    const notAllowed = await stack(v2Event('DELETE', '/x'), context())
    expect(notAllowed).toMatchObject({ statusCode: 405, headers: { Allow: 'GET, HEAD' } })
    expect(handler).not.toHaveBeenCalled()
  })

  it('answers the 400 of an event the request builder cannot read', async () => {
    const app = router({})
    const stack = middy().use(responder()).handler(app)
    const event = { ...v2Event('POST', '/x', { body: '!!' }), isBase64Encoded: true }
    expect(await stack(event, context())).toMatchObject({ statusCode: 400 })
  })

  it('sets the group route for records and leaves unknown events to its unknown handler', async () => {
    const routes: unknown[] = []
    const app = router(
      { sqs: { 'my-queue': (_record, ctx) => void routes.push(ctx.route) } },
      { unknown: () => 'unknown' },
    )
    const stack = middy().handler(app)
    await stack(loadEvent('sqs/base'), context())
    expect(await stack(loadEvent('s3/object-iam-user'), context())).toBe('unknown')
    expect(routes[0]).toEqual({ key: 'my-queue', params: {}, options: {} })
  })
})

describe('the router with real Middy HTTP middlewares', () => {
  const app = router(
    {
      http: [
        {
          method: 'POST',
          path: '/orders',
          handler: (request) => created(request.input.body, '/orders/1'),
        },
        {
          method: 'POST',
          path: '/orders/{id}/notes',
          handler: (request) => ({ query: request.query, cookies: request.cookies }),
        },
        { method: 'GET', path: '/orders/{id}', handler: (request) => ({ id: request.params.id }) },
      ],
    },
    { logger: false },
  )
  const stack = middy()
    .use(httpErrorHandler({ logger: false }))
    .use(httpCors({ origin: 'https://shop.example' }))
    .use(httpJsonBodyParser({ disableContentTypeError: true }))
    .handler(app)
  const jsonHeaders = { 'content-type': 'application/json', origin: 'https://shop.example' }
  /** The Middy body parser types its event strictly; these are real API Gateway shapes. */
  const send = (handler: (event: never, ctx: never) => Promise<unknown>, event: object) =>
    handler(event as never, context() as never)

  it('reads the body the JSON body parser already parsed, and CORS adds its headers', async () => {
    const response = await send(
      stack,
      v1Event('POST', '/orders', { headers: jsonHeaders, body: '{"sku":"a"}' }),
    )
    expect(response).toMatchObject({
      statusCode: 201,
      headers: { Location: '/orders/1', 'Access-Control-Allow-Origin': 'https://shop.example' },
      body: '{"sku":"a"}',
    })
  })

  it('keeps the query and cookies of a request whose body the JSON body parser parsed', async () => {
    const response = await send(stack, {
      ...v1Event('POST', '/orders/1/notes', {
        headers: { ...jsonHeaders, cookie: 'session=abc' },
        body: '{"sku":"a"}',
      }),
      queryStringParameters: { dry: '1' },
    })
    expect(bodyOf(response)).toEqual({
      query: { dry: '1' },
      cookies: { session: 'abc' },
    })
  })

  it('lets the error handler answer the body parser 422 for malformed JSON', async () => {
    const response = await send(
      stack,
      v2Event('POST', '/orders', { headers: jsonHeaders, body: '{' }),
    )
    expect(response).toMatchObject({ statusCode: 422 })
  })

  it('answers its own 404 and 405 as problem details that CORS still decorates', async () => {
    const missing = await send(
      stack,
      v2Event('GET', '/nothing', { headers: { origin: 'https://shop.example' } }),
    )
    expect(missing).toMatchObject({
      statusCode: 404,
      headers: {
        'Content-Type': 'application/problem+json',
        'Access-Control-Allow-Origin': 'https://shop.example',
      },
    })
    const wrong = await send(
      stack,
      v2Event('PUT', '/orders/1', { headers: { origin: 'https://shop.example' } }),
    )
    expect(wrong).toMatchObject({ statusCode: 405, headers: { Allow: 'GET, HEAD' } })
  })

  it('routes GET requests with path parameters through the stack', async () => {
    const response = await send(stack, v2Event('GET', '/orders/42'))
    expect(bodyOf(response)).toEqual({ id: '42' })
  })

  it('works with the Middy error handler and body parser alone, answering its 405 itself', async () => {
    const resolved = middy()
      .use(httpErrorHandler({ logger: false }))
      .use(httpJsonBodyParser({ disableContentTypeError: true }))
      .handler(app)
    expect(await send(resolved, v2Event('DELETE', '/orders'))).toMatchObject({
      statusCode: 405,
      headers: { Allow: 'POST' },
    })
    const ok = await send(
      resolved,
      v2Event('POST', '/orders', { headers: jsonHeaders, body: '{"a":1}' }),
    )
    expect(ok).toMatchObject({ statusCode: 201, body: '{"a":1}' })
  })
})

describe('route handlers after the request builder', () => {
  it('see the query, cookies and multi-value headers the builder computes on first read', async () => {
    const app = router({
      http: [
        {
          method: 'GET',
          path: '/orders/{id}',
          handler: (request) => ({
            id: request.params.id,
            query: request.query,
            cookies: request.cookies,
            accept: request.multiValueHeaders.accept,
          }),
        },
      ],
    })
    const stack = middy().use(requestBuilder()).handler(app)
    const event = {
      ...v1Event('GET', '/orders/7', { headers: { accept: 'text/html', cookie: 'a=1' } }),
      queryStringParameters: { page: '2' },
    }
    expect(bodyOf(await stack(event, context()))).toEqual({
      id: '7',
      query: { page: '2' },
      cookies: { a: '1' },
      accept: ['text/html'],
    })
    const direct = middy().use(requestBuilder()).handler(app)
    expect(bodyOf(await direct(event, context()))).toMatchObject({ query: { page: '2' } })
  })
})
