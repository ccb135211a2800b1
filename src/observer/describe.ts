/**
 * Cheap readers for the fields of the "request start" and "request end" log lines: the event
 * kind, the correlation ids, the route and the status. They prefer what other metis-app
 * middlewares put on the context (`context.request`, `context.route`) and otherwise look at the
 * raw event without building a request.
 */

import { asArray, asRecord, asString, type Json, pick } from '../internal/guards.ts'
import { detectHttpShape } from '../request/http.ts'

/** The source of a `Records` event, by its `eventSource`. */
const recordSources: Readonly<Record<string, string>> = {
  'aws:s3': 's3',
  'aws:sqs': 'sqs',
  'aws:sns': 'sns',
  'aws:dynamodb': 'dynamodb',
  'aws:kinesis': 'kinesis',
}

/**
 * The kind of an event, as the request builder names it (`'http'`, `'sqs'`, ...), read from
 * `context.request.kind` when the request was built, else detected from the event's shape.
 */
export const eventKind = (event: unknown, context: object): string => {
  const built = asString(pick(context, 'request', 'kind'))
  if (built !== undefined) return built
  const record = asRecord(event)
  if (record === undefined) return 'unknown'
  if (detectHttpShape(record) !== undefined) return 'http'
  const first = asRecord(asArray(record.Records)?.[0])
  if (first !== undefined) {
    const source = asString(first.eventSource) ?? asString(first.EventSource) ?? ''
    return recordSources[source] ?? 'unknown'
  }
  if (record.eventSource === 'aws:kafka' || record.eventSource === 'SelfManagedKafka') {
    return 'kafka'
  }
  if (typeof record['detail-type'] === 'string') {
    // S3 notifications through EventBridge are S3 requests to the request builder.
    return record.source === 'aws.s3' && pick(record, 'detail', 'bucket') !== undefined
      ? 's3'
      : 'eventbridge'
  }
  return 'unknown'
}

/** The ids that tie one invocation to the API Gateway request and the X-Ray trace. */
export interface CorrelationIds {
  gateway_request_id?: string
  trace_id?: string
}

/** The correlation ids of an event: API Gateway's request id and the `x-amzn-trace-id` header. */
export const correlationIds = (event: unknown): CorrelationIds => {
  const record = asRecord(event)
  const ids: CorrelationIds = {}
  if (record === undefined) return ids
  const gateway = asString(pick(record, 'requestContext', 'requestId'))
  if (gateway !== undefined) ids.gateway_request_id = gateway
  const trace = headerValue(record, 'x-amzn-trace-id', 'X-Amzn-Trace-Id')
  if (trace !== undefined) ids.trace_id = trace
  return ids
}

/** A header of a raw HTTP event, by lower-case name, whatever the case it came in. */
const headerValue = (event: Json, name: string, canonical: string): string | undefined => {
  const headers = asRecord(event.headers)
  if (headers === undefined) return undefined
  // API Gateway sends the canonical or the lower-case spelling; look those up before scanning.
  const direct = headers[canonical] ?? headers[name]
  if (direct !== undefined) return asString(direct)
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return asString(value)
  }
  return undefined
}

/** The HTTP method and path of an HTTP event, from the built request or the raw event. */
export const httpLine = (event: unknown, context: object): { method?: string; path?: string } => {
  const request = asRecord(pick(context, 'request'))
  const record = asRecord(event) ?? {}
  const method =
    asString(request?.method) ??
    asString(record.httpMethod) ??
    asString(pick(record, 'requestContext', 'http', 'method'))
  const path = asString(request?.path) ?? asString(record.path) ?? asString(record.rawPath)
  const line: { method?: string; path?: string } = {}
  if (method !== undefined) line.method = method
  if (path !== undefined) line.path = path
  return line
}

/** The key of the route the router resolved (`context.route.key`), when it did. */
export const routeKey = (context: object): string | undefined =>
  asString(pick(context, 'route', 'key'))

/**
 * The status of an invocation: the response's `statusCode`; on an error that no middleware
 * answered, the error's `statusCode` (500 when it has none).
 */
export const statusOf = (response: unknown, error: unknown): number | undefined => {
  const answered = pick(response, 'statusCode')
  if (typeof answered === 'number') return answered
  if (error === undefined || error === null) return undefined
  const status = pick(error, 'statusCode')
  return typeof status === 'number' ? status : 500
}
