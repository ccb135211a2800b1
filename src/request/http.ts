/**
 * The HTTP step of the builder: from an event of a known shape to its {@link HttpRequest}, or the
 * 400 (415) that a malformed event or body is. The parts live in files of their own (shape
 * detection in `http-shapes.ts`, header and query maps in `http-maps.ts`, the body in
 * `http-body.ts`, the request class in `http-view.ts`); this file puts them in order.
 */

import { BadRequestError, type UnsupportedMediaTypeError } from '../errors/index.ts'
import { asRecord, asString, type Json, pick } from '../internal/guards.ts'
import { err, ok, type Result } from '../result/index.ts'
import { decodeBody, mediaTypeOf, parseJsonBody } from './http-body.ts'
import { checkValues, singleHeaders } from './http-maps.ts'
import { isV2Shape, latticeQuery, multiMap, singleMap } from './http-shapes.ts'
import { HttpRequestView } from './http-view.ts'
import type { BuildOptions, HttpRequest, HttpShape, RequestCommon } from './types.ts'

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
 * at (query maps, cookies, multi-value headers) are computed on first use and then kept. Only a
 * method and a path are required: a hand-written event without `requestContext` is read.
 */
export const buildHttp = (
  event: Json,
  shape: HttpShape,
  common: RequestCommon,
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
