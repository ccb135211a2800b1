import { describe, expect, it } from 'vitest'
import { parseCookies } from '../../src/request/cookies.ts'
import { buildRequest, type HttpRequest } from '../../src/request/index.ts'
import { loadEvent } from '../support/events.ts'

type Json = Record<string, unknown>

const v1 = (changes: Json = {}): Json => ({ ...loadEvent('apigw-rest/no-auth'), ...changes })
const v2 = (changes: Json = {}): Json => ({ ...loadEvent('apigw-http/no-auth'), ...changes })

const http = (event: unknown, options = {}): HttpRequest => {
  const result = buildRequest(event, options)
  if (!result.ok) throw new Error(result.error.message)
  if (result.value.kind !== 'http') throw new Error(result.value.kind)
  return result.value
}

const failure = (event: unknown, options = {}) => {
  const result = buildRequest(event, options)
  if (result.ok) throw new Error('expected an error')
  return result.error
}

describe('HTTP normalisation', () => {
  it('upper-cases the method and lower-cases header names, keeping every value', () => {
    const request = http(
      v1({
        httpMethod: 'patch',
        headers: { 'X-Trace': 'b', Accept: 'text/html' },
        multiValueHeaders: { 'X-Trace': ['a', 'b'], Accept: ['text/html'] },
      }),
    )
    expect(request.method).toBe('PATCH')
    expect(request.headers).toEqual({ 'x-trace': 'b', accept: 'text/html' })
    expect(request.multiValueHeaders).toEqual({ 'x-trace': ['a', 'b'], accept: ['text/html'] })
  })

  it('reads single and multi-value query parameters of REST v1', () => {
    const request = http(
      v1({
        queryStringParameters: { id: '2', q: 'x' },
        multiValueQueryStringParameters: { id: ['1', '2'] },
      }),
    )
    expect(request.query).toEqual({ id: '2', q: 'x' })
    expect(request.multiValueQuery).toEqual({ id: ['1', '2'], q: ['x'] })
  })

  it('parses the raw query string of HTTP API v2, decoding names and values once', () => {
    const request = http(v2({ rawQueryString: 'a=1&a=2&name=J%C3%B6rg+M&flag&&e%ZZ=x' }))
    expect(request.multiValueQuery).toEqual({
      a: ['1', '2'],
      name: ['Jörg M'],
      flag: [''],
      'e%ZZ': ['x'],
    })
    expect(request.query.a).toBe('2')
  })

  it('decodes ALB query parameters, which ALB passes through encoded', () => {
    const event = loadEvent('alb/base')
    event.queryStringParameters = { 'a%20b': 'c%2Fd', plus: 'x+y' }
    expect(http(event).query).toEqual({ 'a b': 'c/d', plus: 'x y' })
  })

  it('parses cookies from the v2 cookies array and from the v1 Cookie header', () => {
    expect(http(v2({ cookies: ['session=abc', 'theme=dark%20blue', 42] })).cookies).toEqual({
      session: 'abc',
      theme: 'dark blue',
    })
    const fromHeader = http(
      v1({
        headers: { Cookie: 'a=1; b="quoted"' },
        multiValueHeaders: { Cookie: ['a=1; b="quoted"', 'a=2'] },
      }),
    )
    expect(fromHeader.cookies).toEqual({ a: '1', b: 'quoted' })
  })

  it('skips cookie pairs without a name or an equals sign and keeps malformed escapes as sent', () => {
    expect(parseCookies(['=x; novalue; ok=1; bad=%E0%A4%A; ok=2'])).toEqual({
      ok: '1',
      bad: '%E0%A4%A',
    })
  })

  it('decodes a base64 body and keeps its bytes', () => {
    const request = http(
      v2({ body: Buffer.from('héllo').toString('base64'), isBase64Encoded: true }),
    )
    expect(request.body).toBe('héllo')
    expect(Buffer.from(request.bodyBytes ?? []).toString('utf8')).toBe('héllo')
    expect(request.isBase64Encoded).toBe(true)
  })

  it('parses a JSON body when the content type is JSON, including +json types', () => {
    const json = http(
      v2({ headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"a":[1]}' }),
    )
    expect(json.json).toEqual({ a: [1] })
    expect(json.contentType).toBe('application/json')
    const ld = http(v2({ headers: { 'Content-Type': 'application/ld+json' }, body: '{"@id":"x"}' }))
    expect(ld.json).toEqual({ '@id': 'x' })
    const text = http(v2({ headers: { 'content-type': 'text/plain' }, body: '{"a":1}' }))
    expect(text.json).toBeUndefined()
    expect(text.body).toBe('{"a":1}')
  })

  it('does not parse JSON when told not to', () => {
    const request = http(v2({ headers: { 'content-type': 'application/json' }, body: '{' }), {
      jsonBody: 'off',
    })
    expect(request.json).toBeUndefined()
  })

  it('strips a named HTTP API stage from the path, as REST v1 does', () => {
    const event = v2({ rawPath: '/prod/orders/1' })
    ;(event.requestContext as Json).stage = 'prod'
    expect(http(event).path).toBe('/orders/1')
    const root = v2({ rawPath: '/prod' })
    ;(root.requestContext as Json).stage = 'prod'
    expect(http(root).path).toBe('/')
    const other = v2({ rawPath: '/production/x' })
    ;(other.requestContext as Json).stage = 'prod'
    expect(http(other).path).toBe('/production/x')
  })

  it('keeps the path parameters API Gateway extracted', () => {
    expect(http(v1({ pathParameters: { id: '7', bad: 1 } })).pathParameters).toEqual({ id: '7' })
  })
})

describe('bad HTTP input', () => {
  it('answers malformed JSON with a 400', () => {
    const error = failure(v2({ headers: { 'content-type': 'application/json' }, body: '{"a":' }))
    expect(error.statusCode).toBe(400)
    expect(error.message).toBe('The body is not valid JSON')
  })

  it('answers a body that is not JSON with a 415 when JSON is required', () => {
    const error = failure(v2({ headers: { 'content-type': 'text/csv' }, body: 'a,b' }), {
      jsonBody: 'required',
    })
    expect(error.statusCode).toBe(415)
    expect(error.message).toContain('text/csv')
    expect(failure(v2({ body: 'a,b' }), { jsonBody: 'required' }).message).toContain(
      'no content type',
    )
  })

  it.each(['not base64!', 'abcde', '===='])(
    'answers the malformed base64 body %j with a 400',
    (body) => {
      const error = failure(v2({ body, isBase64Encoded: true }))
      expect(error.statusCode).toBe(400)
      expect(error.message).toContain('base64')
    },
  )

  it('takes a body a JSON body parser already parsed as the JSON body', () => {
    const request = http(v2({ body: { a: [1] }, headers: { 'content-type': 'application/json' } }))
    expect(request.json).toEqual({ a: [1] })
    expect(request.body).toBe('{"a":[1]}')
    expect(http(v2({ body: 42 })).json).toBe(42)
  })

  it('answers a body of no JSON type with a 400', () => {
    expect(failure(v2({ body: () => 1 })).statusCode).toBe(400)
  })

  it('answers a header with an object value with a 400 naming the header', () => {
    const error = failure(v2({ headers: { 'x-evil': { nested: true } } }))
    expect(error.statusCode).toBe(400)
    expect(error.message).toContain('x-evil')
    expect(
      failure(v1({ headers: null, multiValueHeaders: { 'x-list': [['a']] } })).statusCode,
    ).toBe(400)
    expect(failure(v1({ headers: null, multiValueHeaders: { 'x-one': 'a' } })).statusCode).toBe(400)
    expect(
      failure(v1({ multiValueQueryStringParameters: null, queryStringParameters: { q: [] } }))
        .statusCode,
    ).toBe(400)
  })

  it('skips what is not text in the multi-value view when the single-value headers are there', () => {
    const request = http(v1({ headers: { a: '1' }, multiValueHeaders: { a: ['1', { x: 1 }] } }))
    expect(request.headers).toEqual({ a: '1' })
    expect(request.multiValueHeaders).toEqual({ a: ['1'] })
  })

  it('keeps numeric and boolean header values as strings and skips null ones', () => {
    const request = http(v2({ headers: { 'content-length': 12, 'x-flag': true, 'x-none': null } }))
    expect(request.headers).toEqual({ 'content-length': '12', 'x-flag': 'true' })
  })

  it('answers an event without a method or a path with a clear 400, never a TypeError', () => {
    const v2NoMethod = v2()
    ;(v2NoMethod.requestContext as Json).http = 'GET'
    expect(failure(v2NoMethod).message).toContain('no HTTP method')
    expect(failure(v1({ httpMethod: '' })).message).toContain('no HTTP method')
    expect(failure(v1({ path: 'relative' })).message).toContain('no path')
  })

  it('handles a 5 MB body, and answers a body over the limit with a 413', () => {
    const big = 'x'.repeat(5 * 1024 * 1024)
    expect(http(v2({ body: big })).body?.length).toBe(big.length)
    const error = failure(v2({ body: big }), { maxBodyBytes: 1024 })
    expect(error.statusCode).toBe(413)
  })
})

describe('the client address', () => {
  it('takes the last X-Forwarded-For entry of an ALB event, which ALB added, not the first', () => {
    const single = loadEvent('alb/base')
    single.headers = { ...(single.headers as object), 'x-forwarded-for': '1.2.3.4, 72.12.164.125' }
    expect(http(single).sourceIp).toBe('72.12.164.125')
    const multi = loadEvent('alb/multi-fields')
    multi.multiValueHeaders = {
      ...(multi.multiValueHeaders as object),
      'x-forwarded-for': ['6.6.6.6', '10.0.0.1, 123.123.123.123'],
    }
    expect(http(multi).sourceIp).toBe('123.123.123.123')
    const none = loadEvent('alb/base')
    none.headers = { accept: '*/*' }
    expect(http(none).sourceIp).toBeUndefined()
  })

  it('never reads a REST API address from a header the client can write', () => {
    const event = v1({ headers: { 'X-Forwarded-For': '6.6.6.6' }, multiValueHeaders: null })
    ;(event.requestContext as Json).identity = {}
    expect(http(event).sourceIp).toBeUndefined()
  })
})
