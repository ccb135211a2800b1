/**
 * A lazily built HTTP request, for the router's own fast path: when no request builder ran and the
 * event has no body, routing needs only the method and the path, so the rest of the request
 * (headers, query, cookies, ...) is built once, on first use. A malformed event is then reported
 * when such a field is first read, as the same 400 `AppError` the builder would have answered.
 */
import type { AppError } from '../errors/index.ts'
import { asRecord, asString, type Json, pick } from '../internal/guards.ts'
import type { BuildOptions, HttpRequest, HttpShape } from '../request/index.ts'
import { buildRequest } from '../request/index.ts'

const noBody = (body: unknown): boolean => body === undefined || body === null || body === ''

type Head = { shape: HttpShape; method: string; path: string; multiValue: boolean }

/** Shape, method and path, read as the request builder reads them; undefined when unsure. */
const readHead = (raw: Json): Head | undefined => {
  const context = asRecord(raw.requestContext)
  if (raw.version === '2.0' && context !== undefined) {
    const stage = asString(context.stage)
    // a named stage is stripped from the path by the builder: leave that to it
    if (stage !== undefined && stage !== '$default') return undefined
    const domain = asString(context.domainName) ?? ''
    const shape = domain.includes('.lambda-url.') ? 'function-url' : 'http-v2'
    return head(shape, pick(context, 'http', 'method'), raw.rawPath, false)
  }
  if (context === undefined) return undefined
  const multiValue = asRecord(raw.multiValueHeaders) !== undefined
  if (asRecord(context.elb) !== undefined) return head('alb', raw.httpMethod, raw.path, multiValue)
  if (typeof context.stage !== 'string') return undefined
  return head('rest-v1', raw.httpMethod, raw.path, multiValue)
}

const head = (
  shape: HttpShape,
  method: unknown,
  path: unknown,
  multiValue: boolean,
): Head | undefined => {
  if (typeof method !== 'string' || method === '') return undefined
  if (typeof path !== 'string' || !path.startsWith('/')) return undefined
  return { shape, method: method.toUpperCase(), path, multiValue }
}

/**
 * An HTTP request whose fields beyond method and path are built on first read. They are prototype
 * getters (an own accessor per request would cost more than building), so spreading the request
 * copies only the fields known up front; `toJSON` gives every field.
 */
export class LazyHttpRequest {
  readonly kind = 'http'
  readonly shape: HttpShape
  readonly method: string
  readonly path: string
  readonly multiValue: boolean
  readonly event: unknown
  readonly receivedAt: number
  readonly requestId: string | undefined
  readonly isBase64Encoded: boolean
  readonly body = undefined
  readonly bodyBytes = undefined
  readonly json = undefined
  /** The route's path parameters, once routed. */
  params: unknown = undefined
  /** The route's inputs, once routed. */
  input: unknown = undefined
  readonly #options: BuildOptions
  #full: HttpRequest | undefined = undefined

  constructor(raw: Json, found: Head, options: BuildOptions, requestId: string | undefined) {
    this.shape = found.shape
    this.method = found.method
    this.path = found.path
    this.multiValue = found.multiValue
    this.event = raw
    this.receivedAt = (options.clock ?? Date.now)()
    this.requestId = requestId
    this.isBase64Encoded = raw.isBase64Encoded === true
    this.#options = options
  }

  /** Builds (once) the full request; throws the builder's `AppError`. */
  #load(): HttpRequest {
    if (this.#full !== undefined) return this.#full
    const built = buildRequest(this.event, { ...this.#options, requestId: this.requestId })
    if (!built.ok) throw built.error satisfies AppError
    this.#full = built.value as HttpRequest
    return this.#full
  }

  get headers() {
    return this.#load().headers
  }
  get multiValueHeaders() {
    return this.#load().multiValueHeaders
  }
  get query() {
    return this.#load().query
  }
  get multiValueQuery() {
    return this.#load().multiValueQuery
  }
  get cookies() {
    return this.#load().cookies
  }
  get contentType() {
    return this.#load().contentType
  }
  get sourceIp() {
    return this.#load().sourceIp
  }
  get gatewayRequestId() {
    return this.#load().gatewayRequestId
  }
  get stage() {
    return this.#load().stage
  }
  get pathParameters() {
    return this.#load().pathParameters
  }

  /** Every field, built. */
  toJSON(): Record<string, unknown> {
    const own: Record<string, unknown> = { ...this.#load() }
    Object.assign(own, this)
    if (this.params === undefined) delete own.params
    if (this.input === undefined) delete own.input
    return own
  }
}

/**
 * The lazy request of a body-less HTTP event whose method and path can be read without the
 * request builder, or undefined (the caller then builds the request eagerly, errors included).
 */
export const lazyHttpRequest = (
  event: unknown,
  options: BuildOptions,
  requestId: string | undefined,
): (LazyHttpRequest & HttpRequest) | undefined => {
  const raw = asRecord(event)
  if (raw === undefined || !noBody(raw.body)) return undefined
  const found = readHead(raw)
  if (found === undefined) return undefined
  return new LazyHttpRequest(raw, found, options, requestId) as LazyHttpRequest & HttpRequest
}
