import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import {
  BadRequestError,
  MethodNotAllowedError,
  UnauthorizedError,
} from '../../src/errors/index.ts'
import {
  accepted,
  binary,
  created,
  isReply,
  json,
  noContent,
  problem,
  type ResponseTarget,
  responder,
  text,
} from '../../src/response/index.ts'
import { respond, respondError, targetOf } from '../../src/response/shape.ts'
import { err, ok } from '../../src/result/index.ts'
import { loadEvent } from '../support/events.ts'
import { spyLogger } from '../support/logger.ts'

const v1: ResponseTarget = { shape: 'rest-v1', multiValue: true, method: 'GET' }
const v2: ResponseTarget = { shape: 'http-v2', multiValue: false, method: 'GET' }
const url: ResponseTarget = { shape: 'function-url', multiValue: false, method: 'GET' }
const albMulti: ResponseTarget = { shape: 'alb', multiValue: true, method: 'GET' }
const albSingle: ResponseTarget = { shape: 'alb', multiValue: false, method: 'GET' }
const cookie = { name: 'sid', value: 'x1', httpOnly: true, secure: true, sameSite: 'Lax' as const }
const context = { awsRequestId: 'req-1' } as Context

describe('respond', () => {
  it('answers a plain value as JSON with status 200 in the HTTP API v2 shape', () => {
    expect(respond({ id: 1 }, v2)).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json' },
      body: '{"id":1}',
      isBase64Encoded: false,
    })
  })

  it('answers undefined with 204 and no body', () => {
    expect(respond(undefined, v2)).toEqual({ statusCode: 204, headers: {}, isBase64Encoded: false })
    expect(respond(undefined, v1)).toMatchObject({ statusCode: 204, body: '' })
  })

  it('puts cookies in the cookies array for HTTP API v2 and Function URL', () => {
    for (const target of [v2, url]) {
      const response = respond(json({ a: 1 }, { cookies: [cookie] }), target)
      expect(response).toMatchObject({ cookies: ['sid=x1; Secure; HttpOnly; SameSite=Lax'] })
      expect(response.headers).not.toHaveProperty('Set-Cookie')
    }
  })

  it('puts cookies in multiValueHeaders Set-Cookie for REST v1', () => {
    const two = [cookie, { name: 'theme', value: 'dark' }]
    expect(respond(json({ a: 1 }, { cookies: two }), v1)).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json' },
      multiValueHeaders: { 'Set-Cookie': ['sid=x1; Secure; HttpOnly; SameSite=Lax', 'theme=dark'] },
      body: '{"a":1}',
      isBase64Encoded: false,
    })
  })

  it('answers ALB with multi-value headers only, cookies included, when the event was multi-value', () => {
    expect(respond(created({ id: 2 }, '/x/2', { cookies: [cookie] }), albMulti)).toEqual({
      statusCode: 201,
      statusDescription: '201 Created',
      multiValueHeaders: {
        'Content-Type': ['application/json'],
        Location: ['/x/2'],
        'Set-Cookie': ['sid=x1; Secure; HttpOnly; SameSite=Lax'],
      },
      body: '{"id":2}',
      isBase64Encoded: false,
    })
  })

  it('answers ALB without multi-value headers with a single Set-Cookie header', () => {
    expect(respond(text('hi', { cookies: [cookie] }), albSingle)).toEqual({
      statusCode: 200,
      statusDescription: '200 OK',
      headers: {
        'Content-Type': 'text/plain; charset=utf-8',
        'Set-Cookie': 'sid=x1; Secure; HttpOnly; SameSite=Lax',
      },
      body: 'hi',
      isBase64Encoded: false,
    })
  })

  it('answers a 500 problem rather than dropping cookies ALB single-value headers cannot carry', () => {
    const response = respond(noContent({ cookies: [cookie, { name: 'b', value: '2' }] }), albSingle)
    expect(response).toMatchObject({
      statusCode: 500,
      statusDescription: '500 Internal Server Error',
    })
    expect(JSON.parse(response.body ?? '')).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
    })
  })

  it('builds each helper with its status and media type', () => {
    const ld = json({ '@type': 'Order' }, { headers: { 'Content-Type': 'application/ld+json' } })
    expect(respond(ld, v2)).toMatchObject({
      statusCode: 200,
      headers: { 'Content-Type': 'application/ld+json' },
    })
    expect(respond(created({ id: 1 }, '/o/1'), v2)).toMatchObject({
      statusCode: 201,
      headers: { Location: '/o/1', 'Content-Type': 'application/json' },
    })
    expect(respond(created(undefined, '/o/1'), v2)).toEqual({
      statusCode: 201,
      headers: { Location: '/o/1' },
      isBase64Encoded: false,
    })
    expect(respond(accepted({ job: 'j' }), v2)).toMatchObject({
      statusCode: 202,
      body: '{"job":"j"}',
    })
    expect(respond(accepted(), v2)).toEqual({
      statusCode: 202,
      headers: {},
      isBase64Encoded: false,
    })
    expect(respond(noContent(), v1)).toMatchObject({ statusCode: 204, body: '' })
    expect(
      respond(json({}, { status: 299, headers: { 'Content-Type': 'x/y' } }), v2),
    ).toMatchObject({
      statusCode: 299,
      headers: { 'Content-Type': 'x/y' },
    })
  })

  it('encodes binary bodies as base64 with isBase64Encoded', () => {
    const bytes = new Uint8Array([0, 1, 2, 255])
    expect(respond(binary(bytes, 'image/png'), v1)).toMatchObject({
      headers: { 'Content-Type': 'image/png' },
      body: 'AAEC/w==',
      isBase64Encoded: true,
    })
    expect(respond(bytes.subarray(1, 3), v2)).toMatchObject({
      headers: { 'Content-Type': 'application/octet-stream' },
      body: 'AQI=',
      isBase64Encoded: true,
    })
  })

  it('unwraps an ok Result and answers an error Result with problem details and the error headers', () => {
    expect(respond(ok({ a: 1 }), v2)).toMatchObject({ statusCode: 200, body: '{"a":1}' })
    const response = respond(err(new MethodNotAllowedError(['GET', 'HEAD'])), v2)
    expect(response).toMatchObject({
      statusCode: 405,
      headers: { 'Content-Type': 'application/problem+json', Allow: 'GET, HEAD' },
    })
    expect(JSON.parse(response.body ?? '')).toMatchObject({
      status: 405,
      details: { allow: ['GET', 'HEAD'] },
    })
  })

  it('never shows the internals of a 5xx error or of a thrown non-AppError', () => {
    const response = respondError(new Error('password=hunter2 at db.ts:12'), v1)
    expect(response.statusCode).toBe(500)
    expect(response.body).not.toContain('hunter2')
    expect(JSON.parse(response.body ?? '')).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
    })
  })

  it('answers a returned Error as a problem', () => {
    expect(respond(new BadRequestError('bad id'), v2)).toMatchObject({ statusCode: 400 })
  })

  it('answers a value JSON cannot serialise with a 500 problem instead of throwing', () => {
    expect(respond({ n: 10n }, v2)).toMatchObject({ statusCode: 500 })
  })

  it('answers a value JSON serialises to nothing with an empty 200', () => {
    expect(respond(() => 1, v1)).toMatchObject({ statusCode: 200, body: '' })
  })

  it('passes a full response object through untouched', () => {
    const full = { statusCode: 302, headers: { Location: '/' }, body: '' }
    expect(respond(full, v2)).toBe(full)
    expect(respond(ok(full), v1)).toBe(full)
  })

  it('drops the body of a response to HEAD but keeps its status and headers', () => {
    const head = { ...v1, method: 'HEAD' }
    expect(respond(binary(new Uint8Array([1])), head)).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/octet-stream' },
      body: '',
      isBase64Encoded: false,
    })
  })

  it('drops the body of a full Lambda response to HEAD too, in each shape', () => {
    const full = {
      statusCode: 200,
      headers: { ETag: '"v1"' },
      body: 'hello',
      isBase64Encoded: false,
    }
    expect(respond(full, { ...v1, method: 'HEAD' })).toEqual({ ...full, body: '' })
    const { body: _dropped, ...v2Head } = full
    expect(respond(full, { ...v2, method: 'HEAD' })).toEqual(v2Head)
    expect(respond(full, { ...v1, method: 'GET' })).toBe(full)
  })

  it('writes problem details with the instance and lets init headers win', () => {
    const reply = problem(
      new UnauthorizedError('no token', { headers: { 'WWW-Authenticate': 'Bearer' } }),
      {
        instance: '/orders',
        headers: { 'Cache-Control': 'no-store' },
      },
    )
    expect(isReply(reply)).toBe(true)
    expect(reply.headers).toEqual({
      'Content-Type': 'application/problem+json',
      'WWW-Authenticate': 'Bearer',
      'Cache-Control': 'no-store',
    })
    expect(JSON.parse(reply.body ?? '')).toMatchObject({ instance: '/orders', detail: 'no token' })
  })

  it('gives unknown statuses a generic ALB status description', () => {
    expect(respond(json(null, { status: 418 }), albSingle)).toMatchObject({
      statusDescription: '418 Client Error',
    })
  })
})

describe('targetOf', () => {
  it('reads the shape, the multi-value flag and the method of every HTTP event sample', async () => {
    expect(targetOf(await loadEvent('apigw-rest/no-auth'))).toMatchObject({
      shape: 'rest-v1',
      multiValue: true,
    })
    expect(targetOf(await loadEvent('apigw-http/no-auth'))).toMatchObject({
      shape: 'http-v2',
      multiValue: false,
    })
    expect(targetOf(await loadEvent('function-url/base'))).toMatchObject({ shape: 'function-url' })
    expect(targetOf(await loadEvent('alb/base'))).toEqual({
      shape: 'alb',
      multiValue: false,
      method: 'GET',
    })
    expect(targetOf(await loadEvent('alb/multi-fields'))).toMatchObject({
      shape: 'alb',
      multiValue: true,
    })
  })

  it('reads the typed request of the event, and answers undefined for events that are not HTTP', async () => {
    const alb = { ...(await loadEvent('alb/multi-fields')), httpMethod: 'PUT' }
    const context = {}
    expect(targetOf(alb, context)).toEqual({ shape: 'alb', multiValue: true, method: 'PUT' })
    // built once, kept on context.request for every other part
    expect((context as { request?: { event: unknown } }).request?.event).toBe(alb)
    expect(targetOf({ httpMethod: 'GET', path: '/' })).toEqual({
      shape: 'rest-v1',
      multiValue: false,
      method: 'GET',
    })
    expect(targetOf(await loadEvent('sqs/base'))).toBeUndefined()
    expect(targetOf('not an event')).toBeUndefined()
    expect(targetOf({ version: '2.0', requestContext: {} })).toEqual({
      shape: 'http-v2',
      multiValue: false,
      method: 'GET',
    })
  })
})

describe('responder middleware', () => {
  it('shapes the value a plain handler returns for the event it answers', async () => {
    const event = await loadEvent('apigw-rest/no-auth')
    const handler = middy()
      .use(responder())
      .handler(async () => created({ id: 7 }, '/things/7', { cookies: [cookie] }))
    expect(await handler(event, context)).toMatchObject({
      statusCode: 201,
      multiValueHeaders: { 'Set-Cookie': ['sid=x1; Secure; HttpOnly; SameSite=Lax'] },
    })
  })

  it('answers a thrown AppError as a problem and logs only server errors', async () => {
    const event = await loadEvent('apigw-http/no-auth')
    const logger = spyLogger()
    const thrower = (error: Error) =>
      middy()
        .use(responder({ logger }))
        .handler(async () => {
          throw error
        })
    expect(await thrower(new BadRequestError('bad'))(event, context)).toMatchObject({
      statusCode: 400,
    })
    expect(logger.error).not.toHaveBeenCalled()
    const failure = new Error('boom')
    expect(await thrower(failure)(event, context)).toMatchObject({ statusCode: 500 })
    expect(logger.error).toHaveBeenCalledWith('request failed', failure)
  })

  it('logs a server error returned as an error Result, and logs nothing when told so', async () => {
    const event = await loadEvent('apigw-http/no-auth')
    const logger = spyLogger()
    const failing = middy()
      .use(responder({ logger }))
      .handler(async () => err(new Error('db down')))
    expect(await failing(event, context)).toMatchObject({ statusCode: 500 })
    expect(logger.error).toHaveBeenCalledTimes(1)
    const quiet = middy()
      .use(responder({ logger: false }))
      .handler(async () => {
        throw new Error('x')
      })
    expect(await quiet(event, context)).toMatchObject({ statusCode: 500 })
  })

  it('leaves an error another middleware already answered alone', async () => {
    const event = await loadEvent('apigw-http/no-auth')
    const handler = middy()
      .use(responder())
      .use({
        onError: (request) => {
          request.response = { statusCode: 418 }
        },
      })
      .handler(async () => {
        throw new Error('x')
      })
    expect(await handler(event, context)).toEqual({ statusCode: 418 })
  })

  it('passes record results through, unwraps an ok Result and fails the invocation on an error Result', async () => {
    const event = await loadEvent('sqs/base')
    const passthrough = middy()
      .use(responder())
      .handler(async () => ({ batchItemFailures: [] }))
    expect(await passthrough(event, context)).toEqual({ batchItemFailures: [] })
    const unwrapped = middy()
      .use(responder())
      .handler(async () => ok('done'))
    expect(await unwrapped(event, context)).toBe('done')
    const failed = middy()
      .use(responder())
      .handler(async () => err(new Error('poison')))
    await expect(failed(event, context)).rejects.toThrow('poison')
    const failedWithString = middy()
      .use(responder())
      .handler(async () => err('poison'))
    await expect(failedWithString(event, context)).rejects.toMatchObject({ statusCode: 500 })
    const thrown = middy()
      .use(responder())
      .handler(async () => {
        throw new Error('thrown')
      })
    await expect(thrown(event, context)).rejects.toThrow('thrown')
  })
})

describe('headers with names from outside', () => {
  it('sends a header a handler names __proto__, as any other, in every shape', () => {
    const headers = Object.fromEntries([['__proto__', 'x']]) as Record<string, string>
    for (const shape of ['http-v2', 'rest-v1', 'alb'] as const) {
      const response = respond(json({}, { headers }), {
        shape,
        multiValue: shape === 'alb',
        method: 'GET',
      })
      const sent =
        (response as { headers?: object; multiValueHeaders?: object }).headers ??
        (response as { multiValueHeaders?: object }).multiValueHeaders ??
        {}
      expect(Object.hasOwn(sent, '__proto__'), shape).toBe(true)
    }
  })
})

describe('headers that could split the response', () => {
  it.each([
    ['a value with CR LF', { Location: '/x\r\nSet-Cookie: pwn=1' }],
    ['a value with a bare LF', { 'X-Note': 'a\nb' }],
    ['a name that is not a token', { 'X Bad': 'v' }],
  ])('refuses %s with a TypeError', (_case, headers) => {
    expect(() => json({}, { headers })).toThrow(TypeError)
  })

  it('refuses a Location built from input with a line break', () => {
    expect(() => created({}, '/orders/1\r\nSet-Cookie: a=b')).toThrow(TypeError)
  })
})

describe('VPC Lattice responses', () => {
  const lattice: ResponseTarget = { shape: 'lattice-v2', multiValue: false, method: 'GET' }

  it('answers with a status description and single-value headers, a cookie included', () => {
    const reply = json({ a: 1 }, { cookies: [{ name: 'seen', value: '1' }] })
    expect(respond(reply, lattice)).toEqual({
      statusCode: 200,
      statusDescription: '200 OK',
      headers: { 'Content-Type': 'application/json', 'Set-Cookie': 'seen=1' },
      body: '{"a":1}',
      isBase64Encoded: false,
    })
    expect(respond({ a: 1 }, { ...lattice, shape: 'lattice-v1' })).toMatchObject({
      statusDescription: '200 OK',
      body: '{"a":1}',
    })
  })

  it('answers a 500 problem rather than dropping cookies single-value headers cannot carry', () => {
    const reply = noContent({
      cookies: [
        { name: 'a', value: '1' },
        { name: 'b', value: '2' },
      ],
    })
    const response = respond(reply, lattice) as { statusCode: number; body: string }
    expect(response.statusCode).toBe(500)
    expect(response.body).not.toContain('cookie')
  })

  it('reads the target of raw Lattice events, and of no event that only has httpMethod', async () => {
    expect(targetOf(loadEvent('lattice/v1'))).toEqual({
      shape: 'lattice-v1',
      multiValue: false,
      method: 'GET',
    })
    expect(targetOf(loadEvent('lattice/v2'))).toEqual({
      shape: 'lattice-v2',
      multiValue: false,
      method: 'POST',
    })
    expect(targetOf(loadEvent('bedrock-agent/openapi'))).toBeUndefined()
    expect(targetOf(loadEvent('apigw-rest/websocket'))).toBeUndefined()
  })

  it('passes the answer of a Bedrock Agent handler through rather than shaping it for REST', async () => {
    const answer = { messageVersion: '1.0', response: { httpStatusCode: 200 } }
    const handler = middy()
      .use(responder({ logger: false }))
      .handler(() => answer)
    expect(await handler(loadEvent('bedrock-agent/openapi'), {} as Context)).toBe(answer)
  })
})
