/**
 * `metis-app/response`: a handler's value, `Result` or error becomes the response of the event's
 * shape.
 *
 * A handler returns a plain value (JSON, status 200), a {@link Reply} built with a helper
 * ({@link json}, {@link created}, {@link text}, {@link binary}, ...), a `Result` of either, or a
 * full response object of its own (anything with a numeric `statusCode`, passed through as it is).
 * {@link respond} shapes it for REST v1, HTTP API v2, Function URL, ALB or VPC Lattice, cookies
 * included;
 * errors become RFC 9457 problem details that never show a 5xx error's internals.
 * {@link responder} is the Middy middleware that does this after the handler and on error.
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import { created, responder } from 'metis-app/response'
 *
 * export const handler = middy()
 *   .use(responder())
 *   .handler(async (event) =>
 *     created({ id: '42' }, '/orders/42', {
 *       cookies: [{ name: 'seen', value: '1', httpOnly: true, secure: true, sameSite: 'Lax' }],
 *     }),
 *   )
 * ```
 * @module
 */

import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import {
  InternalServerError,
  PROBLEM_CONTENT_TYPE,
  reasonPhrase,
  toAppError,
  toProblem,
} from '../errors/index.ts'
import { answerFailure, type ErrorLogger } from '../internal/failures.ts'
import { asRecord, asString, dict, hasLineBreak, pick } from '../internal/guards.ts'
import { loggerOption } from '../internal/options.ts'
import { detectHttpShape } from '../request/http.ts'
import type { HttpRequest, HttpShape } from '../request/index.ts'
import { isResult } from '../result/index.ts'
import { type CookieInit, serializeCookie } from './cookies.ts'

export { type CookieAttributes, type CookieInit, serializeCookie } from './cookies.ts'

const REPLY: unique symbol = Symbol.for('metis-app/reply')

/** A response before it takes the event's shape; build one with the helpers of this module. */
export interface Reply {
  readonly [REPLY]: true
  readonly statusCode: number
  readonly headers: Readonly<Record<string, string>>
  /** Serialised `Set-Cookie` values. */
  readonly cookies: readonly string[]
  readonly body: string | undefined
  readonly isBase64Encoded: boolean
}

/** What every helper accepts besides its body. */
export interface ReplyInit {
  /** The status, when not the helper's own. */
  status?: number
  /** Response headers (a helper's `Content-Type` can be replaced here). */
  headers?: Readonly<Record<string, string>>
  /** Cookies to set, serialised with {@link serializeCookie}. */
  cookies?: readonly CookieInit[]
}

/** True when `value` was built by a helper of this module. */
export const isReply = (value: unknown): value is Reply =>
  typeof value === 'object' && value !== null && REPLY in value

const NO_COOKIES: readonly string[] = Object.freeze([])

/** RFC 9110 token characters: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** Refuses a header name or value that could split the response (a TypeError, as for cookies). */
const checkHeader = (name: string, value: unknown): void => {
  if (!HEADER_NAME.test(name))
    throw new TypeError(`Invalid response header name: ${JSON.stringify(name)}`)
  if (typeof value !== 'string' || hasLineBreak(value)) {
    throw new TypeError(
      `Invalid value for response header ${name}: it must be text without line breaks`,
    )
  }
}

const makeReply = (
  statusCode: number,
  contentType: string | undefined,
  body: string | undefined,
  init: ReplyInit,
  isBase64Encoded = false,
): Reply => {
  // Prototype-free and copied key by key: a header a handler names `__proto__` stays a header.
  const headers = dict<string>()
  if (contentType !== undefined) headers['Content-Type'] = contentType
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    checkHeader(name, value)
    headers[name] = value
  }
  const cookies =
    init.cookies === undefined
      ? NO_COOKIES
      : init.cookies.map(({ name, value, ...attributes }) =>
          serializeCookie(name, value, attributes),
        )
  return {
    [REPLY]: true,
    statusCode: init.status ?? statusCode,
    headers,
    cookies,
    body,
    isBase64Encoded,
  }
}

const NO_INIT: ReplyInit = Object.freeze({})

/**
 * A JSON response (`application/json`), status 200 unless `init.status` says otherwise.
 *
 * @example
 * ```ts
 * return json({ id: '42' }, { headers: { 'Cache-Control': 'no-store' } })
 * ```
 */
export const json = (body: unknown, init: ReplyInit = NO_INIT): Reply =>
  makeReply(200, 'application/json', JSON.stringify(body), init)

/**
 * A JSON-LD response (`application/ld+json`).
 *
 * @example
 * ```ts
 * return jsonLd({ '@context': 'https://schema.org', '@type': 'Order', orderNumber: '42' })
 * ```
 */
export const jsonLd = (body: unknown, init: ReplyInit = NO_INIT): Reply =>
  makeReply(200, 'application/ld+json', JSON.stringify(body), init)

/**
 * A plain text response (`text/plain; charset=utf-8`).
 *
 * @example
 * ```ts
 * return text('pong')
 * ```
 */
export const text = (body: string, init: ReplyInit = NO_INIT): Reply =>
  makeReply(200, 'text/plain; charset=utf-8', body, init)

/**
 * A binary response: the bytes as base64 with `isBase64Encoded`.
 *
 * @example
 * ```ts
 * return binary(pngBytes, 'image/png')
 * ```
 */
export const binary = (
  body: Uint8Array,
  contentType = 'application/octet-stream',
  init: ReplyInit = NO_INIT,
): Reply =>
  makeReply(
    200,
    contentType,
    Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64'),
    init,
    true,
  )

/**
 * 201 Created with a `Location` header and a JSON body (none when `body` is undefined).
 *
 * @example
 * ```ts
 * return created(order, `/orders/${order.id}`)
 * ```
 */
export const created = (body: unknown, location: string, init: ReplyInit = NO_INIT): Reply =>
  makeReply(
    201,
    body === undefined ? undefined : 'application/json',
    body === undefined ? undefined : JSON.stringify(body),
    { ...init, headers: { Location: location, ...init.headers } },
  )

/**
 * 202 Accepted, with an optional JSON body (a status URL, a job id).
 *
 * @example
 * ```ts
 * return accepted({ job: jobId })
 * ```
 */
export const accepted = (body?: unknown, init: ReplyInit = NO_INIT): Reply =>
  makeReply(
    202,
    body === undefined ? undefined : 'application/json',
    body === undefined ? undefined : JSON.stringify(body),
    init,
  )

/**
 * 204 No Content.
 *
 * @example
 * ```ts
 * return noContent({ cookies: [{ name: 'session', value: '', maxAge: 0, path: '/' }] })
 * ```
 */
export const noContent = (init: ReplyInit = NO_INIT): Reply =>
  makeReply(204, undefined, undefined, init)

/**
 * RFC 9457 problem details (`application/problem+json`) for an error: its status and headers,
 * and for an exposed error its message, code and details. A 5xx error shows only its status and
 * title; anything that is not an `AppError` is a 500.
 *
 * @example
 * ```ts
 * return problem(new NotFoundError('No order 42'), { instance: '/orders/42' })
 * ```
 */
export const problem = (error: unknown, init: ReplyInit & { instance?: string } = {}): Reply => {
  const appError = toAppError(error)
  const { instance, ...rest } = init
  return makeReply(
    appError.statusCode,
    PROBLEM_CONTENT_TYPE,
    JSON.stringify(toProblem(appError, instance)),
    { ...rest, headers: { ...appError.headers, ...rest.headers } },
  )
}

/** Where a response goes: the event shape, whether it used multi-value headers, and the method. */
export interface ResponseTarget {
  readonly shape: HttpShape
  readonly multiValue: boolean
  readonly method: string
}

/** A REST v1 (API Gateway proxy) response. */
export interface RestV1Response {
  statusCode: number
  headers: Record<string, string>
  multiValueHeaders?: Record<string, string[]>
  body: string
  isBase64Encoded: boolean
}

/** An HTTP API v2 or Function URL response. */
export interface HttpV2Response {
  statusCode: number
  headers: Record<string, string>
  cookies?: string[]
  body?: string
  isBase64Encoded: boolean
}

/** An ALB response (multi-value headers when the target group has them on). */
export interface AlbResponse {
  statusCode: number
  statusDescription: string
  headers?: Record<string, string>
  multiValueHeaders?: Record<string, string[]>
  body: string
  isBase64Encoded: boolean
}

/** A VPC Lattice response (event structure v1 and v2 alike): single-value headers. */
export interface LatticeResponse {
  statusCode: number
  statusDescription: string
  headers: Record<string, string>
  body: string
  isBase64Encoded: boolean
}

/** A response in one of the shapes Lambda's HTTP integrations read. */
export type HttpResponse = RestV1Response | HttpV2Response | AlbResponse | LatticeResponse

/** Turns a handler's value (not an error) into a reply; undefined for a full response object. */
const replyOf = (value: unknown): Reply | undefined => {
  if (isReply(value)) return value
  if (value === undefined) return noContent()
  if (value instanceof Error) return problem(value)
  if (value instanceof Uint8Array) return binary(value)
  if (typeof asRecord(value)?.statusCode === 'number') return undefined
  return json(value)
}

/**
 * The common case without building a reply: a plain JSON value, status 200, for REST v1, HTTP API
 * v2 or Function URL (the three take the same fields when there are no cookies); else undefined.
 */
const plainJson = (value: unknown, target: ResponseTarget): HttpResponse | undefined => {
  if (value === undefined || target.method === 'HEAD' || hasStatusLine(target.shape)) {
    return undefined
  }
  if (typeof value === 'object' && value !== null) {
    if (REPLY in value || value instanceof Error || value instanceof Uint8Array) return undefined
    if (typeof (value as { statusCode?: unknown }).statusCode === 'number') return undefined
  }
  const body = JSON.stringify(value)
  if (body === undefined) return undefined
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body,
    isBase64Encoded: false,
  }
}

/** The shapes whose responses carry a status line (`statusDescription`): ALB and VPC Lattice. */
const hasStatusLine = (shape: HttpShape): boolean =>
  shape === 'alb' || shape === 'lattice-v1' || shape === 'lattice-v2'

/** A `Set-Cookie` in single-value headers, where only one fits. */
const singleCookie = (
  headers: Record<string, string>,
  cookies: readonly string[],
  shape: HttpShape,
): void => {
  if (cookies.length > 1) {
    const [who, code] =
      shape === 'alb'
        ? ['An ALB target group without multi-value headers', 'ALB_SINGLE_VALUE_COOKIES']
        : ['A VPC Lattice target group', 'LATTICE_SINGLE_VALUE_COOKIES']
    throw new InternalServerError(`${who} can set only one cookie per response`, { code })
  }
  if (cookies[0] !== undefined) headers['Set-Cookie'] = cookies[0]
}

/** Places a reply in the shape of the target event. */
const shape = (reply: Reply, target: ResponseTarget): HttpResponse => {
  const head = target.method === 'HEAD'
  const body = head ? undefined : reply.body
  const isBase64Encoded = head ? false : reply.isBase64Encoded
  const headers = { ...reply.headers }
  const cookies = reply.cookies
  if (target.shape === 'http-v2' || target.shape === 'function-url') {
    const response: HttpV2Response = { statusCode: reply.statusCode, headers, isBase64Encoded }
    if (cookies.length > 0) response.cookies = [...cookies]
    if (body !== undefined) response.body = body
    return response
  }
  if (target.shape === 'rest-v1') {
    const response: RestV1Response = {
      statusCode: reply.statusCode,
      headers,
      body: body ?? '',
      isBase64Encoded,
    }
    if (cookies.length > 0) response.multiValueHeaders = { 'Set-Cookie': [...cookies] }
    return response
  }
  const statusDescription = `${reply.statusCode} ${reasonPhrase(reply.statusCode)}`
  if (target.shape === 'lattice-v1' || target.shape === 'lattice-v2') {
    singleCookie(headers, cookies, target.shape)
    const lattice: LatticeResponse = {
      statusCode: reply.statusCode,
      statusDescription,
      headers,
      body: body ?? '',
      isBase64Encoded,
    }
    return lattice
  }
  const alb: AlbResponse = {
    statusCode: reply.statusCode,
    statusDescription,
    body: body ?? '',
    isBase64Encoded,
  }
  if (target.multiValue) {
    const multi = dict<string[]>()
    for (const [name, value] of Object.entries(headers)) multi[name] = [value]
    if (cookies.length > 0) multi['Set-Cookie'] = [...cookies]
    alb.multiValueHeaders = multi
    return alb
  }
  singleCookie(headers, cookies, 'alb')
  alb.headers = headers
  return alb
}

/**
 * Shapes a handler's outcome for the event it answers: a `Result` is unwrapped (its error becomes a
 * problem), a {@link Reply} or plain value is shaped, a full response object passes through, and
 * `undefined` is a 204. Never throws: a value that cannot be serialised is a 500 problem.
 *
 * @example
 * ```ts
 * respond(ok({ id: '42' }), { shape: 'http-v2', multiValue: false, method: 'GET' })
 * // { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"id":"42"}', isBase64Encoded: false }
 * ```
 */
export const respond = (value: unknown, target: ResponseTarget): HttpResponse => {
  try {
    const outcome = isResult(value) ? (value.ok ? value.value : toAppError(value.error)) : value
    const fast = plainJson(outcome, target)
    if (fast !== undefined) return fast
    const reply = replyOf(outcome)
    if (reply === undefined) return outcome as HttpResponse
    return shape(reply, target)
  } catch (error) {
    return shape(problem(error), target)
  }
}

/**
 * Shapes an error as a problem response for the event it answers.
 *
 * @example
 * ```ts
 * respondError(new ForbiddenError(), targetOf(event))
 * ```
 */
export const respondError = (error: unknown, target: ResponseTarget): HttpResponse =>
  respond({ ok: false, error }, target)

/**
 * The response target of an HTTP request, or of a raw HTTP event; undefined for any other event.
 *
 * @example
 * ```ts
 * const target = targetOf(event, context.request)
 * ```
 */
export const targetOf = (event: unknown, request?: unknown): ResponseTarget | undefined => {
  const built = asRecord(request) as Partial<HttpRequest> | undefined
  if (built?.kind === 'http' && built.shape !== undefined) {
    return {
      shape: built.shape,
      multiValue: built.multiValue === true,
      method: built.method ?? 'GET',
    }
  }
  const raw = asRecord(event)
  if (raw === undefined) return undefined
  // The request builder's detection: an event with httpMethod that is no HTTP request (a Bedrock
  // Agent's, a WebSocket's) has no HTTP response.
  const shape = detectHttpShape(raw)
  if (shape === undefined) return undefined
  const method =
    shape === 'http-v2' || shape === 'function-url'
      ? pick(raw.requestContext, 'http', 'method')
      : shape === 'rest-v1' || shape === 'alb'
        ? raw.httpMethod
        : raw.method
  const multiValue =
    (shape === 'rest-v1' || shape === 'alb') && asRecord(raw.multiValueHeaders) !== undefined
  return { shape, multiValue, method: (asString(method) ?? 'GET').toUpperCase() }
}

/** Options of {@link responder}. */
export interface ResponderOptions {
  /**
   * Called with every error answered with a 5xx status (the problem body never shows it); `false`
   * logs nothing. Default: the observer's "request end" line reports it when `observer()` is
   * stacked, else `console.error`.
   */
  logger?: ErrorLogger
}

/**
 * Middy middleware that shapes the handler's outcome (`after`) and any error (`onError`) as the
 * response of the event: the value, `Reply` or `Result` of a plain handler becomes an HTTP
 * response of the right shape, a thrown error a problem response. For a record event (SQS,
 * Kinesis, ...) a successful value passes through as it is (the partial batch response, or
 * nothing) and an error `Result` is thrown so that the invocation fails.
 *
 * @example
 * ```ts
 * middy().use(responder({ logger: (e) => log.error('request failed', { error: e }) })).handler(fn)
 * ```
 */
export const responder = (
  options: ResponderOptions = {},
): MiddlewareObj<unknown, unknown, Error, Context> => {
  const { logger } = options
  loggerOption('responder', logger)

  const responderAfter = (request: {
    event: unknown
    context: Context
    response: unknown
  }): void => {
    const target = targetOf(request.event, (request.context as { request?: unknown }).request)
    const value = request.response
    if (target !== undefined) {
      if (isResult(value) && !value.ok) answerFailure(request.context, value.error, logger)
      request.response = respond(value, target)
      return
    }
    if (!isResult(value)) return
    if (!value.ok) throw value.error instanceof Error ? value.error : toAppError(value.error)
    request.response = value.value
  }

  const responderOnError = (request: {
    event: unknown
    context: Context
    response: unknown
    error: unknown
  }): void => {
    if (request.response !== undefined) return
    const target = targetOf(request.event, (request.context as { request?: unknown }).request)
    if (target === undefined) return
    answerFailure(request.context, request.error, logger)
    request.response = respondError(request.error, target)
  }

  return { name: 'metis-app/response', after: responderAfter, onError: responderOnError }
}
