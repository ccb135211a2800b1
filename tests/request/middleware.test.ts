import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import httpJsonBodyParser from '@middy/http-json-body-parser'
import type { Context } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { ConflictError } from '../../src/errors/index.ts'
import {
  type AppRequest,
  buildRequest,
  type RequestContext,
  requestBuilder,
  updateRequest,
} from '../../src/request/index.ts'
import { err, ok } from '../../src/result/index.ts'
import { lambdaContext, loadEvent } from '../support/events.ts'

/** Middy types the handler's context with what the middlewares add, so callers cast it. */
const context = () => lambdaContext() as unknown as Context & RequestContext

describe('requestBuilder middleware', () => {
  it('puts the built request on context.request with the Lambda request id', async () => {
    let seen: AppRequest | undefined
    const handler = middy()
      .use(requestBuilder({ clock: () => 42 }))
      .handler((_event, ctx: Context & RequestContext) => {
        seen = ctx.request
        return ctx.request.kind === 'http' ? ctx.request.path : ctx.request.kind
      })
    expect(await handler(loadEvent('apigw-http/no-auth'), context())).toBe('/lambda')
    expect(seen).toMatchObject({
      kind: 'http',
      receivedAt: 42,
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    })
    expect(await handler(loadEvent('sqs/base'), context())).toBe('sqs')
  })

  it('answers a malformed event with a 400 and does not run the handler', async () => {
    let ran = false
    const handler = middy()
      .use(httpErrorHandler({ logger: false }))
      .use(requestBuilder())
      .handler(() => {
        ran = true
        return { statusCode: 200 }
      })
    const event = {
      ...loadEvent('apigw-http/no-auth'),
      body: '{',
      headers: { 'content-type': 'application/json' },
    }
    const response = await handler(event, context())
    expect(response).toMatchObject({ statusCode: 400, body: 'The body is not valid JSON' })
    expect(ran).toBe(false)
  })

  it('runs the parse step and hands its request to the handler', async () => {
    const handler = middy()
      .use(
        requestBuilder({
          parse: async (request) =>
            request.kind === 'http'
              ? ok(updateRequest(request, { path: request.path.toUpperCase() }))
              : ok(request),
        }),
      )
      .handler((_e, ctx: Context & RequestContext) =>
        ctx.request.kind === 'http' ? ctx.request.path : '',
      )
    expect(await handler(loadEvent('apigw-http/no-auth'), context())).toBe('/LAMBDA')
  })

  it('copies every computed view of an HTTP request when updating it', () => {
    const event = loadEvent('apigw-http/no-auth')
    const built = buildRequest({ ...event, rawQueryString: 'a=1' })
    if (!built.ok || built.value.kind !== 'http') throw new Error('not http')
    const updated = updateRequest(built.value, { path: '/other' })
    expect(updated).toMatchObject({ path: '/other', query: { a: '1' }, method: 'POST' })
    expect(JSON.parse(JSON.stringify(updated))).toMatchObject({ path: '/other', query: { a: '1' } })
    expect(built.value.path).toBe('/lambda')
    const records = buildRequest(loadEvent('sqs/base'))
    if (!records.ok) throw new Error('not built')
    expect(updateRequest(records.value, { requestId: 'x' }).requestId).toBe('x')
  })

  it('answers a failed parse step with 422, or with the status of an AppError it gives', async () => {
    const make = (error: unknown) =>
      middy()
        .use(httpErrorHandler({ logger: false }))
        .use(requestBuilder({ parse: () => err(error) }))
        .handler(() => ({ statusCode: 200 }))
    expect(
      await make(new Error('id must be numeric'))(loadEvent('apigw-http/no-auth'), context()),
    ).toMatchObject({
      statusCode: 422,
      body: 'id must be numeric',
    })
    expect(await make('just a string')(loadEvent('apigw-http/no-auth'), context())).toMatchObject({
      statusCode: 422,
      body: 'The request did not pass the parse step',
    })
    expect(
      await make(new ConflictError('taken'))(loadEvent('apigw-http/no-auth'), context()),
    ).toMatchObject({
      statusCode: 409,
    })
  })
})

describe('requestBuilder after @middy/http-json-body-parser', () => {
  it('takes the body the parser already parsed', async () => {
    const handler = middy()
      .use(httpJsonBodyParser())
      .use(requestBuilder())
      .handler((_e, ctx: Context & RequestContext) =>
        ctx.request.kind === 'http' ? ctx.request.json : null,
      )
    const event = {
      ...loadEvent('apigw-http/no-auth'),
      headers: { 'content-type': 'application/json' },
      body: '{"sku":"42"}',
    }
    expect(await handler(event as never, context())).toEqual({ sku: '42' })
  })
})
