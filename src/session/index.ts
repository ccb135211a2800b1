/**
 * `metis-app/session`: a web session kept in a cookie.
 *
 * {@link sessionCookie} describes the cookie once (name, optional HMAC-SHA256 signing key,
 * attributes, an optional shape check); its `read` gives the session of a request (or
 * `undefined`), its `set` and `clear` the cookie a handler returns in a reply's `cookies`, which
 * the responder writes as `Set-Cookie` in the event's shape (REST v1 `multiValueHeaders`, HTTP
 * API v2 and Function URL `cookies`, ALB, VPC Lattice). {@link session} reads in one call. A
 * cookie the client tampered with, a wrong signature, a cookie over 4096 bytes, one that is not
 * base64url JSON of an object, or one sent twice reads as no session, never as an error.
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import { type RequestContext, requestBuilder } from 'metis-app/request'
 * import { json, responder } from 'metis-app/response'
 * import { sessionCookie } from 'metis-app/session'
 *
 * const visits = sessionCookie<{ count: number }>({ signingKey: process.env.SESSION_KEY ?? '', maxAge: 3600 })
 *
 * export const handler = middy()
 *   .use(responder())
 *   .use(requestBuilder())
 *   .handler(async (_event: unknown, { request }: RequestContext) => {
 *     const count = ((await visits.read(request))?.count ?? 0) + 1
 *     return json({ count }, { cookies: [await visits.set({ count })] })
 *   })
 * ```
 * @module
 */
export {
  type SessionCookie,
  type SessionCookieOptions,
  type SessionData,
  type SessionKey,
  session,
  sessionCookie,
} from './cookie.ts'
export { SessionTooLargeError } from './errors.ts'
