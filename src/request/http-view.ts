/**
 * The HTTP request the builder returns: {@link HttpRequestView}, a class whose eager fields are
 * set once and whose views (headers, query, cookies, content type, source IP) are computed from
 * the already checked event on first read; and {@link headerOf}, which reads one header of it
 * without building the whole header view.
 */

import {
  asArray,
  asRecord,
  asString,
  dict,
  type Json,
  pick,
  stringEntries,
} from '../internal/guards.ts'
import { parseCookies } from './cookies.ts'
import { mediaTypeOf } from './http-body.ts'
import {
  collect,
  combine,
  lastValues,
  parseRawQuery,
  singleHeader,
  singleHeaders,
} from './http-maps.ts'
import {
  isProxied,
  isV2Shape,
  latticeQuery,
  multiMap,
  queryOnPath,
  singleMap,
} from './http-shapes.ts'
import type { HttpRequest, HttpShape, RequestCommon } from './types.ts'

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
 * The HTTP request: a class rather than an object literal with getters, because V8 builds a class
 * instance about twenty times faster, and this runs on every invocation. Headers, query, cookies,
 * content type and source IP are computed from the (already checked) event on first read and kept,
 * so that a request routed on its method and path alone costs little more than reading them.
 */
export class HttpRequestView implements HttpRequest {
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
    common: RequestCommon,
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
