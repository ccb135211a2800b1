/**
 * The attributes of a `Set-Cookie` header (RFC 6265 section 4.1, plus `SameSite`).
 *
 * @example
 * ```ts
 * const attributes: CookieAttributes = { httpOnly: true, secure: true, sameSite: 'Lax', path: '/' }
 * serializeCookie('session', 'abc123', attributes)
 * ```
 */
export interface CookieAttributes {
  /** Not readable from JavaScript. */
  httpOnly?: boolean
  /** Sent only over HTTPS. Required by `SameSite=None` and the `__Secure-` / `__Host-` prefixes. */
  secure?: boolean
  /** `Strict`, `Lax` or `None` (which needs `secure`). */
  sameSite?: 'Strict' | 'Lax' | 'None'
  /** Lifetime in whole seconds; `0` or less expires the cookie at once. */
  maxAge?: number
  /** Absolute expiry. */
  expires?: Date
  /** The path the cookie is sent for. */
  path?: string
  /** The domain the cookie is sent to (and its subdomains). */
  domain?: string
}

/**
 * A cookie to set: its name, its value and its attributes.
 *
 * @example
 * ```ts
 * const session: CookieInit = { name: 'session', value: sessionId, httpOnly: true, secure: true }
 * return json(user, { cookies: [session] })
 * ```
 */
export interface CookieInit extends CookieAttributes {
  name: string
  value: string
}

/** RFC 7230 `token`: the characters a cookie name may have. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** RFC 6265 `cookie-value`: cookie-octets, optionally in double quotes. */
const COOKIE_VALUE = /^("?)[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*\1$/
/** RFC 6265 `av-octet` for Path: any CHAR except CTLs and `;`. */
const PATH_VALUE = /^[\x20-\x3A\x3C-\x7E]+$/
/** A host name (letters, digits, hyphens, dots; an optional leading dot is tolerated). */
const DOMAIN_VALUE =
  /^\.?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/

const invalid = (message: string): TypeError => new TypeError(`Invalid cookie: ${message}`)

/**
 * Serialises one `Set-Cookie` header value per RFC 6265. The value is written as given (encode it
 * first, for example with `encodeURIComponent`, when it may hold characters outside cookie-octets);
 * an invalid name, value or attribute throws a `TypeError` rather than emitting a header a browser
 * would misread.
 *
 * @example
 * ```ts
 * serializeCookie('session', 'abc123', { httpOnly: true, secure: true, sameSite: 'Lax', path: '/' })
 * // 'session=abc123; Path=/; Secure; HttpOnly; SameSite=Lax'
 * ```
 */
export const serializeCookie = (
  name: string,
  value: string,
  attributes: CookieAttributes = {},
): string => {
  if (!TOKEN.test(name)) throw invalid(`name '${name}' is not an RFC 6265 token`)
  if (!COOKIE_VALUE.test(value)) {
    throw invalid(`the value of '${name}' has characters outside cookie-octets; encode it first`)
  }
  const parts = [`${name}=${value}`]
  const { maxAge, expires, path, domain, sameSite } = attributes
  if (maxAge !== undefined) {
    if (!Number.isInteger(maxAge)) throw invalid(`Max-Age of '${name}' must be whole seconds`)
    parts.push(`Max-Age=${maxAge}`)
  }
  if (expires !== undefined) {
    if (Number.isNaN(expires.getTime())) throw invalid(`Expires of '${name}' is not a valid date`)
    parts.push(`Expires=${expires.toUTCString()}`)
  }
  if (domain !== undefined) {
    if (!DOMAIN_VALUE.test(domain)) throw invalid(`Domain '${domain}' is not a host name`)
    parts.push(`Domain=${domain}`)
  }
  if (path !== undefined) {
    if (!PATH_VALUE.test(path)) throw invalid(`Path of '${name}' has a control character or ';'`)
    parts.push(`Path=${path}`)
  }
  if (attributes.secure === true) parts.push('Secure')
  if (attributes.httpOnly === true) parts.push('HttpOnly')
  if (sameSite !== undefined) {
    if (sameSite !== 'Strict' && sameSite !== 'Lax' && sameSite !== 'None') {
      throw invalid(`SameSite must be Strict, Lax or None`)
    }
    if (sameSite === 'None' && attributes.secure !== true) {
      throw invalid(`'${name}' has SameSite=None, which browsers accept only with Secure`)
    }
    parts.push(`SameSite=${sameSite}`)
  }
  checkPrefix(name, attributes)
  return parts.join('; ')
}

/** The cookie name prefixes browsers enforce (RFC 6265bis section 4.1.3). */
const checkPrefix = (name: string, attributes: CookieAttributes): void => {
  if (name.startsWith('__Secure-') && attributes.secure !== true) {
    throw invalid(`'${name}' needs Secure because of its __Secure- prefix`)
  }
  if (
    name.startsWith('__Host-') &&
    (attributes.secure !== true || attributes.path !== '/' || attributes.domain !== undefined)
  ) {
    throw invalid(`'${name}' needs Secure, Path=/ and no Domain because of its __Host- prefix`)
  }
}
