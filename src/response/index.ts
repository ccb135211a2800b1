/**
 * `metis-app/response`: a handler's value, `Result` or error becomes the response of the event's
 * shape.
 *
 * A handler returns a plain value (JSON, status 200), a {@link Reply} built with a helper
 * ({@link json}, {@link created}, {@link text}, {@link binary}, ...), a `Result` of either, or a
 * full response object of its own (anything with a numeric `statusCode`, passed through as it is).
 * {@link responder} shapes it for REST v1, HTTP API v2, Function URL, ALB or VPC Lattice, cookies
 * included; errors become RFC 9457 problem details that never show a 5xx error's internals.
 * It is the Middy middleware that does this after the handler and on error.
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

export type { Logger } from '../internal/logger.ts'
export type { CookieAttributes, CookieInit } from './cookies.ts'
export { type ResponderOptions, responder } from './middleware.ts'
export {
  accepted,
  binary,
  created,
  isReply,
  json,
  noContent,
  problem,
  type Reply,
  type ReplyInit,
  text,
} from './reply.ts'
export type {
  AlbResponse,
  HttpResponse,
  HttpV2Response,
  LatticeResponse,
  ResponseTarget,
  RestV1Response,
} from './shape.ts'
