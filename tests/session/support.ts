/**
 * Shared by the session tests: real event samples with cookies put where each HTTP shape carries
 * them, a counter handler stacked behind the real responder, and the `Set-Cookie` values read
 * back from each response shape.
 */
import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import {
  type AppRequest,
  buildRequest,
  type HttpRequest,
  type RequestContext,
  requestBuilder,
} from '../../src/request/index.ts'
import { json, noContent, responder } from '../../src/response/index.ts'
import type { SessionCookie } from '../../src/session/index.ts'
import { lambdaContext, loadEvent } from '../support/events.ts'

/** A 32-byte signing key. */
export const KEY = 'k3y-for-tests-0123456789abcdefghij'

/** The HTTP samples, one per shape the responder answers. */
export const shapes = [
  'apigw-rest/no-auth',
  'apigw-http/no-auth',
  'function-url/get-request',
  'alb/base',
  'alb/multi-fields',
  'lattice/v1',
  'lattice/v2',
] as const
export type Sample = (typeof shapes)[number]

type Event = Record<string, unknown> & {
  headers?: Record<string, unknown>
  multiValueHeaders?: Record<string, unknown>
}

/** The sample `name` as a GET with the `Cookie` lines where its shape carries them. */
export const eventWith = (name: Sample, lines: readonly string[]): Event => {
  const event = loadEvent<Event>(name)
  // A GET without a body: the samples' bodies are beside the point here.
  if ('httpMethod' in event) event.httpMethod = 'GET'
  if ('method' in event) event.method = 'GET'
  if (name === 'apigw-http/no-auth' || name === 'function-url/get-request') {
    event.cookies = [...lines]
    return event
  }
  if (name === 'apigw-rest/no-auth') {
    event.headers = { ...event.headers, Cookie: lines.join('; ') }
    event.multiValueHeaders = { ...event.multiValueHeaders, Cookie: [...lines] }
    return event
  }
  if (name === 'alb/multi-fields') {
    event.multiValueHeaders = { ...event.multiValueHeaders, cookie: [...lines] }
    return event
  }
  if (name === 'lattice/v2') {
    event.headers = { ...event.headers, cookie: [...lines] }
    return event
  }
  event.headers = { ...event.headers, cookie: lines.join('; ') }
  return event
}

/** The typed request of an event with these cookie lines. */
export const requestWith = (lines: readonly string[], name: Sample = 'apigw-http/no-auth') => {
  const built = buildRequest(eventWith(name, lines))
  if (!built.ok || built.value.kind !== 'http') throw new Error('the sample is not an HTTP event')
  return built.value as HttpRequest
}

/** Stacks `handler` as a user would: the responder, then the request builder. */
const stack = (handler: (request: AppRequest) => Promise<unknown>) =>
  middy<unknown, unknown, Error, Context & RequestContext>()
    .use(responder({ logger: false }))
    .use(requestBuilder())
    .handler(async (_event, { request }) => handler(request))

/** A handler that counts visits in the session. */
export const counter = (cookie: SessionCookie<{ count: number }>) =>
  stack(async (request) => {
    const count = ((await cookie.read(request))?.count ?? 0) + 1
    return json({ count }, { cookies: [await cookie.set({ count })] })
  })

/** A handler that ends the session. */
export const logout = (cookie: SessionCookie<{ count: number }>) =>
  stack(async () => noContent({ cookies: [cookie.clear()] }))

/** The `Set-Cookie` values of a response, whichever shape it has. */
export const setCookies = (response: unknown): string[] => {
  const r = response as {
    cookies?: string[]
    headers?: Record<string, string>
    multiValueHeaders?: Record<string, string[]>
  }
  if (r.cookies !== undefined) return r.cookies
  if (r.multiValueHeaders?.['Set-Cookie'] !== undefined) return r.multiValueHeaders['Set-Cookie']
  const single = r.headers?.['Set-Cookie']
  return single === undefined ? [] : [single]
}

/** The `name=value` part of a `Set-Cookie` value: what a browser sends back. */
export const sentBack = (setCookie: string): string => setCookie.split(';')[0] ?? ''

export const context = () => lambdaContext() as unknown as Context & RequestContext
