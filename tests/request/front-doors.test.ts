/**
 * Which events are HTTP requests: not every event with `httpMethod` is API Gateway, VPC Lattice
 * is an HTTP front door of its own, and the small events users and peers write by hand are read
 * when they carry what a request needs (a method and a path).
 */
import { describe, expect, it } from 'vitest'
import { type AppRequest, buildRequest, type HttpRequest } from '../../src/request/index.ts'
import { loadEvent } from '../support/events.ts'

type Json = Record<string, unknown>

const build = (event: unknown): AppRequest => {
  const result = buildRequest(event, { clock: () => 1_000 })
  if (!result.ok) throw new Error(`${result.error.statusCode} ${result.error.message}`)
  return result.value
}

const http = (event: unknown): HttpRequest => {
  const request = build(event)
  if (request.kind !== 'http') throw new Error(`read as ${request.kind}`)
  return request
}

describe('events with httpMethod that are not API Gateway', () => {
  it('reads a Bedrock Agent event as a bedrock request, not a REST event without a path', () => {
    const request = build(loadEvent('bedrock-agent/openapi'))
    expect(request.kind).toBe('bedrock')
  })

  it('reads the API Gateway WebSocket sample, which carries httpMethod, as a WebSocket request', () => {
    const request = build(loadEvent('apigw-rest/websocket'))
    expect(request).toMatchObject({ kind: 'websocket', routeKey: '$connect' })
  })
})

describe('VPC Lattice', () => {
  it('reads a Lattice v2 event as an HTTP request of shape lattice-v2', () => {
    const request = http(loadEvent('lattice/v2'))
    expect(request).toMatchObject({
      shape: 'lattice-v2',
      method: 'POST',
      path: '/orders',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.213.229.10' },
      multiValueQuery: { tag: ['a', 'b'] },
      query: { tag: 'b' },
      cookies: { session: 'abc', theme: 'dark' },
      json: { sku: 'widget' },
      sourceIp: '10.213.229.10',
      multiValue: false,
      pathEncoded: true,
      stage: undefined,
    })
  })

  it('reads a Lattice v1 event, decoding its base64 body and its snake_case fields', () => {
    const request = http(loadEvent('lattice/v1'))
    expect(request).toMatchObject({
      shape: 'lattice-v1',
      method: 'GET',
      path: '/orders/42',
      query: { 'order-id': '1' },
      body: '{"test": "event"}',
      isBase64Encoded: true,
      sourceIp: '10.213.229.10',
      multiValue: false,
    })
  })

  it('takes a query string left on a Lattice path out of the path and into the query', () => {
    const event: Json = { ...loadEvent('lattice/v1'), raw_path: '/orders?page=2&tag=a%20b' }
    delete event.query_string_parameters
    expect(http(event)).toMatchObject({ path: '/orders', query: { page: '2', tag: 'a b' } })
  })

  it('takes Lattice v2 header and query values given as plain strings', () => {
    const event = loadEvent('lattice/v2')
    event.headers = { accept: 'text/plain' }
    event.queryStringParameters = { q: 'x' }
    expect(http(event)).toMatchObject({ headers: { accept: 'text/plain' }, query: { q: 'x' } })
  })

  it('answers a Lattice event without a method or a path with a 400 naming its shape', () => {
    const noPath = loadEvent('lattice/v2')
    delete noPath.path
    const result = buildRequest(noPath)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.message).toBe('The lattice-v2 event has no path')
  })
})

describe('minimal hand-written HTTP events', () => {
  it('reads a REST event with nothing but a method and a path', () => {
    expect(http({ httpMethod: 'GET', path: '/orders' })).toMatchObject({
      shape: 'rest-v1',
      method: 'GET',
      path: '/orders',
      headers: {},
      query: {},
      body: undefined,
      stage: undefined,
      sourceIp: undefined,
      gatewayRequestId: undefined,
    })
  })

  it('reads a REST event whose requestContext has no stage', () => {
    const event = loadEvent('apigw-rest/no-auth')
    delete (event.requestContext as Json).stage
    expect(http(event)).toMatchObject({ method: 'POST', path: '/no-auth', stage: undefined })
  })

  it('reads the REST samples that lack requestContext.stage', () => {
    expect(http(loadEvent('apigw-rest/invalid'))).toMatchObject({ method: 'GET', path: '/' })
    expect(http(loadEvent('apigw-http/invalid'))).toMatchObject({ path: '/invalid' })
  })

  it('reads a minimal HTTP API event and a minimal body-carrying REST event', () => {
    expect(
      http({ version: '2.0', rawPath: '/a', requestContext: { http: { method: 'put' } } }),
    ).toMatchObject({ shape: 'http-v2', method: 'PUT', path: '/a' })
    expect(
      http({
        httpMethod: 'POST',
        path: '/orders',
        headers: { 'Content-Type': 'application/json' },
        body: '{"sku":"a"}',
      }),
    ).toMatchObject({ json: { sku: 'a' } })
  })

  it('still answers an HTTP event without a method or a path with a 400', () => {
    for (const event of [{ httpMethod: 'GET' }, { httpMethod: '', path: '/' }]) {
      const result = buildRequest(event)
      expect(result.ok ? 200 : result.error.statusCode).toBe(400)
    }
  })
})

describe('REST v1 events with both header maps', () => {
  const event = {
    ...loadEvent('apigw-rest/no-auth'),
    headers: { Accept: 'text/html', 'X-Tag': 'b', Cookie: 'b=2' },
    multiValueHeaders: { Accept: ['text/html'], 'X-Tag': ['a', 'b'], Cookie: ['a=1', 'b=2'] },
  }

  it('takes the single-value map for headers and the multi-value map for every value', () => {
    const request = http(event)
    expect(request.headers['x-tag']).toBe('b')
    expect(request.multiValueHeaders['x-tag']).toEqual(['a', 'b'])
  })

  it('offers every value of a header combined with ", " (cookies with "; ")', () => {
    const request = http(event)
    expect(request.combinedHeaders).toMatchObject({
      accept: 'text/html',
      'x-tag': 'a, b',
      cookie: 'a=1; b=2',
    })
    expect(http(loadEvent('apigw-http/no-auth')).combinedHeaders.authorization).toBe('Bearer foo')
  })
})
