/** The replies a handler returns: `json`, `created`, `problem`, ... before they take the event's shape. */

import { PROBLEM_CONTENT_TYPE, toAppError, toProblem } from '../errors/errors.ts'
import { dict, hasLineBreak } from '../internal/guards.ts'
import { type CookieInit, serializeCookie } from './cookies.ts'

const REPLY: unique symbol = Symbol.for('metis-app/reply')

/**
 * A response before it takes the event's shape; build one with the helpers of this module.
 *
 * @example
 * ```ts
 * const reply: Reply = json({ id: '42' }, { status: 200 })
 * reply.statusCode // 200
 * reply.headers['Content-Type'] // 'application/json'
 * ```
 */
export interface Reply {
  readonly [REPLY]: true
  readonly statusCode: number
  readonly headers: Readonly<Record<string, string>>
  /** Serialised `Set-Cookie` values. */
  readonly cookies: readonly string[]
  readonly body: string | undefined
  readonly isBase64Encoded: boolean
}

/**
 * What every helper accepts besides its body.
 *
 * @example
 * ```ts
 * const init: ReplyInit = { status: 200, headers: { 'Cache-Control': 'no-store' } }
 * return json(order, init)
 * ```
 */
export interface ReplyInit {
  /** The status, when not the helper's own. */
  status?: number
  /** Response headers (a helper's `Content-Type` can be replaced here). */
  headers?: Readonly<Record<string, string>>
  /** Cookies to set, serialised as RFC 6265 `Set-Cookie` values. */
  cookies?: readonly CookieInit[]
}

/**
 * True when `value` was built by a helper of this module (`json`, `text`, `created`, ...).
 *
 * @example
 * ```ts
 * isReply(json({ id: 1 })) // true
 * isReply({ statusCode: 200 }) // false: a plain Lambda result
 * ```
 */
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
