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
import { err, ok, type Result } from '../result/index.ts'
import { parseCookies } from './cookies.ts'
import type { BuildOptions, HttpRequest, HttpShape } from './types.ts'

type Common = Pick<HttpRequest, 'receivedAt' | 'requestId' | 'event'>

/** A Bedrock Agent event has `httpMethod` too, and fields no API Gateway event has. */
const isBedrockAgent = (event: Json): boolean =>
  event.messageVersion !== undefined ||
  event.actionGroup !== undefined ||
  event.apiPath !== undefined

/**
 * Which HTTP shape an event has, or undefined when it is not an HTTP event. The common shapes are
 * told apart first, each by the fields only it has; an event of an HTTP shape with a defect (no
 * method, no path) is still of that shape, so that it is answered 400 rather than passed by.
 * Events that carry HTTP-looking fields without being HTTP requests are left out: a Bedrock Agent
 * event (`messageVersion`, `httpMethod`, `apiPath`, no `requestContext`) and an API Gateway
 * WebSocket event (`requestContext.connectionId`).
 */
export const detectHttpShape = (event: Json): HttpShape | undefined => {
  const context = asRecord(event.requestContext)
  if (event.version === '2.0' && context !== undefined) {
    if (
      context.http === undefined &&
      (typeof event.method === 'string' || 'serviceNetworkArn' in context)
    ) {
      return 'lattice-v2'
    }
    const domain = asString(context.domainName) ?? ''
    return domain.includes('.lambda-url.') ? 'function-url' : 'http-v2'
  }
  if (typeof event.httpMethod === 'string') {
    if (context === undefined) return isBedrockAgent(event) ? undefined : 'rest-v1'
    if (asRecord(context.elb) !== undefined) return 'alb'
    return context.connectionId === undefined ? 'rest-v1' : undefined
  }
  if (typeof event.method === 'string' && ('raw_path' in event || 'is_base64_encoded' in event)) {
    return 'lattice-v1'
  }
  return undefined
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
 * Visits the headers of the single-value view: the `headers` map when the event has one (API
 * Gateway puts the last value of a repeated header there), else the last value of each
 * multi-value header (ALB in multi-value mode, Lattice v2); own keys only, text values only.
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
    const last: unknown = Array.isArray(values) ? values[values.length - 1] : values
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
 * first read): single maps hold text, multi-value maps lists of text (or, `loose`, one text).
 */
const checkValues = (
  map: unknown,
  multi: boolean,
  loose = false,
): Result<void, BadRequestError> => {
  const record = asRecord(map)
  if (record === undefined) return OK
  if (!multi) {
    for (const name in record) if (textOf(record[name]) === null) return notText(name)
    return OK
  }
  for (const name in record) {
    const values = record[name]
    // Lattice v2 lists, as some tools write them, may be a plain string: one value
    if (loose && typeof values === 'string') continue
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
const decodeBody = (raw: unknown, isBase64: boolean): Result<DecodedBody, BadRequestError> => {
  if (raw === null || raw === undefined || raw === '') {
    return ok({ body: undefined, bodyBytes: undefined })
  }
  if (typeof raw === 'object' || typeof raw === 'number' || typeof raw === 'boolean') {
    // Already parsed by a JSON body parser stacked before (`@middy/http-json-body-parser`).
    return ok({ body: JSON.stringify(raw), bodyBytes: undefined, parsed: { value: raw } })
  }
  if (typeof raw !== 'string') return err(new BadRequestError('The event body is not a string'))
  if (!isBase64) return ok({ body: raw, bodyBytes: undefined })
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

/** The shapes whose method and path live under `requestContext.http` and `rawPath`. */
const isV2Shape = (shape: HttpShape): boolean => shape === 'http-v2' || shape === 'function-url'

/** The shapes that send the client address only as the `X-Forwarded-For` their proxy appended. */
const isProxied = (shape: HttpShape): boolean =>
  shape === 'alb' || shape === 'lattice-v1' || shape === 'lattice-v2'

/** The single-value header map of an event: `headers`, except in Lattice v2 (lists). */
const singleMap = (event: Json, shape: HttpShape): unknown =>
  shape === 'lattice-v2' ? undefined : event.headers

/** The multi-value header map: REST v1 and ALB `multiValueHeaders`, Lattice v2 `headers`. */
const multiMap = (event: Json, shape: HttpShape): unknown => {
  if (shape === 'rest-v1' || shape === 'alb') return event.multiValueHeaders
  return shape === 'lattice-v2' ? event.headers : undefined
}

/** The query string a Lattice event left on its path, or undefined. */
const queryOnPath = (path: unknown): string | undefined => {
  const mark = typeof path === 'string' ? path.indexOf('?') : -1
  return mark < 0 ? undefined : (path as string).slice(mark + 1)
}

/** The query map of a Lattice event: single values in v1, lists in v2. */
const latticeQuery = (event: Json, shape: HttpShape): unknown =>
  shape === 'lattice-v1' ? event.query_string_parameters : event.queryStringParameters

/**
 * Builds the normalized request of an HTTP event of a known shape. What every request needs
 * (method, path, headers, body) is read and checked at once; the views a handler may never look
 * at (query maps, cookies, multi-value headers) are computed on first use and then kept. Only a
 * method and a path are required: a hand-written event without `requestContext` is read.
 */
export const buildHttp = (
  event: Json,
  shape: HttpShape,
  common: Common,
  options: BuildOptions,
): Result<HttpRequest, BadRequestError | UnsupportedMediaTypeError> => {
  const context = asRecord(event.requestContext) ?? EMPTY
  const isV2 = isV2Shape(shape)
  let rawMethod: unknown
  let rawPath: unknown
  if (isV2) {
    rawMethod = pick(context, 'http', 'method')
    rawPath = event.rawPath
  } else if (shape === 'rest-v1' || shape === 'alb') {
    rawMethod = event.httpMethod
    rawPath = event.path
  } else {
    rawMethod = event.method
    rawPath = shape === 'lattice-v1' ? event.raw_path : event.path
  }
  const single = singleMap(event, shape)
  const multi = multiMap(event, shape)
  if (typeof rawMethod !== 'string' || rawMethod === '') {
    return err(new BadRequestError(`The ${shape} event has no HTTP method`))
  }
  if (typeof rawPath !== 'string' || !rawPath.startsWith('/')) {
    return err(new BadRequestError(`The ${shape} event has no path`))
  }
  const stage = asString(context.stage)

  // API Gateway REST v1 sends the same headers in both maps: checking the single map is enough.
  const checked =
    asRecord(single) !== undefined
      ? checkValues(single, false)
      : checkValues(multi, true, shape === 'lattice-v2')
  if (!checked.ok) return checked
  let path = rawPath
  if (shape === 'rest-v1' || shape === 'alb') {
    const checkedQuery = checkValues(event.queryStringParameters, false)
    if (!checkedQuery.ok) return checkedQuery
    const checkedMulti = checkValues(event.multiValueQueryStringParameters, true)
    if (!checkedMulti.ok) return checkedMulti
  } else if (!isV2) {
    const isV2Lists = shape === 'lattice-v2'
    const checkedQuery = checkValues(latticeQuery(event, shape), isV2Lists, isV2Lists)
    if (!checkedQuery.ok) return checkedQuery
    // A query string left on the path is not part of the path the routes match.
    const mark = rawPath.indexOf('?')
    if (mark >= 0) path = rawPath.slice(0, mark)
  }

  const isBase64Encoded =
    (shape === 'lattice-v1' ? event.is_base64_encoded : event.isBase64Encoded) === true
  const decoded = decodeBody(event.body, isBase64Encoded)
  if (!decoded.ok) return decoded
  // Without a body nothing needs the headers yet: they are built when first read.
  let headers: Record<string, string> | undefined
  let json: unknown
  if (decoded.value.parsed !== undefined) {
    json = decoded.value.parsed.value
  } else if (decoded.value.body !== undefined) {
    headers = singleHeaders(single, multi)
    const parsed = parseJsonBody(
      decoded.value.body,
      mediaTypeOf(headers['content-type']),
      options.jsonBody ?? 'auto',
    )
    if (!parsed.ok) return parsed
    json = parsed.value
  }

  return ok(
    new HttpRequestView(event, shape, common, headers, {
      method: rawMethod.toUpperCase(),
      path: isV2 ? withoutStage(path, stage) : path,
      body: decoded.value.body,
      bodyBytes: decoded.value.bodyBytes,
      json,
      isBase64Encoded,
      gatewayRequestId: asString(context.requestId),
      stage,
      multiValue: (shape === 'rest-v1' || shape === 'alb') && multi !== undefined && multi !== null,
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
  | 'isBase64Encoded'
  | 'gatewayRequestId'
  | 'stage'
  | 'multiValue'
  | 'pathEncoded'
>

/**
 * RFC 9110 section 5.3 combines the lines of a field with `, `; RFC 9113 section 8.2.3 combines
 * cookies with `; `.
 */
const combine = (name: string, values: readonly string[]): string =>
  values.join(name === 'cookie' ? '; ' : ', ')

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
  #headers: Record<string, string> | undefined
  #multiValueHeaders: Record<string, string[]> | undefined
  #combinedHeaders: Record<string, string> | undefined
  #multiValueQuery: Record<string, string[]> | undefined
  #query: Record<string, string> | undefined
  #cookies: Record<string, string> | undefined
  #pathParameters: Record<string, string> | undefined

  constructor(
    raw: Json,
    shape: HttpShape,
    common: Common,
    headers: Record<string, string> | undefined,
    fields: EagerFields,
  ) {
    this.#raw = raw
    this.#headers = headers
    this.shape = shape
    this.receivedAt = common.receivedAt
    this.requestId = common.requestId
    this.event = common.event
    this.method = fields.method
    this.path = fields.path
    this.body = fields.body
    this.bodyBytes = fields.bodyBytes
    this.json = fields.json
    this.isBase64Encoded = fields.isBase64Encoded
    this.gatewayRequestId = fields.gatewayRequestId
    this.stage = fields.stage
    this.multiValue = fields.multiValue
    this.pathEncoded = fields.pathEncoded
  }

  get headers(): Readonly<Record<string, string>> {
    this.#headers ??= singleHeaders(
      singleMap(this.#raw, this.shape),
      multiMap(this.#raw, this.shape),
    )
    return this.#headers
  }

  /** `headers[name]` of a request, read without building its header view when it is not built yet. */
  static header(request: HttpRequestView, name: string): string | undefined {
    if (request.#headers !== undefined) return request.#headers[name]
    return singleHeader(
      singleMap(request.#raw, request.shape),
      multiMap(request.#raw, request.shape),
      name,
    )
  }

  get contentType(): string | undefined {
    return mediaTypeOf(this.headers['content-type'])
  }

  get sourceIp(): string | undefined {
    if (isV2Shape(this.shape)) return asString(pick(this.#raw.requestContext, 'http', 'sourceIp'))
    if (!isProxied(this.shape)) {
      return asString(pick(this.#raw.requestContext, 'identity', 'sourceIp'))
    }
    // ALB and VPC Lattice append the address they saw to whatever X-Forwarded-For the client
    // sent: only the last entry is not the client's to choose.
    const forwarded = this.multiValueHeaders['x-forwarded-for']
    const last = forwarded?.[forwarded.length - 1]?.split(',').at(-1)?.trim()
    return last === '' ? undefined : last
  }

  get multiValueHeaders(): Readonly<Record<string, readonly string[]>> {
    this.#multiValueHeaders ??= collect(
      singleMap(this.#raw, this.shape),
      multiMap(this.#raw, this.shape),
      true,
      false,
    )
    return this.#multiValueHeaders
  }

  get combinedHeaders(): Readonly<Record<string, string>> {
    if (this.#combinedHeaders === undefined) {
      const combined = dict<string>()
      const all = this.multiValueHeaders
      for (const name in all) combined[name] = combine(name, all[name] as readonly string[])
      this.#combinedHeaders = combined
    }
    return this.#combinedHeaders
  }

  get multiValueQuery(): Readonly<Record<string, readonly string[]>> {
    this.#multiValueQuery ??= this.#readQuery()
    return this.#multiValueQuery
  }

  #readQuery(): Record<string, string[]> {
    const raw = this.#raw
    if (isV2Shape(this.shape)) return parseRawQuery(asString(raw.rawQueryString) ?? '')
    if (this.shape === 'rest-v1' || this.shape === 'alb') {
      return collect(
        raw.queryStringParameters,
        raw.multiValueQueryStringParameters,
        false,
        this.shape === 'alb',
      )
    }
    const map = latticeQuery(raw, this.shape)
    if (asRecord(map) === undefined) {
      return parseRawQuery(queryOnPath(this.shape === 'lattice-v1' ? raw.raw_path : raw.path) ?? '')
    }
    return this.shape === 'lattice-v1'
      ? collect(map, undefined, false, false)
      : collect(undefined, map, false, false)
  }

  get query(): Readonly<Record<string, string>> {
    this.#query ??= lastValues(this.multiValueQuery as Record<string, string[]>)
    return this.#query
  }

  get cookies(): Readonly<Record<string, string>> {
    this.#cookies ??= parseCookies(
      isV2Shape(this.shape)
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
      combinedHeaders: this.combinedHeaders,
      multiValueQuery: this.multiValueQuery,
      query: this.query,
      cookies: this.cookies,
      pathParameters: this.pathParameters,
    }
  }
}

/**
 * One header of an HTTP request by lower-case name, as `request.headers[name]`; a request the
 * builder made answers without building its whole header view (the PIP reads `authorization` so).
 *
 * @example
 * ```ts
 * const authorization = headerOf(request, 'authorization')
 * ```
 */
export const headerOf = (request: HttpRequest, name: string): string | undefined =>
  request instanceof HttpRequestView ? HttpRequestView.header(request, name) : request.headers[name]
