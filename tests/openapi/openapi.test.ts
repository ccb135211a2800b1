/**
 * The OpenAPI document of a routing table: each table here (and the example service's) is
 * written by `openapi()` and validated as OpenAPI 3.1, then each rule is pinned: templates,
 * HEAD and ANY as the router answers them, parameters and bodies from real validators (zod 4),
 * security from the auth checks, problem responses, and the route that serves the document.
 */
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { createApp } from '../../examples/service/handler.ts'
import { activity, allOf, anyOf, custom, scope, tokenRequired } from '../../src/auth/index.ts'
import {
  type OpenApiDocument,
  type Operation,
  openapi,
  type Parameter,
  withOpenApi,
} from '../../src/openapi/index.ts'
import { ok } from '../../src/result/index.ts'
import { type RouteCheck, route, router } from '../../src/router/index.ts'
import { answerOf, httpEvent, lambda, problemsOf } from './support.ts'

const info = { title: 'test', version: '1.0.0' }
const handler = () => 'ok'

const op = (document: OpenApiDocument, path: string, method: string): Operation => {
  const item = document.paths[path] as Record<string, Operation | undefined> | undefined
  const found = item?.[method]
  if (found === undefined) throw new Error(`no ${method} ${path} in ${Object.keys(document.paths)}`)
  return found
}

const params = (operation: Operation, where: Parameter['in']): Parameter[] =>
  (operation.parameters ?? []).filter((p) => p.in === where)

const methodsOf = (document: OpenApiDocument, path: string): string[] =>
  Object.keys(document.paths[path] ?? {}).filter((key) => !key.startsWith('x-'))

const Order = z.object({ sku: z.string().min(1), quantity: z.number().int().min(1) })

/** A table with a bit of everything: validators, checks, metadata. */
const ordersApp = router({
  http: [
    { method: 'GET', path: '/', handler },
    { method: 'GET', path: '/orders', handler },
    route({
      method: 'POST',
      path: '/orders',
      options: {
        jsonBody: 'required',
        validate: { body: Order, query: z.object({ dryRun: z.enum(['yes', 'no']).optional() }) },
        policies: [tokenRequired(), scope('orders:write')],
        summary: 'Places an order',
        description: 'Stock is reserved at once.',
        tags: ['orders'],
        operationId: 'placeOrder',
        example: { body: { sku: 'a-1', quantity: 2 }, query: { dryRun: 'no' } },
        responses: {
          '201': {
            description: 'Placed',
            schema: Order,
            example: { sku: 'a-1', quantity: 2 },
            headers: { Location: { description: 'Where the order is' } },
          },
        },
      },
      handler,
    }),
    route({
      method: 'GET',
      path: '/orders/{id}',
      options: {
        validate: { params: z.object({ id: z.string().regex(/^\d+$/) }) },
        policies: [activity('orders:order:read')],
        deprecated: true,
      },
      handler,
    }),
    { method: 'DELETE', path: '/orders/{id}', options: { responses: { '204': {} } }, handler },
    { method: 'GET', path: '/files/{path+}', handler },
  ],
})

describe('openapi() on a routing table', () => {
  it('writes a valid OpenAPI 3.1 document for a table with validators, checks and metadata', async () => {
    const document = openapi(ordersApp, { info, servers: [{ url: 'https://api.example.com' }] })
    expect(await problemsOf(document)).toEqual([])
    expect(document.openapi).toBe('3.1.1')
    expect(document.info).toEqual(info)
    expect(document.servers).toEqual([{ url: 'https://api.example.com' }])
    expect(Object.keys(document.paths)).toEqual(['/', '/orders', '/orders/{id}', '/files/{path}'])
  })

  it("writes the example service's document, valid, with its routes and their checks", async () => {
    const document = openapi(createApp(), { info: { title: 'orders', version: '1.0.0' } })
    expect(await problemsOf(document)).toEqual([])
    expect(Object.keys(document.paths)).toEqual([
      '/health',
      '/orders/{id}',
      '/orders',
      '/openapi.json',
    ])
    const read = op(document, '/orders/{id}', 'get')
    expect(read.security).toEqual([{ bearerAuth: [] }])
    expect(read['x-metis-activities']).toEqual(['orders:order:read'])
    expect(Object.keys(read.responses)).toEqual(['200', '400', '401', '403', '500', 'default'])
    expect(op(document, '/health', 'get').security).toBeUndefined()
    expect(document.components.securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
    })
  })

  it('documents HEAD as answered by the GET route, and no HEAD where there is no GET', () => {
    const document = openapi(ordersApp, { info })
    expect(methodsOf(document, '/orders/{id}')).toEqual(['get', 'delete', 'head'])
    const head = op(document, '/orders/{id}', 'head')
    expect(head['x-metis-method']).toBe('GET')
    expect(head.description).toContain('Answered by the GET route')
    expect(head.responses['200']).toEqual({ description: 'OK' })
  })

  it('keeps a declared HEAD route over the GET one', () => {
    const app = router({
      http: [
        { method: 'GET', path: '/a', handler },
        { method: 'HEAD', path: '/a', options: { summary: 'own head' }, handler },
      ],
    })
    const head = op(openapi(app, { info }), '/a', 'head')
    expect(head.summary).toBe('own head')
    expect(head['x-metis-method']).toBeUndefined()
  })

  it('expands ANY to every method the template does not declare, HEAD by GET first', async () => {
    const app = router({
      http: [
        { method: 'ANY', path: '/proxy', options: { operationId: 'relay' }, handler },
        { method: 'GET', path: '/proxy', options: { summary: 'read' }, handler },
      ],
    })
    const document = openapi(app, { info })
    expect(await problemsOf(document)).toEqual([])
    expect(methodsOf(document, '/proxy')).toEqual([
      'get',
      'put',
      'post',
      'delete',
      'options',
      'head',
      'patch',
      'trace',
    ])
    expect(op(document, '/proxy', 'get').summary).toBe('read')
    expect(op(document, '/proxy', 'head')['x-metis-method']).toBe('GET')
    expect(op(document, '/proxy', 'put')['x-metis-method']).toBe('ANY')
    expect(op(document, '/proxy', 'put').operationId).toBe('relayPut')
    expect(op(document, '/proxy', 'get').operationId).toBe('getProxy')
  })

  it('writes {proxy+} as {proxy}, described as one or more segments', () => {
    const files = op(openapi(ordersApp, { info }), '/files/{path}', 'get')
    expect(params(files, 'path')).toEqual([
      expect.objectContaining({
        name: 'path',
        required: true,
        description: expect.stringContaining('one or more path segments'),
      }),
    ])
  })

  it('gives templates that differ only in parameter names one path, and notes a greedy sibling', async () => {
    const app = router({
      http: [
        { method: 'GET', path: '/items/{id}', handler },
        {
          method: 'PUT',
          path: '/items/{key}',
          options: { example: { params: { key: 'k' } } },
          handler,
        },
        { method: 'GET', path: '/items/{rest+}', handler },
      ],
    })
    const document = openapi(app, { info })
    expect(await problemsOf(document)).toEqual([])
    expect(Object.keys(document.paths)).toEqual(['/items/{id}'])
    expect(params(op(document, '/items/{id}', 'put'), 'path')).toEqual([
      expect.objectContaining({ name: 'id', example: 'k' }),
    ])
    expect(op(document, '/items/{id}', 'get').description).toBe(
      'Paths of more segments are answered by GET /items/{rest+}.',
    )
  })

  it('names operations by method and template, unique, unless the route names them', () => {
    const document = openapi(ordersApp, { info })
    expect(op(document, '/', 'get').operationId).toBe('getRoot')
    expect(op(document, '/orders/{id}', 'get').operationId).toBe('getOrdersById')
    expect(op(document, '/orders', 'post').operationId).toBe('placeOrder')
    const twins = router({
      http: [
        { method: 'GET', path: '/a-b', handler },
        { method: 'GET', path: '/a_b', handler },
      ],
    })
    const ids = ['/a-b', '/a_b'].map((p) => op(openapi(twins, { info }), p, 'get').operationId)
    expect(ids).toEqual(['getAB', 'getAB2'])
  })

  it('copies summary, description, tags and deprecated from the route options', () => {
    const document = openapi(ordersApp, { info, tags: [{ name: 'orders', description: 'Orders' }] })
    const post = op(document, '/orders', 'post')
    expect(post).toMatchObject({
      summary: 'Places an order',
      description: 'Stock is reserved at once.',
      tags: ['orders'],
    })
    expect(op(document, '/orders/{id}', 'get').deprecated).toBe(true)
    expect(document.tags).toEqual([{ name: 'orders', description: 'Orders' }])
  })
})

describe('parameters and bodies from the validators', () => {
  const document = openapi(ordersApp, { info })

  it('takes the body schema from zod, with the example, required JSON', () => {
    const body = op(document, '/orders', 'post').requestBody
    expect(body).toEqual({
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: {
              sku: { type: 'string', minLength: 1 },
              quantity: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
            },
            required: ['sku', 'quantity'],
          },
          example: { sku: 'a-1', quantity: 2 },
        },
      },
    })
  })

  it('turns each property of the query schema into a query parameter', () => {
    expect(params(op(document, '/orders', 'post'), 'query')).toEqual([
      {
        name: 'dryRun',
        in: 'query',
        required: false,
        schema: { type: 'string', enum: ['yes', 'no'] },
        example: 'no',
      },
    ])
  })

  it('takes path parameter schemas from validate.params, else a non-empty string', () => {
    expect(params(op(document, '/orders/{id}', 'get'), 'path')[0]?.schema).toEqual({
      type: 'string',
      pattern: '^\\d+$',
    })
    expect(params(op(document, '/orders/{id}', 'delete'), 'path')[0]?.schema).toEqual({
      type: 'string',
      minLength: 1,
    })
  })

  it('gives a validator that cannot describe itself an open schema with a note', async () => {
    const opaque = {
      '~standard': {
        version: 1 as const,
        vendor: 'opaque',
        validate: (value: unknown) => ({ value }),
      },
    }
    const app = router({
      http: [
        route({
          method: 'PUT',
          path: '/a',
          options: { validate: { body: opaque, query: opaque } },
          handler,
        }),
      ],
    })
    const document = openapi(app, { info })
    expect(await problemsOf(document)).toEqual([])
    const put = op(document, '/a', 'put')
    expect(put.requestBody?.content['application/json']?.schema).toEqual({
      description: expect.stringContaining('cannot describe itself'),
      'x-metis-note': expect.stringContaining('cannot describe itself'),
    })
    expect(params(put, 'query')).toEqual([
      expect.objectContaining({ name: 'query', style: 'form', explode: true }),
    ])
  })

  it('uses a toJSONSchema() method when the validator has no Standard JSON Schema converter', () => {
    const legacy = {
      '~standard': {
        version: 1 as const,
        vendor: 'legacy',
        validate: (value: unknown) => ({ value }),
      },
      toJSONSchema: () => ({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'string',
      }),
    }
    const app = router({
      http: [
        route({
          method: 'POST',
          path: '/a',
          options: { validate: { body: legacy }, jsonBody: 'off' },
          handler,
        }),
      ],
    })
    const body = op(openapi(app, { info }), '/a', 'post').requestBody
    expect(body?.content).toEqual({ 'text/plain': { schema: { type: 'string' } } })
  })

  it("moves a schema's $defs into components.schemas and points its $refs there", async () => {
    const Category = z.object({ name: z.string() }).meta({ id: 'Category' })
    const Product = z.object({ main: Category, others: z.array(Category) })
    const app = router({
      http: [
        route({
          method: 'POST',
          path: '/products',
          options: { validate: { body: Product } },
          handler,
        }),
      ],
    })
    const document = openapi(app, { info })
    expect(await problemsOf(document)).toEqual([])
    expect(document.components.schemas.Category).toMatchObject({ type: 'object' })
    expect(JSON.stringify(op(document, '/products', 'post').requestBody)).toContain(
      '#/components/schemas/Category',
    )
  })

  it('hoists the $defs of a validator used by many operations once', () => {
    const Category = z.object({ name: z.string() }).meta({ id: 'Category' })
    const Product = z.object({ main: Category })
    const app = router({
      http: [
        route({
          method: 'ANY',
          path: '/products',
          options: { validate: { body: Product } },
          handler,
        }),
        route({ method: 'PUT', path: '/items', options: { validate: { body: Product } }, handler }),
      ],
    })
    const names = Object.keys(openapi(app, { info }).components.schemas)
    expect(names.filter((name) => name.startsWith('Category'))).toEqual(['Category'])
  })

  it('documents no request body for a GET route, and the 415 of a route that needs JSON', () => {
    expect(op(document, '/orders', 'get').requestBody).toBeUndefined()
    expect(op(document, '/orders', 'post').responses['415']).toEqual({
      $ref: '#/components/responses/UnsupportedMediaType',
    })
    expect(op(document, '/orders', 'get').responses['415']).toBeUndefined()
  })
})

describe('security from the checks', () => {
  it('maps tokenRequired() to bearer, scope() to its scopes and activity() to x-metis-activities', () => {
    const document = openapi(ordersApp, { info })
    expect(op(document, '/orders', 'post').security).toEqual([{ bearerAuth: ['orders:write'] }])
    const read = op(document, '/orders/{id}', 'get')
    expect(read.security).toEqual([{ bearerAuth: [] }])
    expect(read['x-metis-activities']).toEqual(['orders:order:read'])
    expect(read['x-metis-checks']).toEqual(['activity(orders:order:read)'])
  })

  it('makes scopes an oauth2 scheme when the token URL is given', async () => {
    const document = openapi(ordersApp, {
      info,
      oauth2: { tokenUrl: 'https://id.example.com/token' },
    })
    expect(await problemsOf(document)).toEqual([])
    expect(op(document, '/orders', 'post').security).toEqual([{ oauth2: ['orders:write'] }])
    expect(document.components.securitySchemes?.oauth2).toEqual({
      type: 'oauth2',
      flows: {
        clientCredentials: {
          tokenUrl: 'https://id.example.com/token',
          scopes: { 'orders:write': 'orders:write' },
        },
      },
    })
  })

  it('writes anyOf() as alternatives and allOf() as one requirement', () => {
    const app = router({
      http: [
        {
          method: 'GET',
          path: '/a',
          options: { policies: [allOf(scope('x'), anyOf(scope('y'), activity('s:r:a')))] },
          handler,
        },
      ],
    })
    const get = op(openapi(app, { info }), '/a', 'get')
    expect(get.security).toEqual([{ bearerAuth: ['x', 'y'] }, { bearerAuth: ['x'] }])
    expect(get['x-metis-activities']).toEqual({ anyOf: [[], ['s:r:a']] })
  })

  it("reads a check's own description, and lists a check that has none by name", () => {
    const described: RouteCheck = {
      name: 'office-hours',
      evaluate: () => ok(undefined),
      openapi: { anyOf: [{}, { bearer: true, scopes: ['admin'] }], statuses: [503] },
    }
    const app = router({
      http: [
        {
          method: 'GET',
          path: '/a',
          options: { policies: [described, custom('same-tenant', () => true)] },
          handler,
        },
      ],
    })
    const get = op(openapi(app, { info }), '/a', 'get')
    expect(get.security).toEqual([{}, { bearerAuth: ['admin'] }])
    expect(get.responses['503']).toMatchObject({ description: 'Service Unavailable' })
    expect(get['x-metis-undescribed-checks']).toEqual(['same-tenant'])
    expect(get['x-metis-checks']).toEqual(['office-hours', 'same-tenant'])
  })

  it('trusts descriptions, not names: a check named like a built-in but undescribed is listed by name', () => {
    const lookalike: RouteCheck = { name: 'scope(admin)', evaluate: () => ok(undefined) }
    const app = router({
      http: [{ method: 'GET', path: '/a', options: { policies: [lookalike] }, handler }],
    })
    const get = op(openapi(app, { info }), '/a', 'get')
    expect(get.security).toBeUndefined()
    expect(get['x-metis-undescribed-checks']).toEqual(['scope(admin)'])
    expect(scope('admin').openapi).toEqual({ bearer: true, scopes: ['admin'] })
    expect(
      allOf(
        tokenRequired(),
        custom('x', () => true),
      ).openapi,
    ).toBeUndefined()
  })
})

describe('responses', () => {
  const document = openapi(ordersApp, { info })

  it('answers every operation with 400, 500 and a default problem', () => {
    const get = op(document, '/orders', 'get')
    expect(Object.keys(get.responses)).toEqual(['200', '400', '500', 'default'])
    expect(get.responses['200']).toEqual({
      description: 'OK',
      content: { 'application/json': { schema: {} } },
    })
  })

  it('adds 401, 403 and 422 where checks and validators can answer them', () => {
    expect(Object.keys(op(document, '/orders', 'post').responses)).toEqual([
      '201',
      '400',
      '401',
      '403',
      '415',
      '422',
      '500',
      'default',
    ])
    expect(op(document, '/orders', 'post').responses['422']).toEqual({
      $ref: '#/components/responses/UnprocessableContent',
    })
  })

  it("writes the route's declared responses: schema, example, headers; 204 without content", () => {
    expect(op(document, '/orders', 'post').responses['201']).toEqual({
      description: 'Placed',
      headers: { Location: { description: 'Where the order is', schema: { type: 'string' } } },
      content: {
        'application/json': {
          schema: expect.objectContaining({ type: 'object' }),
          example: { sku: 'a-1', quantity: 2 },
        },
      },
    })
    expect(op(document, '/orders/{id}', 'delete').responses['204']).toEqual({
      description: 'No Content',
    })
  })

  it('has an RFC 9457 ProblemDetails schema and the router answers 404 and 405 in the components', () => {
    expect(document.components.schemas.ProblemDetails).toMatchObject({
      required: ['type', 'title', 'status'],
    })
    expect(Object.keys(document.components.responses)).toEqual([
      'BadRequest',
      'Unauthorized',
      'Forbidden',
      'NotFound',
      'MethodNotAllowed',
      'UnsupportedMediaType',
      'UnprocessableContent',
      'InternalServerError',
    ])
    expect(document.components.responses.MethodNotAllowed?.headers?.Allow).toBeDefined()
  })
})

describe('serving the document', () => {
  it('withOpenApi() adds GET /openapi.json, which answers the document with itself in it', async () => {
    const app = router({ http: withOpenApi([{ method: 'GET', path: '/a', handler }], { info }) })
    const answer = await answerOf(app(httpEvent('GET', '/openapi.json'), lambda()))
    expect(answer.statusCode).toBe(200)
    expect(answer.headers['content-type']).toBe('application/json')
    const served = JSON.parse(answer.body) as OpenApiDocument
    expect(served).toEqual(JSON.parse(JSON.stringify(openapi(app, { info }))))
    expect(Object.keys(served.paths)).toEqual(['/a', '/openapi.json'])
    expect(await problemsOf(served)).toEqual([])
  })

  it('serves the document at the path asked, HEAD without a body', async () => {
    const app = router({ http: withOpenApi([], { info, path: '/spec' }) })
    const answer = await answerOf(app(httpEvent('GET', '/spec'), lambda()))
    expect(JSON.parse(answer.body)).toEqual(JSON.parse(JSON.stringify(openapi(app, { info }))))
    const head = await answerOf(app(httpEvent('HEAD', '/spec'), lambda()))
    expect(head.statusCode).toBe(200)
    expect(head.body ?? '').toBe('')
  })

  it('refuses something that is not a router app, and info without title or version', () => {
    expect(() => openapi({} as never, { info })).toThrow(/router\(\) returns/)
    expect(() => openapi(ordersApp, { info: { title: 'x' } as never })).toThrow(
      /title and a version/,
    )
    expect(() => withOpenApi([], { info: { version: '1' } as never })).toThrow(
      /title and a version/,
    )
  })

  it("exposes the router's declared routes, frozen, without changing how it routes", () => {
    expect(ordersApp.routes.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /',
      'GET /orders',
      'POST /orders',
      'GET /orders/{id}',
      'DELETE /orders/{id}',
      'GET /files/{path+}',
    ])
    expect(Object.isFrozen(ordersApp.routes)).toBe(true)
    expect(router({}).routes).toEqual([])
  })
})
