import { BadRequestError, UnsupportedMediaTypeError } from '../errors/index.ts'
import {
  asArray,
  asRecord,
  asString,
  dict,
  type Json,
  pick,
  safeDecode,
  stringEntries,
} from '../internal/guards.ts'
import { HEADER } from '../internal/headers.ts'
import { err, ok, type Result } from '../result/index.ts'
import { parseCookies } from './cookies.ts'
import type { BuildOptions, HttpRequest, HttpShape } from './index.ts'

type Common = Pick<HttpRequest, 'receivedAt' | 'requestId' | 'event'>

/** Which HTTP shape an event has, or undefined when it is not an HTTP event. */
export const detectHttpShape = (event: Json): HttpShape | undefined => {
  const context = asRecord(event.requestContext)
  if (event.version === '2.0' && context !== undefined) {
    const domain = asString(context.domainName) ?? ''
    return domain.includes('.lambda-url.') ? 'function-url' : 'http-v2'
  }
  if (typeof event.httpMethod !== 'string') return undefined
  if (context !== undefined && asRecord(context.elb) !== undefined) return 'alb'
  return 'rest-v1'
}

/** Header or parameter values must be strings; numbers and booleans are taken as text. */
const textOf = (value: unknown): string | null | undefined => {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value === null || value === undefined) return undefined
  return null
}

const notText = (name: string) =>
  err(new BadRequestError(`Header or parameter '${name}' does not have a string value`))

/**
 * Visits the headers of the single-value view: the `headers` map when the event has one, else the
 * last value of each multi-value header (ALB in multi-value mode); own keys only, text values only.
 * The values were checked by {@link checkValues} before; what is not text is skipped. `only` (a
 * lower-case name) limits the visit to the spellings of one header.
 */
const eachHeader = (
  single: unknown,
  multi: unknown,
  visit: (name: string, value: string) => void,
  only?: string,
): void => {
  const singleRecord = asRecord(single)
  if (singleRecord !== undefined) {
    for (const name of Object.keys(singleRecord)) {
      if (only !== undefined && name.toLowerCase() !== only) continue
      const value = textOf(singleRecord[name])
      if (typeof value === 'string') visit(name, value)
    }
    return
  }
  // API Gateway REST v1 sends the same headers in both maps: the single map is enough.
  const multiRecord = asRecord(multi) ?? {}
  for (const name of Object.keys(multiRecord)) {
    if (only !== undefined && name.toLowerCase() !== only) continue
    const values = multiRecord[name]
    const last: unknown = Array.isArray(values) ? values[values.length - 1] : undefined
    if (typeof last === 'string') visit(name, last)
  }
}

/** The single-value view of headers, by lower-case name (a later spelling of a name wins). */
const singleHeaders = (single: unknown, multi: unknown): Record<string, string> => {
  const headers = dict<string>()
  eachHeader(single, multi, (name, value) => {
    headers[name.toLowerCase()] = value
  })
  return headers
}

/** One header of {@link singleHeaders}, by lower-case name, without building the others. */
const singleHeader = (single: unknown, multi: unknown, wanted: string): string | undefined => {
  let found: string | undefined
  eachHeader(
    single,
    multi,
    (_name, value) => {
      found = value
    },
    wanted,
  )
  return found
}

/** The one passing check, shared: checks run on every invocation. */
const OK: Result<void, never> = Object.freeze(ok(undefined))

/**
 * Checks the values of a header or query map without building anything (the views are built on
 * first read): single maps hold text, multi-value maps lists of text.
 */
const checkValues = (map: unknown, multi: boolean): Result<void, BadRequestError> => {
  const record = asRecord(map)
  if (record === undefined) return OK
  if (!multi) {
    for (const name in record) if (textOf(record[name]) === null) return notText(name)
    return OK
  }
  for (const name in record) {
    const values = record[name]
    if (!Array.isArray(values)) return notText(name)
    for (const item of values) if (typeof item !== 'string') return notText(name)
  }
  return OK
}

/**
 * Merges a single-value map and a multi-value map into name -> all values. The multi-value map
 * wins for a name present in both (API Gateway and ALB put the same values in both). Values were
 * checked before; anything that is not text is skipped here.
 */
const collect = (
  single: unknown,
  multi: unknown,
  lowerCase: boolean,
  decode: boolean,
): Record<string, string[]> => {
  const all = dict<string[]>()
  const add = (rawName: string, value: unknown) => {
    const text = textOf(value)
    if (typeof text !== 'string') return
    const name = lowerCase ? rawName.toLowerCase() : decodeComponent(rawName, decode)
    const item = decode ? decodeComponent(text, true) : text
    const list = all[name]
    if (list === undefined) all[name] = [item]
    else list.push(item)
  }
  const multiRecord = asRecord(multi)
  if (multiRecord !== undefined) {
    for (const name in multiRecord) {
      const values = multiRecord[name]
      for (const value of Array.isArray(values) ? values : [values]) add(name, value)
    }
  }
  const singleRecord = asRecord(single)
  if (singleRecord !== undefined) {
    for (const name in singleRecord) {
      const key = lowerCase ? name.toLowerCase() : decodeComponent(name, decode)
      if (multiRecord === undefined || !(key in all)) add(name, singleRecord[name])
    }
  }
  return all
}

const decodeComponent = (text: string, decode: boolean): string =>
  decode ? (safeDecode(text.replaceAll('+', ' ')) ?? text) : text

/** The last value of each name (what a single-value view shows, as API Gateway does). */
const lastValues = (all: Record<string, string[]>): Record<string, string> => {
  const single = dict<string>()
  for (const name in all) {
    const values = all[name] as string[]
    single[name] = values[values.length - 1] as string
  }
  return single
}

/** Parses a raw query string (`a=1&a=2&b`) into name -> all values. */
const parseRawQuery = (raw: string): Record<string, string[]> => {
  const all = dict<string[]>()
  if (raw === '') return all
  for (const pair of raw.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const name = decodeComponent(eq < 0 ? pair : pair.slice(0, eq), true)
    const value = eq < 0 ? '' : decodeComponent(pair.slice(eq + 1), true)
    const list = all[name]
    if (list === undefined) all[name] = [value]
    else list.push(value)
  }
  return all
}

/** `application/json`, `application/ld+json`, `application/problem+json`, ... */
export const isJsonMediaType = (mediaType: string): boolean =>
  mediaType === 'application/json' ||
  (mediaType.startsWith('application/') && mediaType.endsWith('+json'))

interface DecodedBody {
  body: string | undefined
  bodyBytes: Uint8Array | undefined
  /** The body's value when the event arrived with it already parsed. */
  parsed?: { value: unknown }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Decodes the body from base64 when flagged; a malformed base64 body is a 400. */
const decodeBody = (event: Json): Result<DecodedBody, BadRequestError> => {
  const raw = event.body
  if (raw === null || raw === undefined || raw === '') {
    return ok({ body: undefined, bodyBytes: undefined })
  }
  if (typeof raw === 'object' || typeof raw === 'number' || typeof raw === 'boolean') {
    // Already parsed by a JSON body parser stacked before (`@middy/http-json-body-parser`).
    return ok({ body: JSON.stringify(raw), bodyBytes: undefined, parsed: { value: raw } })
  }
  if (typeof raw !== 'string') return err(new BadRequestError('The event body is not a string'))
  if (event.isBase64Encoded !== true) return ok({ body: raw, bodyBytes: undefined })
  const compact = raw.replace(/\s+/g, '')
  if (compact.length % 4 === 1 || !BASE64.test(compact)) {
    return err(new BadRequestError('The body is flagged base64 but is not valid base64'))
  }
  const bytes = Buffer.from(compact, 'base64')
  return ok({ body: bytes.toString('utf8'), bodyBytes: new Uint8Array(bytes) })
}

/** The media type of a content-type header, lower-cased and without parameters. */
const mediaTypeOf = (contentType: string | undefined): string | undefined => {
  if (contentType === undefined) return undefined
  const semi = contentType.indexOf(';')
  const type = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase()
  return type === '' ? undefined : type
}

const parseJsonBody = (
  body: string | undefined,
  mediaType: string | undefined,
  mode: NonNullable<BuildOptions['jsonBody']>,
): Result<unknown, BadRequestError | UnsupportedMediaTypeError> => {
  if (body === undefined || mode === 'off') return ok(undefined)
  const isJson = mediaType !== undefined && isJsonMediaType(mediaType)
  if (!isJson) {
    if (mode === 'required') {
      return err(
        new UnsupportedMediaTypeError(
          `Expected a JSON body (application/json), got ${mediaType ?? 'no content type'}`,
        ),
      )
    }
    return ok(undefined)
  }
  try {
    return ok(JSON.parse(body))
  } catch (cause) {
    return err(new BadRequestError('The body is not valid JSON', { cause }))
  }
}

/** Strips a named API Gateway v2 stage (`/prod/orders` -> `/orders`) to match REST v1's `path`. */
const withoutStage = (path: string, stage: string | undefined): string => {
  if (stage === undefined || stage === '$default') return path
  const prefix = `/${stage}`
  if (path === prefix) return '/'
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path
}

const EMPTY: Json = {}

/**
 * Builds the normalized request of an HTTP event of a known shape. What every request needs
 * (method, path, headers, body) is read and checked at once; the views a handler may never look
 * at (query maps, cookies, multi-value headers) are computed on first use and then kept.
 */
export const buildHttp = (
  event: Json,
  shape: HttpShape,
  common: Common,
  options: BuildOptions,
): Result<HttpRequest, BadRequestError | UnsupportedMediaTypeError> => {
  const context = asRecord(event.requestContext) ?? EMPTY
  const isV2 = shape === 'http-v2' || shape === 'function-url'

  const rawMethod = isV2 ? pick(context, 'http', 'method') : event.httpMethod
  const rawPath = isV2 ? event.rawPath : event.path
  if (typeof rawMethod !== 'string' || rawMethod === '') {
    return err(new BadRequestError(`The ${shape} event has no HTTP method`))
  }
  if (typeof rawPath !== 'string' || !rawPath.startsWith('/')) {
    return err(new BadRequestError(`The ${shape} event has no path`))
  }
  const stage = asString(context.stage)
  if (shape === 'rest-v1' && stage === undefined) {
    return err(new BadRequestError('The API Gateway event has no requestContext.stage'))
  }

  const multiHeaders = isV2 ? undefined : event.multiValueHeaders
  // API Gateway REST v1 sends the same headers in both maps: checking the single map is enough.
  const hasSingle = asRecord(event.headers) !== undefined
  const checked = hasSingle ? checkValues(event.headers, false) : checkValues(multiHeaders, true)
  if (!checked.ok) return checked
  if (!isV2) {
    const checkedQuery = checkValues(event.queryStringParameters, false)
    if (!checkedQuery.ok) return checkedQuery
    const checkedMulti = checkValues(event.multiValueQueryStringParameters, true)
    if (!checkedMulti.ok) return checkedMulti
  }

  const decoded = decodeBody(event)
  if (!decoded.ok) return decoded
  // Without a body nothing needs the headers yet: they are built when first read.
  let headers: Record<string, string> | undefined
  let json: unknown
  if (decoded.value.parsed !== undefined) {
    json = decoded.value.parsed.value
  } else if (decoded.value.body !== undefined) {
    headers = singleHeaders(event.headers, multiHeaders)
    const parsed = parseJsonBody(
      decoded.value.body,
      mediaTypeOf(headers['content-type']),
      options.jsonBody ?? 'auto',
    )
    if (!parsed.ok) return parsed
    json = parsed.value
  }

  return ok(
    new HttpRequestView(event, shape, isV2, common, headers, {
      method: rawMethod.toUpperCase(),
      path: isV2 ? withoutStage(rawPath, stage) : rawPath,
      body: decoded.value.body,
      bodyBytes: decoded.value.bodyBytes,
      json,
      gatewayRequestId: asString(context.requestId),
      stage,
      multiValue: multiHeaders !== undefined && multiHeaders !== null,
      // HTTP API hands over its path (payload 2.0 `rawPath`, 1.0 `path`) already decoded.
      pathEncoded: shape !== 'http-v2' && event.version !== '1.0',
    }),
  )
}

type EagerFields = Pick<
  HttpRequest,
  | 'method'
  | 'path'
  | 'body'
  | 'bodyBytes'
  | 'json'
  | 'gatewayRequestId'
  | 'stage'
  | 'multiValue'
  | 'pathEncoded'
>

/**
 * The HTTP request: a class rather than an object literal with getters, because V8 builds a class
 * instance about twenty times faster, and this runs on every invocation. Headers, query, cookies,
 * content type and source IP are computed from the (already checked) event on first read and kept,
 * so that a request routed on its method and path alone costs little more than reading them.
 */
class HttpRequestView implements HttpRequest {
  readonly kind = 'http' as const
  readonly shape: HttpShape
  readonly receivedAt: number
  readonly requestId: string | undefined
  readonly event: unknown
  readonly method: string
  readonly path: string
  readonly body: string | undefined
  readonly bodyBytes: Uint8Array | undefined
  readonly json: unknown
  readonly isBase64Encoded: boolean
  readonly gatewayRequestId: string | undefined
  readonly stage: string | undefined
  readonly multiValue: boolean
  readonly pathEncoded: boolean
  readonly #raw: Json
  readonly #isV2: boolean
  #headers: Record<string, string> | undefined
  #multiValueHeaders: Record<string, string[]> | undefined
  #multiValueQuery: Record<string, string[]> | undefined
  #query: Record<string, string> | undefined
  #cookies: Record<string, string> | undefined
  #pathParameters: Record<string, string> | undefined

  constructor(
    raw: Json,
    shape: HttpShape,
    isV2: boolean,
    common: Common,
    headers: Record<string, string> | undefined,
    fields: EagerFields,
  ) {
    this.#raw = raw
    this.#headers = headers
    this.#isV2 = isV2
    this.shape = shape
    this.receivedAt = common.receivedAt
    this.requestId = common.requestId
    this.event = common.event
    this.method = fields.method
    this.path = fields.path
    this.body = fields.body
    this.bodyBytes = fields.bodyBytes
    this.json = fields.json
    this.isBase64Encoded = raw.isBase64Encoded === true
    this.gatewayRequestId = fields.gatewayRequestId
    this.stage = fields.stage
    this.multiValue = fields.multiValue
    this.pathEncoded = fields.pathEncoded
  }

  get headers(): Readonly<Record<string, string>> {
    this.#headers ??= singleHeaders(
      this.#raw.headers,
      this.#isV2 ? undefined : this.#raw.multiValueHeaders,
    )
    return this.#headers
  }

  /** `headers[name]`, read without building the header view when it is not built yet. */
  [HEADER](name: string): string | undefined {
    if (this.#headers !== undefined) return this.#headers[name]
    return singleHeader(
      this.#raw.headers,
      this.#isV2 ? undefined : this.#raw.multiValueHeaders,
      name,
    )
  }

  get contentType(): string | undefined {
    return mediaTypeOf(this.headers['content-type'])
  }

  get sourceIp(): string | undefined {
    if (this.#isV2) return asString(pick(this.#raw.requestContext, 'http', 'sourceIp'))
    if (this.shape !== 'alb')
      return asString(pick(this.#raw.requestContext, 'identity', 'sourceIp'))
    // ALB appends the address it saw to whatever X-Forwarded-For the client sent: only the last
    // entry is not the client's to choose.
    const forwarded = this.multiValueHeaders['x-forwarded-for']
    const last = forwarded?.[forwarded.length - 1]?.split(',').at(-1)?.trim()
    return last === '' ? undefined : last
  }

  get multiValueHeaders(): Readonly<Record<string, readonly string[]>> {
    this.#multiValueHeaders ??= collect(
      this.#raw.headers,
      this.#isV2 ? undefined : this.#raw.multiValueHeaders,
      true,
      false,
    )
    return this.#multiValueHeaders
  }

  get multiValueQuery(): Readonly<Record<string, readonly string[]>> {
    this.#multiValueQuery ??= this.#isV2
      ? parseRawQuery(asString(this.#raw.rawQueryString) ?? '')
      : collect(
          this.#raw.queryStringParameters,
          this.#raw.multiValueQueryStringParameters,
          false,
          this.shape === 'alb',
        )
    return this.#multiValueQuery
  }

  get query(): Readonly<Record<string, string>> {
    this.#query ??= lastValues(this.multiValueQuery as Record<string, string[]>)
    return this.#query
  }

  get cookies(): Readonly<Record<string, string>> {
    this.#cookies ??= parseCookies(
      this.#isV2
        ? (asArray(this.#raw.cookies) ?? []).filter((c): c is string => typeof c === 'string')
        : (this.multiValueHeaders.cookie ?? []),
    )
    return this.#cookies
  }

  get pathParameters(): Readonly<Record<string, string>> {
    this.#pathParameters ??= stringEntries(this.#raw.pathParameters)
    return this.#pathParameters
  }

  /**
   * Every field, the lazy views included, for `JSON.stringify` (logs, snapshots). The raw event
   * is left out: it repeats the rest and may carry what the views leave behind.
   */
  toJSON(): Record<string, unknown> {
    const { event: _event, ...own } = this
    return {
      ...own,
      headers: this.headers,
      contentType: this.contentType,
      sourceIp: this.sourceIp,
      multiValueHeaders: this.multiValueHeaders,
      multiValueQuery: this.multiValueQuery,
      query: this.query,
      cookies: this.cookies,
      pathParameters: this.pathParameters,
    }
  }
}
