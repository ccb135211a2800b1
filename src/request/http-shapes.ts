/**
 * Which HTTP shape an event has, and where each shape keeps its parts: the single-value and
 * multi-value header maps, the query map of VPC Lattice, the query string Lattice leaves on its
 * path. Detection reads a few fields only: it runs on every invocation, before anything is built.
 */

import { asRecord, asString, type Json } from '../internal/guards.ts'
import type { HttpShape } from './types.ts'

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

/** The shapes whose method and path live under `requestContext.http` and `rawPath`. */
export const isV2Shape = (shape: HttpShape): boolean =>
  shape === 'http-v2' || shape === 'function-url'

/** The shapes that send the client address only as the `X-Forwarded-For` their proxy appended. */
export const isProxied = (shape: HttpShape): boolean =>
  shape === 'alb' || shape === 'lattice-v1' || shape === 'lattice-v2'

/** The single-value header map of an event: `headers`, except in Lattice v2 (lists). */
export const singleMap = (event: Json, shape: HttpShape): unknown =>
  shape === 'lattice-v2' ? undefined : event.headers

/** The multi-value header map: REST v1 and ALB `multiValueHeaders`, Lattice v2 `headers`. */
export const multiMap = (event: Json, shape: HttpShape): unknown => {
  if (shape === 'rest-v1' || shape === 'alb') return event.multiValueHeaders
  return shape === 'lattice-v2' ? event.headers : undefined
}

/** The query string a Lattice event left on its path, or undefined. */
export const queryOnPath = (path: unknown): string | undefined => {
  const mark = typeof path === 'string' ? path.indexOf('?') : -1
  return mark < 0 ? undefined : (path as string).slice(mark + 1)
}

/** The query map of a Lattice event: single values in v1, lists in v2. */
export const latticeQuery = (event: Json, shape: HttpShape): unknown =>
  shape === 'lattice-v1' ? event.query_string_parameters : event.queryStringParameters
