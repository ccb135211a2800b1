import { describe, expect, it } from 'vitest'
import { buildRequest, type HttpRequest } from '../../src/request/index.ts'
import { router } from '../../src/router/index.ts'
import { lazyHttpRequest } from '../../src/router/lazy.ts'
import { loadEvent } from '../support/events.ts'
import { bodyOf, context, v1Event, v2Event } from './support.ts'

const FIELDS = [
  'kind',
  'shape',
  'method',
  'path',
  'multiValue',
  'isBase64Encoded',
  'body',
  'bodyBytes',
  'json',
  'headers',
  'multiValueHeaders',
  'query',
  'multiValueQuery',
  'cookies',
  'contentType',
  'sourceIp',
  'gatewayRequestId',
  'stage',
  'pathParameters',
  'requestId',
] as const

const withoutBody = (name: string) => ({ ...loadEvent(name), body: null })

describe('the lazily built request', () => {
  it.each([
    'alb/base',
    'alb/multi-fields',
    'function-url/get-request',
    'apigw-http/no-auth',
    'apigw-rest/no-auth',
  ])('reads every field of %s as the request builder does', (name) => {
    const event = withoutBody(name)
    const lazy = lazyHttpRequest(event, {}, 'req-1')
    const built = buildRequest(event, { requestId: 'req-1' })
    if (lazy === undefined || !built.ok) throw new Error('expected both requests')
    const eager = built.value as HttpRequest
    for (const field of FIELDS) expect(lazy[field], field).toEqual(eager[field])
    expect(lazy.event).toBe(event)
  })

  it.each([
    ['an event with a body', { ...v2Event('POST', '/x'), body: '{}' }],
    ['a named HTTP API stage', { ...v2Event('GET', '/prod/x'), requestContext: { stage: 'prod' } }],
    ['a REST event without a stage', { ...v1Event('GET', '/x'), requestContext: {} }],
    ['an event without a request context', { httpMethod: 'GET', path: '/x' }],
    ['an empty method', v1Event('', '/x')],
    ['a path without a slash', v1Event('GET', 'x')],
    ['a record event', loadEvent('sqs/base')],
    ['a string', 'nope'],
  ])('is not used for %s', (_case, event) => {
    expect(lazyHttpRequest(event, {}, undefined)).toBeUndefined()
  })

  it('answers the 400 of a malformed event when the handler reads what is malformed', async () => {
    const app = router({
      http: [
        { method: 'GET', path: '/headers', handler: (request) => request.headers },
        { method: 'GET', path: '/params', handler: () => 'fine' },
      ],
    })
    const malformed = (path: string) => ({
      ...v2Event('GET', path),
      headers: { bad: { not: 'a string' } },
    })
    expect(await app(malformed('/headers'), context())).toMatchObject({ statusCode: 400 })
    expect(await app(malformed('/params'), context())).toMatchObject({ statusCode: 200 })
  })

  it('serialises every field, and the route input with its query', async () => {
    const seen: string[] = []
    const app = router({
      http: [
        {
          method: 'GET',
          path: '/x/{id}',
          handler: (request) => {
            seen.push(JSON.stringify(request), JSON.stringify(request.input))
            return null
          },
        },
      ],
    })
    await app(v2Event('GET', '/x/1', { query: 'q=2', headers: { 'x-a': 'b' } }), context())
    const [request, input] = seen.map((text) => JSON.parse(text))
    expect(request).toMatchObject({ path: '/x/1', params: { id: '1' }, headers: { 'x-a': 'b' } })
    expect(input).toEqual({ query: { q: '2' } })
    const lazy = lazyHttpRequest(v2Event('GET', '/y'), {}, undefined)
    expect(Object.keys(lazy?.toJSON() ?? {})).not.toContain('params')
  })

  it('leaves a named stage to the request builder, which strips it from the path', async () => {
    const app = router({ http: [{ method: 'GET', path: '/orders', handler: (r) => r.path }] })
    const event = v2Event('GET', '/prod/orders')
    event.requestContext.stage = 'prod'
    expect(bodyOf(await app(event, context()))).toBe('/orders')
  })
})
