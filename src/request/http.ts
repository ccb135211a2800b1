import { BadRequestError, UnsupportedMediaTypeError } from '../errors/index.ts'
import {
  asArray,
  asRecord,
  asString,
  dict,
  type Json,
  pick,
  safeDecode,
} from '../internal/guards.ts'
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

/** Adds one header value under its lower-cased name. */
const addValue = (
  target: Record<string, string[]>,
  name: string,
  value: unknown,
): Result<void, BadRequestError> => {
  if (value === null || value === undefined) return ok(undefined)
  if (typeof value === 'number' || typeof value === 'boolean') value = String(value)
  if (typeof value !== 'string') {
    return err(new BadRequestError(`Header or parameter '${name}' does not have a string value`))
  }
  const list = target[name]
  if (list === undefined) target[name] = [value]
  else list.push(value)
  return ok(undefined)
}

/**
 * Merges a single-value map and a multi-value map into name -> all values. The multi-value map
 * wins for a name present in both (API Gateway and ALB put the same values in both).
 */
const collect = (
  single: unknown,
  multi: unknown,
  lowerCase: boolean,
  decode: boolean,
): Result<Record<string, string[]>, BadRequestError> => {
  const all = dict<string[]>()
  const multiRecord = asRecord(multi)
  if (multiRecord !== undefined) {
    for (const [rawName, values] of Object.entries(multiRecord)) {
      const name = lowerCase ? rawName.toLowerCase() : decodeComponent(rawName, decode)
      const list = asArray(values) ?? [values]
      for (const value of list) {
        const added = addValue(all, name, decodeValue(value, decode))
        if (!added.ok) return added
      }
    }
  }
  const singleRecord = asRecord(single)
  if (singleRecord !== undefined) {
    for (const [rawName, value] of Object.entries(singleRecord)) {
      const name = lowerCase ? rawName.toLowerCase() : decodeComponent(rawName, decode)
      if (multiRecord !== undefined && name in all) continue
      const added = addValue(all, name, decodeValue(value, decode))
      if (!added.ok) return added
    }
  }
  return ok(all)
}

const decodeComponent = (text: string, decode: boolean): string =>
  decode ? (safeDecode(text.replaceAll('+', ' ')) ?? text) : text

const decodeValue = (value: unknown, decode: boolean): unknown =>
  decode && typeof value === 'string' ? decodeComponent(value, true) : value

/** The last value of each name (what a single-value view shows, as API Gateway does). */
const lastValues = (all: Record<string, string[]>): Record<string, string> => {
  const single = dict<string>()
  for (const [name, values] of Object.entries(all)) {
    const last = values[values.length - 1]
    if (last !== undefined) single[name] = last
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
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Decodes the body from base64 when flagged; a malformed base64 body is a 400. */
const decodeBody = (event: Json): Result<DecodedBody, BadRequestError> => {
  const raw = event.body
  if (raw === null || raw === undefined || raw === '') {
    return ok({ body: undefined, bodyBytes: undefined })
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

/** Builds the normalized request of an HTTP event of a known shape. */
export const buildHttp = (
  event: Json,
  shape: HttpShape,
  common: Common,
  options: BuildOptions,
): Result<HttpRequest, BadRequestError | UnsupportedMediaTypeError> => {
  const context = asRecord(event.requestContext) ?? {}
  const isV2 = shape === 'http-v2' || shape === 'function-url'
  const isAlb = shape === 'alb'

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

  const headers = collect(event.headers, isV2 ? undefined : event.multiValueHeaders, true, false)
  if (!headers.ok) return headers
  const query = isV2
    ? ok(parseRawQuery(asString(event.rawQueryString) ?? ''))
    : collect(event.queryStringParameters, event.multiValueQueryStringParameters, false, isAlb)
  if (!query.ok) return query

  const cookieSources = isV2
    ? (asArray(event.cookies) ?? []).filter((c): c is string => typeof c === 'string')
    : (headers.value.cookie ?? [])
  const decoded = decodeBody(event)
  if (!decoded.ok) return decoded

  const singleHeaders = lastValues(headers.value)
  const contentType = mediaTypeOf(singleHeaders['content-type'])
  const json = parseJsonBody(decoded.value.body, contentType, options.jsonBody ?? 'auto')
  if (!json.ok) return json

  const forwardedFor = singleHeaders['x-forwarded-for']?.split(',')[0]?.trim()
  const sourceIp = isV2
    ? asString(pick(context, 'http', 'sourceIp'))
    : (asString(pick(context, 'identity', 'sourceIp')) ?? forwardedFor)

  const gatewayPathParameters = dict<string>()
  for (const [name, value] of Object.entries(asRecord(event.pathParameters) ?? {})) {
    if (typeof value === 'string') gatewayPathParameters[name] = value
  }

  return ok({
    kind: 'http',
    shape,
    ...common,
    method: rawMethod.toUpperCase(),
    path: isV2 ? withoutStage(rawPath, stage) : rawPath,
    headers: singleHeaders,
    multiValueHeaders: headers.value,
    query: lastValues(query.value),
    multiValueQuery: query.value,
    cookies: parseCookies(cookieSources),
    body: decoded.value.body,
    bodyBytes: decoded.value.bodyBytes,
    json: json.value,
    isBase64Encoded: event.isBase64Encoded === true,
    contentType,
    sourceIp,
    gatewayRequestId: asString(context.requestId),
    stage,
    pathParameters: gatewayPathParameters,
    multiValue: !isV2 && asRecord(event.multiValueHeaders) !== undefined,
  })
}
