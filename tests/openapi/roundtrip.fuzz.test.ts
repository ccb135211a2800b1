/**
 * Round trip between the router and its document, over random routing tables (fast-check):
 * - a request the router resolves (its route ran, or its validation answered) is an operation of
 *   the document, and a request the document has no operation for is a 404 or 405 of the router;
 * - a body and a query the router accepts are exactly those the document's schemas accept (ajv,
 *   JSON Schema 2020-12), for a zod 4 validated route;
 * - every example request of the document (path parameters, query, body) is answered 200.
 * Every document of a random table is also a valid OpenAPI 3.1 document.
 */
import { Ajv2020 } from 'ajv/dist/2020.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { type OpenApiDocument, type Operation, openapi } from '../../src/openapi/index.ts'
import {
  type HttpRoute,
  type RouteOptions,
  RouteTableError,
  route,
  router,
} from '../../src/router/index.ts'
import { answerOf, httpEvent, lambda, problemsOf } from './support.ts'

const info = { title: 'fuzz', version: '1.0.0' }
const ajv = new Ajv2020({ strict: false, allErrors: true })
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'ANY'] as const
const REQUEST_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const
const WORDS = ['a', 'b', 'c'] as const

/** A segment of a template: a word, `{p<n>}`, or (last) `{r<n>+}`. */
type Part = { kind: 'static'; word: string } | { kind: 'param' } | { kind: 'proxy' }

const partArb: fc.Arbitrary<Part> = fc.oneof(
  fc.constantFrom(...WORDS).map((word) => ({ kind: 'static' as const, word })),
  fc.constant({ kind: 'param' as const }),
)

const templateArb = fc
  .tuple(fc.array(partArb, { maxLength: 3 }), fc.boolean())
  .map(([parts, proxy]) => (proxy ? [...parts, { kind: 'proxy' as const }] : parts))
  .map((parts) => {
    let n = 0
    const text = parts
      .map((part) => {
        n += 1
        if (part.kind === 'static') return part.word
        return part.kind === 'param' ? `{p${n}}` : `{r${n}+}`
      })
      .join('/')
    return {
      template: `/${text}`,
      shape: parts.map((p) => (p.kind === 'static' ? p.word : '{}')).join('/'),
      last: parts.at(-1)?.kind,
    }
  })

const valueArb = fc.stringMatching(/^[a-z0-9]{1,6}$/)

interface Spec {
  readonly method: (typeof METHODS)[number]
  readonly template: string
  readonly shape: string
  readonly last: Part['kind'] | undefined
  readonly example: readonly string[]
}

const specArb: fc.Arbitrary<Spec> = fc
  .record({
    method: fc.constantFrom(...METHODS),
    t: templateArb,
    example: fc.array(valueArb, { minLength: 4, maxLength: 4 }),
  })
  .map(({ method, t, example }) => ({ method, ...t, example }))

/** The handler of every random route: which template answered. */
const answer = (_request: unknown, context: { route: { key: string } }) => ({
  key: context.route.key,
})

const namesOf = (template: string): string[] =>
  [...template.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1] as string)

/**
 * A router and its document from random route specs, or undefined for a table the router refuses
 * (two routes for the same requests) or that OpenAPI cannot say (a `{name}` and a `{name+}` route
 * at one path).
 */
const build = (specs: readonly Spec[]) => {
  const shapes = new Map<string, Part['kind'] | undefined>()
  for (const spec of specs) {
    const seen = shapes.get(spec.shape)
    if (
      shapes.has(spec.shape) &&
      seen !== spec.last &&
      (seen === 'proxy' || spec.last === 'proxy')
    ) {
      return undefined
    }
    shapes.set(spec.shape, spec.last)
  }
  const routes: HttpRoute[] = specs.map((spec) => {
    const params = Object.fromEntries(
      namesOf(spec.template).map((name, i) => [name, spec.example[i] ?? 'x']),
    )
    const options: RouteOptions = { example: { params } }
    return {
      method: spec.method,
      path: spec.template,
      options,
      handler: answer as HttpRoute['handler'],
    }
  })
  try {
    const app = router({ http: routes })
    return { app, document: openapi(app, { info }) }
  } catch (error) {
    if (error instanceof RouteTableError) return undefined
    throw error
  }
}

/** The operation of the document a request is for: a `{name+}` parameter takes 1+ segments. */
const operationFor = (document: OpenApiDocument, method: string, segments: readonly string[]) => {
  for (const [path, item] of Object.entries(document.paths)) {
    const operation = (item as Record<string, Operation | undefined>)[method.toLowerCase()]
    if (operation === undefined) continue
    const parts = path.split('/').filter((p) => p !== '')
    const greedy = new Set(
      (operation.parameters ?? [])
        .filter((p) => p.in === 'path' && p.description?.startsWith(`{${p.name}+}`))
        .map((p) => p.name),
    )
    const matches = (i: number, j: number): boolean => {
      if (i === parts.length) return j === segments.length
      const part = parts[i] as string
      const name = /^\{(.+)\}$/.exec(part)?.[1]
      if (name !== undefined && greedy.has(name))
        return i === parts.length - 1 && j < segments.length
      if (j >= segments.length) return false
      if (name !== undefined) return matches(i + 1, j + 1)
      return part === segments[j] && matches(i + 1, j + 1)
    }
    if (matches(0, 0)) return operation
  }
  return undefined
}

describe('the router and its document agree (round trip)', () => {
  it('a request the router resolves has an operation in the document, and one it does not is a 404 or 405', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(specArb, { minLength: 1, maxLength: 6 }),
        fc.constantFrom(...REQUEST_METHODS),
        fc.array(fc.oneof(fc.constantFrom(...WORDS), valueArb), { maxLength: 4 }),
        async (specs, method, segments) => {
          const built = build(specs)
          fc.pre(built !== undefined)
          const { app, document } = built as NonNullable<typeof built>
          const response = await answerOf(
            app(httpEvent(method, `/${segments.join('/')}`), lambda()),
          )
          const operation = operationFor(document, method, segments)
          if (response.statusCode === 200) {
            expect(operation).toBeDefined()
          } else {
            expect([404, 405]).toContain(response.statusCode)
            expect(operation).toBeUndefined()
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('every document of a random table is valid OpenAPI 3.1', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(specArb, { minLength: 1, maxLength: 6 }), async (specs) => {
        const built = build(specs)
        fc.pre(built !== undefined)
        expect(await problemsOf((built as NonNullable<typeof built>).document)).toEqual([])
      }),
      { numRuns: 40 },
    )
  })

  it("every example request of a random table's document is answered 200", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(specArb, { minLength: 1, maxLength: 6 }), async (specs) => {
        const built = build(specs)
        fc.pre(built !== undefined)
        const { app, document } = built as NonNullable<typeof built>
        for (const [path, item] of Object.entries(document.paths)) {
          for (const [method, operation] of Object.entries(item as Record<string, Operation>)) {
            if (method.startsWith('x-')) continue
            let concrete = path
            for (const parameter of operation.parameters ?? []) {
              concrete = concrete.replace(`{${parameter.name}}`, String(parameter.example))
            }
            const response = await answerOf(
              app(httpEvent(method.toUpperCase(), concrete), lambda()),
            )
            expect(response.statusCode).toBe(200)
          }
        }
      }),
      { numRuns: 100 },
    )
  })
})

describe('a zod-validated route and its document accept the same inputs', () => {
  const Order = z.object({
    sku: z.string().min(1).max(8),
    quantity: z.number().int().min(1).max(100),
    note: z.string().optional(),
  })
  const Query = z.object({
    limit: z
      .string()
      .regex(/^\d{1,3}$/)
      .optional(),
    mode: z.enum(['fast', 'safe']),
  })
  const example = { body: { sku: 'a-1', quantity: 2 }, query: { mode: 'fast' } }
  const app = router({
    http: [
      route({
        method: 'POST',
        path: '/orders',
        options: { validate: { body: Order, query: Query }, example },
        handler: () => 'ok',
      }),
    ],
  })
  const document = openapi(app, { info })
  const post = document.paths['/orders']?.post as Operation
  const bodySchema = post.requestBody?.content['application/json']?.schema ?? {}
  const queryValid = (query: Record<string, string>) =>
    (post.parameters ?? []).every((p) =>
      query[p.name] === undefined ? p.required !== true : ajv.validate(p.schema, query[p.name]),
    ) && Object.keys(query).every((name) => post.parameters?.some((p) => p.name === name))

  const bodyArb = fc.record(
    {
      sku: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
      quantity: fc.oneof(
        fc.integer({ min: -5, max: 120 }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.string(),
      ),
      note: fc.oneof(fc.string(), fc.boolean()),
    },
    { requiredKeys: [] },
  )
  const queryArb = fc.record(
    { limit: fc.stringMatching(/^\d{0,4}$/), mode: fc.constantFrom('fast', 'safe', 'slow') },
    { requiredKeys: [] },
  )

  it('answers 200 exactly for the bodies and queries the document accepts, else 422', async () => {
    await fc.assert(
      fc.asyncProperty(bodyArb, queryArb, async (body, query) => {
        const response = await answerOf(
          app(
            httpEvent('POST', '/orders', {
              query: new URLSearchParams(query).toString(),
              body: JSON.stringify(body),
              headers: { 'content-type': 'application/json' },
            }),
            lambda(),
          ),
        )
        const accepted = ajv.validate(bodySchema, body) && queryValid(query)
        expect(response.statusCode).toBe(accepted ? 200 : 422)
      }),
      { numRuns: 300 },
    )
  })

  it("answers 200 to the document's example request", async () => {
    const query = Object.fromEntries(
      (post.parameters ?? []).flatMap((p) =>
        p.example === undefined ? [] : [[p.name, String(p.example)]],
      ),
    )
    const body = post.requestBody?.content['application/json']?.example
    expect(ajv.validate(bodySchema, body)).toBe(true)
    const response = await answerOf(
      app(
        httpEvent('POST', '/orders', {
          query: new URLSearchParams(query).toString(),
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        }),
        lambda(),
      ),
    )
    expect(response.statusCode).toBe(200)
  })
})
