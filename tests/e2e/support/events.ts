/**
 * Lambda events for the end-to-end suite, made from the real samples the repository keeps in
 * `tests/fixtures/events/` (copies of the project's shared events): the HTTP samples with their
 * method, path and body changed, the SQS and S3 samples as they are.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO } from './commands.ts'

/** The real samples, as the repository keeps them (copies of the project's shared events). */
export const EVENTS = join(REPO, 'tests', 'fixtures', 'events')

type Json = Record<string, unknown>

/** A fresh copy of `<EVENTS>/<name>.json`, e.g. `sample('sqs/base')`. */
export const sample = (name: string): Json =>
  JSON.parse(readFileSync(join(EVENTS, `${name}.json`), 'utf8')) as Json

/** The HTTP integrations a function behind API Gateway, a Function URL or an ALB receives. */
export const SHAPES = ['rest-v1', 'http-v2', 'function-url', 'alb'] as const
export type Shape = (typeof SHAPES)[number]

/** An HTTP request to turn into an event. */
export interface HttpCall {
  readonly method: string
  readonly path: string
  /** A JSON body, sent with `content-type: application/json`. */
  readonly json?: unknown
}

const record = (value: unknown): Json => value as Json

const jsonHeaders = (body: string | undefined) =>
  body === undefined
    ? {}
    : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }

/** An API Gateway REST API (v1) proxy event from `apigw-rest/no-auth`. */
const restV1 = ({ method, path }: HttpCall, body: string | undefined): Json => {
  const event = sample('apigw-rest/no-auth')
  const headers = { ...record(event.headers), ...jsonHeaders(body) }
  const context = record(event.requestContext)
  return {
    ...event,
    resource: path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    requestContext: {
      ...context,
      resourcePath: path,
      httpMethod: method,
      path: `/${String(context.stage)}${path}`,
    },
    body: body ?? null,
  }
}

/** An HTTP API (v2) or Function URL event from `apigw-http/no-auth` or `function-url/get-request`. */
const v2 = (name: string, { method, path }: HttpCall, body: string | undefined): Json => {
  const event = sample(name)
  const context = record(event.requestContext)
  const { 'content-length': _length, ...headers } = record(event.headers)
  const routeKey = event.routeKey === '$default' ? '$default' : `${method} ${path}`
  return {
    ...event,
    routeKey,
    rawPath: path,
    headers: { ...headers, ...jsonHeaders(body) },
    requestContext: {
      ...context,
      routeKey,
      http: { ...record(context.http), method, path },
    },
    ...(body === undefined ? {} : { body }),
  }
}

/** An ALB event from `alb/base`. */
const alb = ({ method, path }: HttpCall, body: string | undefined): Json => {
  const event = sample('alb/base')
  return {
    ...event,
    httpMethod: method,
    path,
    headers: { ...record(event.headers), ...jsonHeaders(body) },
    body: body ?? '',
  }
}

/** The event `shape` delivers for `call`. */
export const httpEvent = (shape: Shape, call: HttpCall): Json => {
  const body = call.json === undefined ? undefined : JSON.stringify(call.json)
  switch (shape) {
    case 'rest-v1':
      return restV1(call, body)
    case 'http-v2':
      return v2('apigw-http/no-auth', call, body)
    case 'function-url':
      return v2('function-url/get-request', call, body)
    case 'alb':
      return alb(call, body)
  }
}
