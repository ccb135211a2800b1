/**
 * The public types of `metis-app/openapi` and the OpenAPI fields of route options: what
 * compiles and what must not (each rejection pinned with `@ts-expect-error`).
 */
import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import { type Policy, tokenRequired } from '../../src/auth/index.ts'
import {
  type OpenApiDocument,
  type Operation,
  openapi,
  withOpenApi,
} from '../../src/openapi/index.ts'
import {
  type CheckDescription,
  type HttpRoute,
  type RouteCheck,
  type RouteOptions,
  route,
  router,
} from '../../src/router/index.ts'

const info = { title: 't', version: '1' }

describe('the types of metis-app/openapi', () => {
  it('describes the app router() returns, and nothing without routes', () => {
    const app = router({ http: [{ method: 'GET', path: '/a', handler: () => 'ok' }] })
    expectTypeOf(openapi(app, { info })).toEqualTypeOf<OpenApiDocument>()
    expectTypeOf(openapi(app, { info }).paths['/a']?.get).toEqualTypeOf<Operation | undefined>()
    // @ts-expect-error not a router app
    openapi({}, { info })
    // @ts-expect-error info needs a version
    openapi(app, { info: { title: 't' } })
  })

  it('types the OpenAPI fields of route options, ignored by the router', () => {
    const options: RouteOptions = {
      summary: 's',
      tags: ['t'],
      operationId: 'op',
      deprecated: true,
      responses: { '200': { schema: z.object({ id: z.string() }), example: { id: '1' } } },
      example: { params: { id: '1' }, query: { q: 'x' }, body: { any: 'thing' } },
    }
    expectTypeOf(options.responses).toEqualTypeOf<RouteOptions['responses']>()
    // @ts-expect-error tags are a list
    const wrong: RouteOptions = { tags: 'orders' }
    // @ts-expect-error an example's path parameters are strings
    const badExample: RouteOptions = { example: { params: { id: 1 } } }
    void wrong
    void badExample
  })

  it("keeps the routes' context type through withOpenApi", () => {
    interface Tenant {
      tenant: string
    }
    const app = router<Tenant>({
      http: withOpenApi<Tenant>(
        [{ method: 'GET', path: '/t', handler: (_req, context) => context.tenant }],
        { info },
      ),
    })
    expectTypeOf(app.routes).toEqualTypeOf<readonly HttpRoute<Record<never, never>, Tenant>[]>()
    expectTypeOf(withOpenApi([], { info })).toExtend<readonly HttpRoute[]>()
  })

  it('lets a check, and an auth policy, describe itself', () => {
    const check: RouteCheck = {
      name: 'c',
      evaluate: () => ({ ok: true, value: undefined }),
      openapi: { bearer: true, scopes: ['s'], anyOf: [{ activities: ['a:b:c'] }], statuses: [503] },
    }
    expectTypeOf(check.openapi).toEqualTypeOf<CheckDescription | undefined>()
    expectTypeOf(tokenRequired()).toExtend<Policy>()
    // @ts-expect-error scopes are a list of strings
    const wrong: CheckDescription = { scopes: 'admin' }
    void wrong
    route({ method: 'GET', path: '/x', options: { policies: [check] }, handler: () => 'ok' })
  })
})
