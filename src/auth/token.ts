/**
 * Finding the bearer token of a request (RFC 6750 section 2), before anything decodes it.
 * Internal to `metis-app/auth`.
 */
import { headerOf } from '../request/http-view.ts'
import type { HttpRequest } from '../request/types.ts'

/**
 * Where a bearer token was found.
 *
 * @example
 * ```ts
 * const source: TokenSource | undefined = context.auth.source
 * if (source === 'cookie') console.info('token read from the session cookie')
 * ```
 */
export type TokenSource = 'authorization' | 'header' | 'cookie'

/** Options of {@link findBearer}. */
export interface BearerLocation {
  /** A header (any case) that carries the bare token when `Authorization` is absent. */
  header?: string | undefined
  /** A cookie that carries the bare token when no header does. */
  cookie?: string | undefined
  /** The longest token accepted, in characters; longer is `too-large`, checked before any parsing. */
  maxTokenLength: number
}

/** The outcome of looking for a token. */
export type FoundBearer =
  | { readonly found: true; readonly token: string; readonly source: TokenSource }
  | {
      readonly found: false
      readonly reason: 'absent' | 'malformed' | 'too-large'
      readonly message: string
      readonly source?: TokenSource
    }

/** The HTTP parts of a request the PIP reads, from the invocation's typed request. */
export interface HeaderView {
  /** All values of a header, by lower-case name. */
  values(name: string): readonly string[]
  /** A cookie's value. */
  cookie(name: string): string | undefined
}

/** Finds the one bearer token of a request, or says why there is none. */
export const findBearer = (view: HeaderView, location: BearerLocation): FoundBearer => {
  const authorization = view.values('authorization')
  if (authorization.length > 0) return fromAuthorization(authorization, location.maxTokenLength)
  if (location.header !== undefined) {
    const values = view.values(location.header.toLowerCase())
    if (values.length > 1) return malformed('header', 'The token header appears more than once')
    if (values.length === 1)
      return checkToken(values[0] as string, 'header', location.maxTokenLength)
  }
  if (location.cookie !== undefined) {
    const value = view.cookie(location.cookie)
    if (value !== undefined) return checkToken(value, 'cookie', location.maxTokenLength)
  }
  return { found: false, reason: 'absent', message: 'The request carries no bearer token' }
}

const WHITESPACE = /[ \t]/

// The token's characters (RFC 6750 b64token) are checked by the verifier, and only for a token it
// has not verified before: a token served from the cache passed that check when it was verified.
const fromAuthorization = (values: readonly string[], maxLength: number): FoundBearer => {
  if (values.length > 1) return malformed('authorization', 'Authorization appears more than once')
  const value = (values[0] as string).trim()
  // The length check comes first so that a huge header is never scanned.
  if (value.length > maxLength + 7) return tooLarge('authorization', maxLength)
  const at = value.search(WHITESPACE)
  if (at < 0 || value.slice(0, at).toLowerCase() !== 'bearer') {
    return malformed('authorization', 'Authorization must be "Bearer" and exactly one token')
  }
  return checkToken(value.slice(at + 1).trimStart(), 'authorization', maxLength)
}

const checkToken = (token: string, source: TokenSource, maxLength: number): FoundBearer => {
  if (token.length > maxLength) return tooLarge(source, maxLength)
  if (token === '') return malformed(source, 'The bearer token is empty')
  return { found: true, token, source }
}

const malformed = (source: TokenSource, message: string): FoundBearer => ({
  found: false,
  reason: 'malformed',
  message,
  source,
})

const tooLarge = (source: TokenSource, maxLength: number): FoundBearer => ({
  found: false,
  reason: 'too-large',
  message: `The bearer token is longer than ${maxLength} characters`,
  source,
})

/**
 * Reads headers and cookies from the invocation's `HttpRequest`. The multi-value view is read only
 * for events that have one (REST v1, ALB multi-value): it is built lazily by the request, and a
 * repeated header elsewhere arrives comma-joined, which is malformed. One header is read without
 * building the whole header view.
 */
export const requestView = (request: HttpRequest): HeaderView => ({
  values: (name) => {
    if (request.multiValue) {
      const all = request.multiValueHeaders[name]
      if (all !== undefined) return all
    }
    const one = headerOf(request, name)
    return one === undefined ? [] : [one]
  },
  cookie: (name) => request.cookies[name],
})

/** A request that is not HTTP (or could not be read) carries no token. */
export const NO_HEADERS: HeaderView = Object.freeze({
  values: () => [],
  cookie: () => undefined,
})
