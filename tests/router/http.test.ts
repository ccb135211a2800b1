import { describe, expect, it, vi } from 'vitest'
import { ConflictError } from '../../src/errors/index.ts'
import { created, json } from '../../src/response/index.ts'
import { err, ok } from '../../src/result/index.ts'
import {
  type HttpRoute,
  type RoutedRequest,
  RouteTableError,
  route,
  router,
  type StandardSchemaV1,
} from '../../src/router/index.ts'
import { loadEvent } from '../support/events.ts'
import { spyLogger } from '../support/logger.ts'
import { bodyOf, context, v1Event, v2Event } from './support.ts'

/** A route whose handler answers with the template it was declared with, its method and params. */
const echo = (method: string, path: string): HttpRoute => ({
  method,
  path,
  handler: (request: RoutedRequest) => ({ route: `${method} ${path}`, params: request.params }),
})

/** Through a REST API event, whose path arrives percent-encoded as the client sent it. */
const call = async (routes: HttpRoute[], method: string, path: string) => {
  const app = router({ http: routes }, { logger: false })
  return (await app(v1Event(method, path), context())) as {
    statusCode: number
    headers: Record<string, string>
    body?: string
  }
}

describe('HTTP routing', () => {
  const table = [
    echo('GET', '/orders'),
    echo('POST', '/orders'),
    echo('GET', '/orders/{id}'),
    echo('GET', '/orders/new'),
    echo('DELETE', '/orders/{id}'),
    echo('GET', '/orders/{id}/items/{item}'),
    echo('GET', '/files/{path+}'),
    echo('GET', '/files/readme'),
    echo('ANY', '/any'),
    echo('GET', '/a/b/c'),
    echo('GET', '/a/{x}/d'),
    echo('GET', '/'),
  ]

  it.each([
    ['GET', '/orders', 'GET /orders', {}],
    ['GET', '/orders/', 'GET /orders', {}],
    ['POST', '/orders', 'POST /orders', {}],
    ['GET', '/orders/42', 'GET /orders/{id}', { id: '42' }],
    ['GET', '/orders/new', 'GET /orders/new', {}],
    ['DELETE', '/orders/new', 'DELETE /orders/{id}', { id: 'new' }],
    ['GET', '/orders/7/items/x', 'GET /orders/{id}/items/{item}', { id: '7', item: 'x' }],
    ['GET', '/files/readme', 'GET /files/readme', {}],
    ['GET', '/files/a/b/c.txt', 'GET /files/{path+}', { path: 'a/b/c.txt' }],
    ['GET', '/files/readme/more', 'GET /files/{path+}', { path: 'readme/more' }],
    ['PATCH', '/any', 'ANY /any', {}],
    ['GET', '/a/b/d', 'GET /a/{x}/d', { x: 'b' }],
    ['GET', '/a/b/c', 'GET /a/b/c', {}],
    ['GET', '/', 'GET /', {}],
    ['GET', '/orders/a%20b', 'GET /orders/{id}', { id: 'a b' }],
    ['GET', '/orders/a%2Fb', 'GET /orders/{id}', { id: 'a/b' }],
    ['GET', '/orders/%2525', 'GET /orders/{id}', { id: '%25' }],
    ['GET', '/orders/%6Eew', 'GET /orders/new', {}],
    ['GET', '/files/x%20y/z', 'GET /files/{path+}', { path: 'x y/z' }],
  ])('%s %s resolves to %s', async (method, path, expected, params) => {
    const response = await call(table, method, path)
    expect(response.statusCode).toBe(200)
    expect(bodyOf(response)).toEqual({ route: expected, params })
  })

  it.each([
    ['PUT', '/orders', 'GET, HEAD, POST'],
    ['POST', '/orders/42', 'DELETE, GET, HEAD'],
    ['DELETE', '/files/x/y', 'GET, HEAD'],
  ])('%s %s answers 405 with Allow: %s', async (method, path, allow) => {
    const response = await call(table, method, path)
    expect(response.statusCode).toBe(405)
    expect(response.headers).toMatchObject({
      Allow: allow,
      'Content-Type': 'application/problem+json',
    })
    expect(bodyOf(response)).toMatchObject({ status: 405, title: 'Method Not Allowed' })
  })

  it.each([
    ['GET', '/nothing'],
    ['GET', '/Orders'],
    ['GET', '/orders//items'],
    ['GET', '/files'],
    ['GET', '/orders/1/items'],
  ])('%s %s answers 404 as problem details', async (method, path) => {
    const response = await call(table, method, path)
    expect(response.statusCode).toBe(404)
    expect(bodyOf(response)).toMatchObject({
      status: 404,
      detail: `No route for ${method} ${path}`,
    })
  })

  it('does not decode again the path HTTP API already decoded', async () => {
    const app = router({ http: [echo('GET', '/files/{name}')] }, { logger: false })
    // the client asked for /files/%2541 and /files/100%25: HTTP API hands over %41 and 100%
    for (const [rawPath, name] of [
      ['/files/%41', '%41'],
      ['/files/100%', '100%'],
    ] as const) {
      const response = await app(v2Event('GET', rawPath), context())
      expect(bodyOf(response)).toEqual({ route: 'GET /files/{name}', params: { name } })
    }
    const httpApiV1 = { ...v1Event('GET', '/files/%41'), version: '1.0' }
    expect(bodyOf(await app(httpApiV1, context()))).toMatchObject({ params: { name: '%41' } })
  })

  it('answers 400 to a path with a malformed percent-encoding', async () => {
    const response = await call(table, 'GET', '/orders/%E0%A4%A')
    expect(response.statusCode).toBe(400)
  })

  it('serves HEAD with the GET route and drops the body', async () => {
    const handler = vi.fn(() => ({ big: 'body' }))
    const app = router({ http: [{ method: 'GET', path: '/x', handler }] })
    const response = await app(v1Event('HEAD', '/x'), context())
    expect(handler).toHaveBeenCalledTimes(1)
    expect(response).toMatchObject({
      statusCode: 200,
      body: '',
      headers: { 'Content-Type': 'application/json' },
    })
  })

  it('prefers an explicit HEAD route, then GET, then ANY', async () => {
    const app = router({
      http: [
        echo('ANY', '/x'),
        echo('GET', '/x'),
        echo('HEAD', '/y'),
        echo('ANY', '/y'),
        echo('ANY', '/z'),
      ],
    })
    const run = async (method: string, path: string) =>
      Promise.resolve(app(v2Event(method, path), context())).then(
        (r) => (r as { statusCode: number }).statusCode,
      )
    expect(await run('HEAD', '/x')).toBe(200)
    const get = await app(v2Event('GET', '/x'), context())
    expect(bodyOf(get)).toMatchObject({ route: 'GET /x' })
    const post = await app(v2Event('POST', '/x'), context())
    expect(bodyOf(post)).toMatchObject({ route: 'ANY /x' })
    expect(await run('HEAD', '/z')).toBe(200)
  })

  it('resolves static before parameter before greedy whatever the declaration order', async () => {
    const orders = [echo('GET', '/p/{proxy+}'), echo('GET', '/p/{id}'), echo('GET', '/p/static')]
    for (const routes of [orders, [...orders].reverse()]) {
      expect(bodyOf(await call(routes, 'GET', '/p/static'))).toMatchObject({
        route: 'GET /p/static',
      })
      expect(bodyOf(await call(routes, 'GET', '/p/other'))).toMatchObject({ route: 'GET /p/{id}' })
      expect(bodyOf(await call(routes, 'GET', '/p/a/b'))).toMatchObject({
        route: 'GET /p/{proxy+}',
      })
    }
  })

  it('lowers method case in declarations', async () => {
    expect((await call([echo('get', '/lower')], 'GET', '/lower')).statusCode).toBe(200)
  })
})

describe('building the HTTP table', () => {
  it.each([
    [
      'the same template twice',
      [echo('GET', '/a/{id}'), echo('GET', '/a/{id}')],
      /'GET \/a\/\{id\}' and 'GET \/a\/\{id\}'/,
    ],
    [
      'two parameter names in one place',
      [echo('GET', '/a/{id}'), echo('GET', '/a/{slug}/')],
      /'GET \/a\/\{id\}' and 'GET \/a\/\{slug\}\/'/,
    ],
    [
      'two greedy names in one place',
      [echo('ANY', '/a/{p+}'), echo('ANY', '/a/{q+}')],
      /match the same requests/,
    ],
    ['a trailing-slash twin', [echo('GET', '/a'), echo('GET', '/a/')], /match the same requests/],
  ])('refuses %s, naming both routes', (_case, routes, message) => {
    expect(() => router({ http: routes })).toThrow(message)
    expect(() => router({ http: routes })).toThrow(RouteTableError)
  })

  it.each([
    ['a path without a leading slash', 'a/b', /must start with \//],
    ['an empty segment', '/a//b', /empty segment/],
    ['a partial parameter', '/a/{id}.json', /must be a whole/],
    ['a stray brace', '/a/b}', /must be a whole/],
    ['a greedy parameter before the end', '/a/{p+}/b', /must be the last/],
    ['a repeated parameter name', '/a/{id}/{id}', /appears twice/],
  ])('refuses %s', (_case, path, message) => {
    expect(() => router({ http: [echo('GET', path)] })).toThrow(message)
  })

  it('refuses an invalid method and a route without a handler', () => {
    expect(() => router({ http: [echo('GE T', '/a')] })).toThrow(/Invalid method/)
    expect(() => router({ http: [{ method: 'GET', path: '/a' } as unknown as HttpRoute] })).toThrow(
      /has no handler/,
    )
  })
})

describe('HTTP route handlers', () => {
  it('shape a Result, a Reply, a full response and a thrown AppError for the event', async () => {
    const app = router(
      {
        http: [
          { method: 'GET', path: '/ok', handler: () => ok({ a: 1 }) },
          { method: 'GET', path: '/err', handler: () => err(new ConflictError('taken')) },
          { method: 'POST', path: '/new', handler: () => created({ id: 1 }, '/new/1') },
          {
            method: 'GET',
            path: '/raw',
            handler: () => ({ statusCode: 302, headers: { Location: '/' } }),
          },
          {
            method: 'GET',
            path: '/throw',
            handler: () => {
              throw new ConflictError('thrown')
            },
          },
          {
            method: 'GET',
            path: '/crash',
            handler: () => {
              throw new Error('secret internals')
            },
          },
        ],
      },
      { logger: false },
    )
    expect(await app(v1Event('GET', '/ok'), context())).toMatchObject({
      statusCode: 200,
      body: '{"a":1}',
    })
    expect(await app(v1Event('GET', '/err'), context())).toMatchObject({ statusCode: 409 })
    expect(await app(v1Event('POST', '/new'), context())).toMatchObject({
      statusCode: 201,
      headers: { Location: '/new/1' },
    })
    expect(await app(v1Event('GET', '/raw'), context())).toEqual({
      statusCode: 302,
      headers: { Location: '/' },
    })
    expect(bodyOf(await app(v1Event('GET', '/throw'), context()))).toMatchObject({
      status: 409,
      detail: 'thrown',
    })
    const crash = await app(v1Event('GET', '/crash'), context())
    expect(crash).toMatchObject({ statusCode: 500 })
    expect(JSON.stringify(crash)).not.toContain('secret')
  })

  it('may be async: a resolved value is shaped, a rejection is a problem', async () => {
    const app = router(
      {
        http: [
          { method: 'GET', path: '/later', handler: async () => ok({ later: true }) },
          {
            method: 'GET',
            path: '/reject',
            handler: async () => {
              throw new ConflictError('later conflict')
            },
          },
        ],
      },
      { logger: false },
    )
    const later = app(v2Event('GET', '/later'), context())
    expect(later).toBeInstanceOf(Promise)
    expect(bodyOf(await later)).toEqual({ later: true })
    expect(await app(v2Event('GET', '/reject'), context())).toMatchObject({ statusCode: 409 })
  })

  it('answer synchronously when the handler is synchronous', () => {
    const app = router({ http: [{ method: 'GET', path: '/now', handler: () => 'now' }] })
    expect(app(v2Event('GET', '/now'), context())).toMatchObject({ statusCode: 200, body: '"now"' })
  })

  it('answer a synchronous throw after async validation as a problem', async () => {
    const any: StandardSchemaV1 = {
      '~standard': { version: 1, vendor: 'test', validate: async (value) => ({ value }) },
    }
    const app = router(
      {
        http: [
          {
            method: 'GET',
            path: '/v',
            options: { validate: { query: any } },
            handler: () => {
              throw new ConflictError('after validation')
            },
          },
        ],
      },
      { logger: false },
    )
    expect(await app(v2Event('GET', '/v'), context())).toMatchObject({ statusCode: 409 })
  })

  it('log server errors, thrown or returned, and nothing else', async () => {
    const logger = spyLogger()
    const app = router(
      {
        http: [
          { method: 'GET', path: '/crash', handler: () => err(new Error('boom')) },
          { method: 'GET', path: '/conflict', handler: () => err(new ConflictError()) },
        ],
      },
      { logger },
    )
    await app(v2Event('GET', '/conflict'), context())
    await app(v2Event('GET', '/nowhere'), context())
    expect(logger.error).not.toHaveBeenCalled()
    await app(v2Event('GET', '/crash'), context())
    expect(logger.error).toHaveBeenCalledTimes(1)
  })

  it('receive the request with its params, the parsed body and the context with the route', async () => {
    const seen: unknown[] = []
    const app = router({
      http: [
        {
          method: 'POST',
          path: '/orders/{id}',
          options: { policies: [] },
          handler: (request, ctx) => {
            seen.push(
              request.params,
              { ...request.input, query: request.input.query },
              ctx.route,
              request.method,
            )
            return json(null)
          },
        },
      ],
    })
    await app(
      v2Event('POST', '/orders/9', {
        headers: { 'content-type': 'application/json' },
        body: '{"qty":2}',
        query: 'x=1',
      }),
      context(),
    )
    expect(seen).toEqual([
      { id: '9' },
      { body: { qty: 2 }, query: { x: '1' } },
      { key: '/orders/{id}', method: 'POST', params: { id: '9' }, options: { policies: [] } },
      'POST',
    ])
  })

  it('answer 400 to an HTTP event the request builder cannot read', async () => {
    const app = router({ http: [] })
    const response = await app(
      { ...v2Event('POST', '/x', { body: '!!' }), isBase64Encoded: true },
      context(),
    )
    expect(response).toMatchObject({ statusCode: 400 })
  })

  it('use the notFound route for paths no route has', async () => {
    const app = router(
      { http: [echo('GET', '/a')] },
      {
        notFound: (request, ctx) =>
          json({ missing: request.path, key: ctx.route.key }, { status: 404 }),
      },
    )
    const response = await app(v2Event('GET', '/b'), context())
    expect(response).toMatchObject({ statusCode: 404 })
    expect(bodyOf(response)).toEqual({ missing: '/b', key: '*' })
    expect((await app(v2Event('POST', '/a'), context())) as object).toMatchObject({
      statusCode: 405,
    })
  })
})

describe('route bodies and validation', () => {
  const loose: StandardSchemaV1 = {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: () => ({
        issues: [{ message: 'always wrong' }, { message: 'deep', path: [0, Symbol.for('s')] }],
      }),
    },
  }

  it('lists issues without a path, and paths of numbers and symbols', async () => {
    const strict = router({
      http: [
        { method: 'GET', path: '/l', options: { validate: { query: loose } }, handler: () => 1 },
      ],
    })
    expect(bodyOf(await strict(v2Event('GET', '/l'), context()))).toMatchObject({
      details: {
        issues: [
          { in: 'query', path: '', message: 'always wrong' },
          { in: 'query', path: '0.Symbol(s)', message: 'deep' },
        ],
      },
    })
  })

  it('answers 422 to a failure with an empty issue list, never running on the raw input', async () => {
    const emptyIssues: StandardSchemaV1 = {
      '~standard': { version: 1, vendor: 'test', validate: () => ({ issues: [] }) },
    }
    const handler = vi.fn(() => 'charged')
    const app = router({
      http: [
        { method: 'GET', path: '/pay', options: { validate: { query: emptyIssues } }, handler },
      ],
    })
    const response = (await app(v2Event('GET', '/pay'), context())) as { statusCode: number }
    expect(response.statusCode).toBe(422)
    expect(bodyOf(response)).toMatchObject({
      details: { issues: [{ in: 'query', path: '', message: 'Invalid value' }] },
    })
    expect(handler).not.toHaveBeenCalled()
  })

  /** A tiny Standard Schema: an object whose listed keys must be strings. */
  const strings = <K extends string>(
    ...keys: K[]
  ): StandardSchemaV1<unknown, Record<K, string>> => ({
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: (value) => {
        const record = (value ?? {}) as Record<string, unknown>
        const issues = keys
          .filter((key) => typeof record[key] !== 'string')
          .map((key) => ({ message: `${key} must be a string`, path: [{ key }, 'x'] }))
        return issues.length > 0 ? { issues } : { value: record as Record<K, string> }
      },
    },
  })
  const upperId: StandardSchemaV1<unknown, { id: string }> = {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: async (value) => ({
        value: { id: String((value as { id: string }).id).toUpperCase() },
      }),
    },
  }

  const app = router(
    {
      http: [
        route({
          method: 'POST',
          path: '/items/{id}',
          options: { validate: { body: strings('name'), query: strings('q'), params: upperId } },
          handler: (request) => ({
            name: request.input.body.name,
            q: request.input.query.q,
            id: request.params.id,
          }),
        }),
        {
          method: 'POST',
          path: '/json',
          options: { jsonBody: 'required' },
          handler: (r) => ({ got: r.input.body }),
        },
        {
          method: 'POST',
          path: '/raw',
          options: { jsonBody: 'off' },
          handler: (r) => ({ got: r.input.body }),
        },
        { method: 'POST', path: '/auto', handler: (r) => ({ got: r.input.body ?? null }) },
      ],
    },
    { logger: false, build: { jsonBody: 'off' } },
  )
  const jsonHeaders = { 'content-type': 'application/json' }

  it('gives the handler the schemas outputs', async () => {
    const response = await app(
      v2Event('POST', '/items/ab', { headers: jsonHeaders, body: '{"name":"n"}', query: 'q=z' }),
      context(),
    )
    expect(bodyOf(response)).toEqual({ name: 'n', q: 'z', id: 'AB' })
  })

  it('answers 422 listing every issue of every part', async () => {
    const response = await app(
      v2Event('POST', '/items/ab', { headers: jsonHeaders, body: '{}' }),
      context(),
    )
    expect(response).toMatchObject({ statusCode: 422 })
    expect(bodyOf(response)).toMatchObject({
      status: 422,
      code: 'VALIDATION_FAILED',
      details: {
        issues: [
          { in: 'query', path: 'q.x', message: 'q must be a string' },
          { in: 'body', path: 'name.x', message: 'name must be a string' },
        ],
      },
    })
  })

  it('answers 415 when a JSON route gets another content type or no body', async () => {
    const text = await app(
      v2Event('POST', '/json', { headers: { 'content-type': 'text/plain' }, body: 'x' }),
      context(),
    )
    expect(text).toMatchObject({ statusCode: 415 })
    expect(await app(v2Event('POST', '/json'), context())).toMatchObject({ statusCode: 415 })
  })

  it('parses JSON a builder left unparsed, and answers 400 to malformed JSON', async () => {
    const good = await app(
      v2Event('POST', '/json', { headers: jsonHeaders, body: '[1]' }),
      context(),
    )
    expect(bodyOf(good)).toEqual({ got: [1] })
    const bad = await app(v2Event('POST', '/auto', { headers: jsonHeaders, body: '{' }), context())
    expect(bad).toMatchObject({ statusCode: 400 })
  })

  it('keeps the body as text when JSON is off or the content type is not JSON', async () => {
    const off = await app(
      v2Event('POST', '/raw', { headers: jsonHeaders, body: '{"a":1}' }),
      context(),
    )
    expect(bodyOf(off)).toEqual({ got: '{"a":1}' })
    const plain = await app(
      v2Event('POST', '/auto', { headers: { 'content-type': 'text/plain' }, body: 'hi' }),
      context(),
    )
    expect(bodyOf(plain)).toEqual({ got: 'hi' })
    expect(bodyOf(await app(v2Event('POST', '/auto'), context()))).toEqual({ got: null })
  })
})

describe('router.resolve', () => {
  it('resolves a built request without dispatching it', async () => {
    const handler = vi.fn()
    const app = router({ http: [{ method: 'GET', path: '/r/{id}', handler }] })
    const { buildRequest } = await import('../../src/request/index.ts')
    const built = buildRequest(v2Event('GET', '/r/5'))
    if (!built.ok || built.value.kind !== 'http') throw new Error('not http')
    expect(app.resolve(built.value)).toEqual({
      ok: true,
      value: { key: '/r/{id}', method: 'GET', params: { id: '5' }, options: {} },
    })
    const missing = buildRequest(v2Event('GET', '/none'))
    if (!missing.ok || missing.value.kind !== 'http') throw new Error('not http')
    expect(app.resolve(missing.value)).toMatchObject({ ok: false, error: { statusCode: 404 } })
    expect(handler).not.toHaveBeenCalled()
  })
})

describe('refusing malformed HTTP routes when the table is built', () => {
  const handler = () => 'ok'
  const refusal = (declared: unknown): RouteTableError => {
    try {
      router({ http: [echo('GET', '/fine'), declared as HttpRoute] })
    } catch (error) {
      if (error instanceof RouteTableError) return error
      throw error
    }
    throw new Error('the table was built')
  }

  it('refuses a route without a method, naming the route, rather than routing method UNDEFINED', () => {
    const error = refusal({ path: '/a', handler })
    expect(error.code).toBe('ROUTE_INVALID')
    expect(error.message).toBe("HTTP route #2 '/a' has no method: give GET, POST, ... or ANY")
  })

  it.each([
    ['no path', { method: 'GET', handler }, "HTTP route #2 'GET' has no path"],
    ['a numeric path', { method: 'GET', path: 42, handler }, "HTTP route #2 'GET' has no path"],
    ['a non-string method', { method: 7, path: '/a', handler }, "HTTP route #2 '/a' has no method"],
    ['an empty method', { method: '', path: '/a', handler }, "HTTP route #2 '/a' has no method"],
  ])('refuses a route with %s with a RouteTableError, not a TypeError', (_case, declared, says) => {
    expect(refusal(declared).message).toContain(says)
  })

  it('refuses an entry that is not a route at all', () => {
    expect(refusal(null).message).toBe(
      'HTTP route #2 is not an object with method, path and handler',
    )
  })
})

describe('VPC Lattice through the router', () => {
  const app = router(
    {
      http: [
        { method: 'GET', path: '/orders/{id}', handler: (req) => ({ id: req.params.id }) },
        {
          method: 'POST',
          path: '/orders',
          handler: (req) =>
            json(req.input.body, { status: 201, cookies: [{ name: 's', value: '1' }] }),
        },
      ],
    },
    { logger: false },
  )

  it('answers a Lattice v2 request in the Lattice response shape', async () => {
    const response = await app(loadEvent('lattice/v2'), context())
    expect(response).toEqual({
      statusCode: 201,
      statusDescription: '201 Created',
      headers: { 'Content-Type': 'application/json', 'Set-Cookie': 's=1' },
      body: '{"sku":"widget"}',
      isBase64Encoded: false,
    })
  })

  it('routes a Lattice v1 request by its raw path and answers a miss with a problem', async () => {
    expect(await app(loadEvent('lattice/v1'), context())).toMatchObject({
      statusCode: 200,
      statusDescription: '200 OK',
      body: '{"id":"42"}',
    })
    const miss = { ...loadEvent('lattice/v1'), raw_path: '/nowhere' }
    expect(await app(miss, context())).toMatchObject({
      statusCode: 404,
      statusDescription: '404 Not Found',
      headers: { 'Content-Type': 'application/problem+json' },
    })
  })
})

describe('minimal hand-written events through the router', () => {
  it('routes a REST event with only a method and a path, as peers and users write them', async () => {
    const app = router({ http: [echo('GET', '/orders/{id}')] }, { logger: false })
    const response = await app({ httpMethod: 'GET', path: '/orders/7' }, context())
    expect(bodyOf(response)).toEqual({ route: 'GET /orders/{id}', params: { id: '7' } })
  })
})
