/** {@link sessionCookie} and {@link session}: read, set and clear a session kept in a cookie. */

import { asArray, pick } from '../internal/guards.ts'
import {
  booleanOption,
  choiceOption,
  functionOption,
  numberOption,
  optionError,
} from '../internal/options.ts'
import type { AppRequest, HttpRequest } from '../request/types.ts'
import { type CookieAttributes, type CookieInit, serializeCookie } from '../response/cookies.ts'
import { COOKIE_LIMIT, decode, encode, MIN_KEY_BYTES, rawValues } from './codec.ts'
import { SessionTooLargeError } from './errors.ts'

/**
 * An HMAC-SHA256 key: text (its UTF-8 bytes) or bytes, at least 32 bytes long.
 *
 * @example
 * ```ts
 * const key: SessionKey = randomBytes(32) // or a 32-character (or longer) secret string
 * ```
 */
export type SessionKey = string | Uint8Array

/**
 * The data a session holds: a JSON-serialisable object (what `JSON.stringify` keeps is read back).
 *
 * @example
 * ```ts
 * interface Visit extends SessionData { count: number; lastSeen: string } // no Date: it reads back as a string
 * ```
 */
export type SessionData = object

/**
 * Options of {@link sessionCookie}; every one has a default.
 *
 * @example
 * ```ts
 * const options: SessionCookieOptions = { name: '__Host-sid', signingKey: key, sameSite: 'Strict', maxAge: 3600 }
 * ```
 */
export interface SessionCookieOptions<T extends SessionData = Record<string, unknown>> {
  /** The cookie name (an RFC 6265 token). Default: `'session'`. */
  name?: string
  /**
   * Signs the cookie with HMAC-SHA256 so that a cookie the client changed reads as no session:
   * a key of at least 32 bytes, or a function that returns one (or a promise of one), called on
   * every read and write so that the key can come from Parameters or Secrets Manager (which cache
   * it). Default: none, the cookie is not signed and the client can write any session it likes.
   */
  signingKey?: SessionKey | (() => SessionKey | PromiseLike<SessionKey>)
  /**
   * Checks the shape of the data read back (a type guard narrows `T`); data it refuses reads as
   * no session. Default: any JSON object is accepted as `T`.
   */
  validate?: (data: unknown) => data is T
  /** Not readable from JavaScript. Default: `true`. */
  httpOnly?: boolean
  /** Sent only over HTTPS. Default: `true`. */
  secure?: boolean
  /** Default: `'Lax'`. */
  sameSite?: 'Strict' | 'Lax' | 'None'
  /** Default: `'/'`. */
  path?: string
  /** Default: none (the host that set it, without subdomains). */
  domain?: string
  /** Lifetime in whole seconds, renewed by every `set`. Default: none (until the browser closes). */
  maxAge?: number
}

/**
 * A session cookie: read the session of a request, and the `Set-Cookie` that sets or clears it.
 *
 * @example
 * ```ts
 * const visits: SessionCookie<{ count: number }> = sessionCookie({ signingKey: key })
 * const count = ((await visits.read(request))?.count ?? 0) + 1
 * return json({ count }, { cookies: [await visits.set({ count })] })
 * ```
 */
export interface SessionCookie<T extends SessionData = Record<string, unknown>> {
  /** The cookie name. */
  readonly name: string
  /**
   * The session of the request, or `undefined` when there is none: not an HTTP request, no
   * cookie, or one that is tampered with, wrongly signed, over 4096 bytes, not base64url JSON of
   * an object, refused by `validate`, or sent more than once. Never rejects for what the client
   * sent (only when a `signingKey` function fails).
   */
  read(request: AppRequest): Promise<T | undefined>
  /**
   * The cookie that sets (or updates) the session to `data`, for a reply's `cookies`. Rejects
   * with {@link SessionTooLargeError} when the cookie would be over 4096 bytes, and with a
   * `TypeError` when `data` is not a JSON-serialisable object.
   */
  set(data: T): Promise<CookieInit>
  /** The cookie that clears the session (empty, `Max-Age=0`, expired), for a reply's `cookies`. */
  clear(): CookieInit
}

const FACTORY = 'sessionCookie'
const SAME_SITE = ['Strict', 'Lax', 'None'] as const

/** `value`, or `fallback` when it is undefined, when it is a boolean. */
/** `value` as key bytes when it is a string or bytes of at least 32 bytes. */
const keyBytes = (value: unknown, what: string): Uint8Array => {
  const bytes =
    typeof value === 'string'
      ? Buffer.from(value, 'utf8')
      : value instanceof Uint8Array
        ? value
        : undefined
  if (bytes === undefined || bytes.byteLength < MIN_KEY_BYTES) {
    throw optionError(FACTORY, `${what} must be a string or Uint8Array of at least 32 bytes`)
  }
  return bytes
}

/** The key source: none, fixed bytes, or a function called on every use. */
const keySource = (
  value: SessionCookieOptions['signingKey'],
): (() => Promise<Uint8Array | undefined>) => {
  if (value === undefined) return async () => undefined
  if (typeof value === 'function') {
    return async () => keyBytes(await value(), 'the key the signingKey function returned')
  }
  const bytes = keyBytes(value, 'signingKey')
  return async () => bytes
}

/** The `Cookie` lines of a request: `cookies` in HTTP API v2 and Function URL, else the header. */
const cookieLines = (request: HttpRequest): readonly string[] => {
  if (request.shape === 'http-v2' || request.shape === 'function-url') {
    const cookies = asArray(pick(request.event, 'cookies')) ?? []
    return cookies.filter((line): line is string => typeof line === 'string')
  }
  return request.multiValueHeaders.cookie ?? []
}

/** `data` as JSON when it is a JSON-serialisable object. */
const toJson = (name: string, data: unknown): string => {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new TypeError(`${FACTORY}: the session '${name}' must be an object`)
  }
  try {
    return JSON.stringify(data)
  } catch (error) {
    throw new TypeError(`${FACTORY}: the session '${name}' cannot be serialised as JSON`, {
      cause: error,
    })
  }
}

/** The defaults of {@link SessionCookieOptions}, in one place. */
const defaults = {
  name: 'session',
  path: '/',
  httpOnly: true,
  secure: true,
  sameSite: 'Lax',
} as const

/**
 * A session kept in a cookie: `read` gives the session of a request, `set` and `clear` the
 * cookie to put in a reply's `cookies` (the responder writes it as `Set-Cookie` in the event's
 * shape). The value is the base64url JSON of the data, HMAC-SHA256 signed when a `signingKey` is
 * given. Cookies are `HttpOnly`, `Secure`, `SameSite=Lax` and `Path=/` unless the options say
 * otherwise. Options are checked here, once: a bad one throws a `TypeError` naming it.
 *
 * @example
 * ```ts
 * import { json, noContent } from 'metis-app/response'
 * import { sessionCookie } from 'metis-app/session'
 *
 * const cart = sessionCookie<{ items: string[] }>({ name: 'cart', signingKey: () => cartKey })
 *
 * // in an HTTP route handler
 * const current = (await cart.read(request)) ?? { items: [] }
 * const next = { items: [...current.items, 'sku-42'] }
 * return json(next, { cookies: [await cart.set(next)] })
 * // on logout
 * return noContent({ cookies: [cart.clear()] })
 * ```
 */
export const sessionCookie = <T extends SessionData = Record<string, unknown>>(
  options: SessionCookieOptions<T> = {},
): SessionCookie<T> => {
  const { name = defaults.name, signingKey, validate, path = defaults.path, domain } = options
  if ('signingKey' in options && signingKey === undefined) {
    // `signingKey: process.env.KEY` with the variable unset must not quietly turn signing off.
    throw optionError(FACTORY, 'signingKey is undefined; leave it out for an unsigned cookie')
  }
  functionOption(FACTORY, 'validate', validate)
  const attributes: CookieAttributes = {
    httpOnly: booleanOption(FACTORY, 'httpOnly', options.httpOnly, defaults.httpOnly),
    secure: booleanOption(FACTORY, 'secure', options.secure, defaults.secure),
    sameSite: choiceOption(FACTORY, 'sameSite', options.sameSite, SAME_SITE, defaults.sameSite),
    path,
    domain,
    maxAge:
      options.maxAge === undefined
        ? undefined
        : numberOption(FACTORY, 'maxAge', options.maxAge, 0, { min: 1, integer: true }),
  }
  try {
    // The cookie a session would be set with: a bad name, path or domain, or an attribute set
    // browsers refuse (SameSite=None without Secure, a __Host- cookie with a Domain) fails here.
    serializeCookie(name, '', attributes)
  } catch (error) {
    throw optionError(FACTORY, (error as Error).message)
  }
  const keyOf = keySource(signingKey)

  const read = async (request: AppRequest): Promise<T | undefined> => {
    if (request.kind !== 'http') return undefined
    const values = rawValues(cookieLines(request), name)
    if (values.length !== 1 || values[0] === undefined) return undefined
    const data = decode(name, values[0], await keyOf())
    if (data === undefined) return undefined
    if (validate !== undefined && !validate(data)) return undefined
    return data as T
  }

  const set = async (data: T): Promise<CookieInit> => {
    const value = encode(name, toJson(name, data), await keyOf())
    const bytes = name.length + 1 + value.length
    if (bytes > COOKIE_LIMIT) throw new SessionTooLargeError(name, bytes, COOKIE_LIMIT)
    return { ...attributes, name, value }
  }

  const clear = (): CookieInit => ({
    ...attributes,
    name,
    value: '',
    maxAge: 0,
    expires: new Date(0),
  })

  return { name, read, set, clear }
}

/**
 * The session of a request, or `undefined` when it has none (or one that cannot be
 * trusted): `cookie.read(request)`, for a cookie made by {@link sessionCookie} or made here from
 * `options` (checked on every call; make the cookie once where that matters).
 *
 * @example
 * ```ts
 * import { session } from 'metis-app/session'
 *
 * const user = await session<{ userId: string }>(request, { signingKey: () => sessionKey })
 * if (user === undefined) return problem(new UnauthorizedError())
 * ```
 */
export const session = <T extends SessionData = Record<string, unknown>>(
  request: AppRequest,
  cookie: SessionCookie<T> | SessionCookieOptions<T> = {},
): Promise<T | undefined> =>
  (isSessionCookie(cookie) ? cookie : sessionCookie(cookie)).read(request)

const isSessionCookie = <T extends SessionData>(
  cookie: SessionCookie<T> | SessionCookieOptions<T>,
): cookie is SessionCookie<T> =>
  typeof (cookie as { read?: unknown }).read === 'function' &&
  typeof (cookie as { set?: unknown }).set === 'function'
