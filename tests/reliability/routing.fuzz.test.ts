/**
 * Random routing tables through the whole router (HTTP events in, responses out) agree with the
 * reference matcher: the route it picks, 404, or 405 with the same `Allow` methods, for any
 * request path, percent-encoded in any way, with or without a trailing slash.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { json } from '../../src/response/index.ts'
import { type HttpRoute, type RouterHandler, router } from '../../src/router/index.ts'
import { lambdaContext } from '../support/events.ts'
import { type Declared, reference } from '../support/route-reference.ts'
import { runs, tally } from './support/figures.ts'

const staticSegment = fc.constantFrom('a', 'b', 'c', 'é', 'a b')
const segment = fc.oneof(
  { weight: 3, arbitrary: staticSegment },
  { weight: 2, arbitrary: fc.constant('{p}') },
  { weight: 1, arbitrary: fc.constant('{rest+}') },
)
/** A template: static segments, numbered `{pN}` parameters, at most one final `{rest+}`. */
const template = fc.array(segment, { maxLength: 4 }).map((parts) => {
  const cut = parts.indexOf('{rest+}')
  const kept = cut < 0 ? parts : parts.slice(0, cut + 1)
  let n = 0
  return `/${kept.map((p) => (p === '{p}' ? `{p${n++}}` : p)).join('/')}`
})
const method = fc.constantFrom('GET', 'POST', 'HEAD', 'ANY', 'DELETE')

/** Percent-encodes every character, whether it needs it or not (UTF-8 bytes). */
const encodeAll = (text: string): string =>
  [...Buffer.from(text, 'utf8')]
    .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
    .join('')

/** A decoded request segment, and how to spell it in the path. */
const requestSegment = fc.record({
  value: fc.constantFrom('a', 'b', 'c', 'd', '', 'é', 'a b', 'a/b', '%', '{p0}'),
  spelling: fc.constantFrom('plain', 'all') as fc.Arbitrary<'plain' | 'all'>,
})

const spell = (value: string, spelling: 'plain' | 'all'): string =>
  spelling === 'all' ? encodeAll(value) : encodeURIComponent(value)

/** The segments the documented rules give: one trailing slash ignored, each segment decoded once. */
const documentedSegments = (rawPath: string): string[] => {
  const path = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath
  if (path === '/') return []
  return path.slice(1).split('/').map(decodeURIComponent)
}

/** Builds the router of the routes it accepts, in order, skipping those that overlap. */
const buildTable = (declared: readonly Declared[]): { app: RouterHandler; kept: Declared[] } => {
  const routes: HttpRoute[] = []
  const kept: Declared[] = []
  for (const route of declared) {
    const candidate: HttpRoute = {
      method: route.method,
      path: route.template,
      handler: () => json(null, { headers: { 'x-route': `${route.method} ${route.template}` } }),
    }
    try {
      router({ http: [...routes, candidate] })
      routes.push(candidate)
      kept.push(route)
    } catch {
      // an overlapping route is refused when the table is built; the reference ignores it too
    }
  }
  return { app: router({ http: routes }, { logger: false }), kept }
}

/** A Function URL event: its rawPath keeps the percent-encoding the client sent (HTTP API's does not). */
const v2 = (requestMethod: string, rawPath: string) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath,
  rawQueryString: '',
  headers: {},
  requestContext: {
    http: { method: requestMethod, path: rawPath, sourceIp: '127.0.0.1' },
    domainName: 'abc.lambda-url.eu-west-1.on.aws',
    requestId: 'fuzz',
    stage: '$default',
  },
})

describe('random routing tables through the router', () => {
  it('answer every request as the reference matcher resolves it', async () => {
    const numRuns = runs(300)
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ method, template }), { maxLength: 10 }),
        fc.constantFrom('GET', 'POST', 'HEAD', 'DELETE', 'PUT'),
        fc.array(requestSegment, { maxLength: 5 }),
        fc.boolean(),
        async (declared, requestMethod, parts, trailing) => {
          const { app, kept } = buildTable(declared)
          const encoded = parts.map((p) => spell(p.value, p.spelling)).join('/')
          const rawPath = `/${encoded}${trailing && parts.length > 0 ? '/' : ''}`
          const expected = reference(kept, requestMethod, documentedSegments(rawPath))
          const response = (await app(v2(requestMethod, rawPath), lambdaContext() as never)) as {
            statusCode: number
            headers: Record<string, string>
          }
          if (typeof expected === 'string') {
            expect(response.statusCode).toBe(200)
            expect(response.headers['x-route']).toBe(expected)
          } else if (expected.allow.length === 0) {
            expect(response.statusCode).toBe(404)
          } else {
            expect(response.statusCode).toBe(405)
            expect(response.headers.Allow?.split(', ').sort()).toEqual(expected.allow)
          }
        },
      ),
      { numRuns },
    )
    tally('fuzz', 'random routing tables and requests against the reference matcher', numRuns)
  })
})
