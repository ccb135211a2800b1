/**
 * Finding the bearer token of a request (RFC 6750 section 2), before anything decodes it.
 * Internal to `metis-app/auth`.
 */
import { asArray, asRecord, asString } from '../internal/guards.ts'
import { HEADER, readsHeaders } from '../internal/headers.ts'

/** Where a bearer token was found. */
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

/** The HTTP parts of a request the PIP reads: from `context.request` or from the raw event. */
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
 * Reads headers and cookies from a built `HttpRequest` (structurally, from `context.request`). The
 * multi-value view is read only for events that have one (REST v1, ALB multi-value): it is built
 * lazily by the request, and a repeated header elsewhere arrives comma-joined, which is malformed.
 */
export const requestView = (request: {
  multiValue?: unknown
  multiValueHeaders?: unknown
  headers?: unknown
  cookies?: unknown
}): HeaderView => ({
  values: (name) => {
    if (request.multiValue === true) {
      const all = asArray(asRecord(request.multiValueHeaders)?.[name])
      if (all !== undefined) return all.filter((v): v is string => typeof v === 'string')
    }
    // A built request reads the one header without building its whole header view.
    const one = readsHeaders(request)
      ? request[HEADER](name)
      : asString(asRecord(request.headers)?.[name])
    return one === undefined ? [] : [one]
  },
  cookie: (name) => asString(asRecord(request.cookies)?.[name]),
})

/** Reads headers and cookies from a raw Lambda HTTP event, matching header names in any case. */
export const eventView = (event: unknown): HeaderView => {
  const record = asRecord(event) ?? {}
  const view: HeaderView = {
    values: (name) => {
      const all = asArray(headerIn(asRecord(record.multiValueHeaders), name))
      if (all !== undefined && all.length > 0)
        return all.filter((v): v is string => typeof v === 'string')
      const one = asString(headerIn(asRecord(record.headers), name))
      return one === undefined ? [] : [one]
    },
    cookie: (name) => {
      // HTTP API v2 and Function URLs send cookies apart; the others in the Cookie header.
      const pairs = asArray(record.cookies)?.filter((v): v is string => typeof v === 'string') ?? [
        ...view.values('cookie').flatMap((header) => header.split(';')),
      ]
      for (const pair of pairs) {
        const at = pair.indexOf('=')
        if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim()
      }
      return undefined
    },
  }
  return view
}

// A header by lower-case name: the lower-case key first (HTTP API v2 sends those), else a scan.
const headerIn = (headers: Record<string, unknown> | undefined, name: string): unknown => {
  if (headers === undefined) return undefined
  if (Object.hasOwn(headers, name)) return headers[name]
  for (const key in headers) {
    if (key.length === name.length && key.toLowerCase() === name) return headers[key]
  }
  return undefined
}
