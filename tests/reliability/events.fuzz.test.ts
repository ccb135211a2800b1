/**
 * Random and mutated Lambda events through the request builder, the router (a representative
 * table: every HTTP outcome and every record source) and the responder: nothing but an `AppError`
 * is ever thrown, and every HTTP event gets a well-formed response.
 */
import middy from '@middy/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ConflictError, isAppError, NotFoundError } from '../../src/errors/index.ts'
import { buildRequest, requestBuilder } from '../../src/request/index.ts'
import { binary, created, json, responder, text } from '../../src/response/index.ts'
import { targetOf } from '../../src/response/shape.ts'
import { err } from '../../src/result/index.ts'
import { type RouteTable, router } from '../../src/router/index.ts'
import { allEventNames, lambdaContext, loadEvent } from '../support/events.ts'
import { runs, tally } from './support/figures.ts'
import { expectHttpResponse } from './support/shapes.ts'

type Json = Record<string, unknown>

const samples: readonly { name: string; event: Json }[] = allEventNames().map((name) => ({
  name,
  event: loadEvent(name),
}))

/** A schema (Standard Schema v1) that wants an object with a string `sku`. */
const orderSchema = {
  '~standard': {
    version: 1 as const,
    vendor: 'test',
    validate: (value: unknown) =>
      typeof (value as { sku?: unknown } | null)?.sku === 'string'
        ? { value }
        : { issues: [{ message: 'sku is required', path: ['sku'] }] },
  },
}

/** Reads every lazy view of a request, as a careless handler might. */
const touch = (request: Record<string, unknown>): string =>
  JSON.stringify({
    headers: request.headers,
    multi: request.multiValueHeaders,
    query: request.query,
    multiQuery: request.multiValueQuery,
    cookies: request.cookies,
    body: request.body,
    bytes: (request.bodyBytes as Uint8Array | undefined)?.length,
    json: request.json,
    ip: request.sourceIp,
    stage: request.stage,
    params: request.params,
  })

const record = (value: unknown) => JSON.stringify(value)

const table: RouteTable = {
  http: [
    { method: 'GET', path: '/health', handler: () => ({ status: 'ok' }) },
    {
      method: 'GET',
      path: '/orders/{id}',
      handler: (request) =>
        json(
          { id: request.params.id, seen: touch(request as never) },
          { cookies: [{ name: 'seen', value: '1', httpOnly: true }] },
        ),
    },
    {
      method: 'POST',
      path: '/orders',
      options: { jsonBody: 'required' },
      handler: (request) => created(request.input.body, '/orders/1'),
    },
    {
      method: 'PUT',
      path: '/orders/{id}',
      options: { validate: { body: orderSchema } },
      handler: (request) => ({ updated: request.params.id, body: request.input.body }),
    },
    {
      method: 'ANY',
      path: '/files/{path+}',
      handler: (request) =>
        request.method === 'GET'
          ? binary(new TextEncoder().encode(touch(request as never)))
          : text(String(request.params.path)),
    },
    {
      method: 'GET',
      path: '/fail',
      handler: () => {
        throw new Error('boom: internal detail')
      },
    },
    { method: 'GET', path: '/conflict', handler: () => err(new ConflictError('Taken')) },
    {
      method: 'DELETE',
      path: '/orders/{id}',
      handler: async () => {
        throw new NotFoundError('No such order')
      },
    },
  ],
  s3: { '*': (r) => record(r) },
  sqs: { '*': (r) => record(r) },
  sns: { '*': (r) => record(r) },
  eventbridge: { '*': (r) => record(r) },
  kafka: { '*': (r) => record(r) },
  dynamodb: { '*': (r) => record(r) },
  kinesis: { '*': (r) => record(r) },
}

const quiet = { logger: false as const }
const bare = router(table, quiet)
const partial = router(table, { ...quiet, partialBatch: true })
const stacked = middy().use(responder(quiet)).use(requestBuilder()).handler(partial)

/** The three ways a user runs the table: the router alone, with partial batches, and stacked. */
const handlers = [
  { name: 'router alone', run: (event: unknown) => bare(event, lambdaContext() as never) },
  { name: 'partial batches', run: (event: unknown) => partial(event, lambdaContext() as never) },
  { name: 'full stack', run: (event: unknown) => stacked(event, lambdaContext() as never) },
]

/** Runs every handler on `event`: each answers or throws an AppError; HTTP events get a response. */
const expectAnswered = async (event: unknown): Promise<void> => {
  const http = targetOf(event) !== undefined
  for (const handler of handlers) {
    let outcome: { ok: true; value: unknown } | { ok: false; error: unknown }
    try {
      outcome = { ok: true, value: await handler.run(event) }
    } catch (error) {
      outcome = { ok: false, error }
    }
    if (!outcome.ok) {
      if (!isAppError(outcome.error)) throw outcome.error
      expect(http, `${handler.name} threw for an HTTP event`).toBe(false)
      continue
    }
    if (http) expectHttpResponse(outcome.value)
  }
  const built = buildRequest(event)
  if (!built.ok) expect(isAppError(built.error)).toBe(true)
  else expect(typeof JSON.stringify(built.value)).toBe('string')
}

/** What a mutation does to the field it reaches. */
type Op =
  | { kind: 'remove' }
  | { kind: 'null' }
  | { kind: 'retype'; value: unknown }
  | { kind: 'oversize'; size: number }

const OVERSIZED = 'x'.repeat(300_000)

/** Fields too large for any real event: long strings, long lists, wide objects (not nested). */
const apply = (op: Op, current: unknown): unknown => {
  switch (op.kind) {
    case 'null':
      return null
    case 'retype':
      return op.value
    case 'oversize':
      if (Array.isArray(current)) return Array.from({ length: op.size }, (_, i) => `item-${i}`)
      if (typeof current === 'object' && current !== null) {
        return Object.fromEntries(Array.from({ length: op.size }, (_, i) => [`k${i}`, `v${i}`]))
      }
      return OVERSIZED.slice(0, op.size * 100)
    default:
      return undefined
  }
}

/** A copy of `event` with one nested field (chosen by `path`) removed, nulled, retyped or oversized. */
const mutate = (event: unknown, path: readonly number[], op: Op): unknown => {
  if (typeof event !== 'object' || event === null) return apply(op, event)
  const copy: Json = Array.isArray(event) ? ([...event] as unknown as Json) : { ...(event as Json) }
  const keys = Object.keys(copy)
  if (keys.length === 0) return apply(op, event)
  const key = keys[(path[0] ?? 0) % keys.length] as string
  if (path.length <= 1) {
    if (op.kind === 'remove') delete copy[key]
    else copy[key] = apply(op, copy[key])
    return copy
  }
  copy[key] = mutate(copy[key], path.slice(1), op)
  return copy
}

const ROUTES = [
  ['GET', '/health'],
  ['GET', '/orders/42'],
  ['POST', '/orders'],
  ['PUT', '/orders/7'],
  ['HEAD', '/files/a/b'],
  ['GET', '/files/a%2Fb/c'],
  ['GET', '/fail'],
  ['GET', '/conflict'],
  ['DELETE', '/orders/1'],
  ['PATCH', '/orders/1'],
  ['GET', '/%E0%A4%A'],
  ['GET', '/nowhere'],
] as const

/** Points an HTTP sample at one of the table's routes, so that mutations reach the handlers too. */
const retarget = (event: Json, route: readonly [string, string]): Json => {
  const [method, path] = route
  const copy = structuredClone(event)
  const context = (copy.requestContext ?? {}) as Json
  if (copy.version === '2.0') {
    copy.rawPath = path
    copy.requestContext = { ...context, http: { ...(context.http as Json), method, path } }
  } else if (typeof copy.httpMethod === 'string') {
    copy.httpMethod = method
    copy.path = path
  }
  return copy
}

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ kind: 'remove' as const }),
  fc.constant({ kind: 'null' as const }),
  fc.jsonValue({ maxDepth: 2 }).map((value) => ({ kind: 'retype' as const, value })),
  fc.constantFrom(1, 12, 700, 3_000).map((size) => ({ kind: 'oversize' as const, size })),
)

const mutation = fc.record({
  path: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
  op,
})

const sampleIndex = fc.integer({ min: 0, max: samples.length - 1 })

describe('events through the request builder, the router and the responder', () => {
  it('answers every real sample unchanged', async () => {
    for (const sample of samples) await expectAnswered(sample.event)
    tally('fuzz', 'real event samples, unchanged', samples.length * handlers.length)
  })

  it('answers samples with up to three fields removed, nulled, retyped or oversized', async () => {
    const numRuns = runs(150)
    await fc.assert(
      fc.asyncProperty(
        sampleIndex,
        fc.option(fc.constantFrom(...ROUTES), { nil: undefined }),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        async (index, route, mutations) => {
          const sample = (samples[index] as { event: Json }).event
          let event: unknown = route === undefined ? sample : retarget(sample, route)
          for (const m of mutations) event = mutate(event, m.path, m.op)
          await expectAnswered(event)
        },
      ),
      { numRuns },
    )
    tally('fuzz', 'mutated event samples (removed, nulled, retyped, oversized fields)', numRuns)
  })

  it('answers arbitrary JSON values and objects as events', async () => {
    const numRuns = runs(100)
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.jsonValue(), fc.object({ maxDepth: 3 }), fc.anything({ maxDepth: 2 })),
        async (event) => {
          await expectAnswered(event)
        },
      ),
      { numRuns },
    )
    tally('fuzz', 'arbitrary values as events', numRuns)
  })

  it('answers HTTP events whose headers, query, cookies and body are arbitrary', async () => {
    const numRuns = runs(100)
    const httpSamples = samples.filter((s) => targetOf(s.event) !== undefined)
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: httpSamples.length - 1 }),
        fc.constantFrom(...ROUTES),
        fc.dictionary(fc.string(), fc.string()),
        fc.string({ unit: 'binary' }),
        fc.boolean(),
        fc.string(),
        async (index, route, headers, body, base64, query) => {
          const event = retarget((httpSamples[index] as { event: Json }).event, route)
          event.headers = { ...headers, 'content-type': 'application/json' }
          event.multiValueHeaders = Object.fromEntries(
            Object.entries(headers).map(([k, v]) => [k, [v, v]]),
          )
          event.body = body
          event.isBase64Encoded = base64
          event.rawQueryString = query
          event.cookies = [query, body.slice(0, 20)]
          await expectAnswered(event)
        },
      ),
      { numRuns },
    )
    tally('fuzz', 'HTTP events with arbitrary headers, query, cookies and body', numRuns)
  })

  it('never answers a non-HTTP event with a 400, however its fields are changed', async () => {
    const numRuns = runs(150)
    // by folder, not by the detection under test; the WebSocket sample of the REST folder carries
    // httpMethod and path, so a mutation that drops its connection id makes it a REST event
    const httpFolders = ['alb/', 'apigw-http/', 'apigw-rest/', 'function-url/', 'lattice/']
    const others = samples.filter((s) => !httpFolders.some((folder) => s.name.startsWith(folder)))
    // every source takes every key: an event that reaches a route is never refused for its shape
    const everything = router(
      {
        ...table,
        logs: { '*': (r) => record(r) },
        firehose: { '*': (r) => record(r) },
        ses: { '*': (r) => record(r) },
        websocket: { '*': (r) => record(r) },
        cognito: { '*': () => undefined },
        secretsmanager: { '*': () => undefined },
        cloudformation: { '*': () => undefined },
        appsync: { '*': (r) => record(r) },
        bedrock: { '*': (r) => record(r) },
      },
      { ...quiet, partialBatch: true, unknown: (request) => request.reason },
    )
    /** Fields that make peers' events look like API Gateway's: the misreads of issue 16. */
    const lookalike = fc.record(
      {
        httpMethod: fc.oneof(fc.constantFrom('GET', 'POST', ''), fc.jsonValue()),
        method: fc.oneof(fc.constantFrom('GET', 'DELETE'), fc.jsonValue()),
        path: fc.oneof(fc.constant('/a'), fc.jsonValue()),
        version: fc.constantFrom('1.0', '2.0'),
      },
      { requiredKeys: [] },
    )
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: others.length - 1 }),
        fc.array(mutation, { maxLength: 3 }),
        fc.option(lookalike, { nil: undefined }),
        async (index, mutations, extra) => {
          let event: unknown = (others[index] as { event: Json }).event
          for (const m of mutations) event = mutate(event, m.path, m.op)
          // Bedrock Agent events carry httpMethod and apiPath; Lattice carries method and path
          const isBedrock = (event as Json | null)?.messageVersion !== undefined
          if (extra !== undefined && typeof event === 'object' && event !== null && isBedrock) {
            event = { ...(event as Json), ...extra }
          }
          // a Bedrock event stripped of every field that tells it from a bare REST test event
          // (`{ httpMethod }`) is one: that is an HTTP shape, whose defects are a 400
          const fields = (typeof event === 'object' && event !== null ? event : {}) as Json
          const bare = ['messageVersion', 'actionGroup', 'apiPath'].every((f) => !(f in fields))
          fc.pre(!(typeof fields.httpMethod === 'string' && bare))
          const built = buildRequest(event)
          expect(built.ok, built.ok ? '' : built.error.message).toBe(true)
          try {
            await everything(event, lambdaContext() as never)
          } catch (error) {
            if (!isAppError(error)) throw error
            expect(error.statusCode, error.message).not.toBe(400)
          }
        },
      ),
      { numRuns },
    )
    tally('fuzz', 'non-HTTP event samples, mutated, never answered 400', numRuns)
  })
})
