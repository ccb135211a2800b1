/**
 * The answers the callers of non-HTTP sources read: Firehose's per-record results, the event a
 * Cognito trigger gives back, the response a Bedrock Agent or an API Gateway WebSocket route
 * reads. Each shapes what a route returned; anything already in the caller's shape passes through.
 */
import { asRecord, asString } from '../internal/guards.ts'
import type { BedrockAgentRequest, CognitoRequest, FirehoseRecord } from '../request/types.ts'
import type { EventAppRequest } from './events.ts'

/**
 * What Firehose reads for one record of a transformation; a Firehose route may return one.
 *
 * @example
 * ```ts
 * router({ firehose: { '*': (r) => (r.data === '' ? { result: 'Dropped' } : r.data) } })
 * ```
 */
export interface FirehoseResult {
  readonly recordId: string
  readonly result: 'Ok' | 'Dropped' | 'ProcessingFailed'
  /** The record's data, base64. */
  readonly data: string
  /** Partition keys for dynamic partitioning. */
  readonly metadata?: { readonly partitionKeys: Readonly<Record<string, string>> }
}

/**
 * The answer of a Firehose transformation: one result per record, in the order they came.
 *
 * @example
 * ```ts
 * const answer = (await app(event, context)) as FirehoseResponse
 * ```
 */
export interface FirehoseResponse {
  readonly records: readonly FirehoseResult[]
}

const STATUSES: ReadonlySet<unknown> = new Set(['Ok', 'Dropped', 'ProcessingFailed'])

const base64 = (data: unknown): string => {
  if (typeof data === 'string') return Buffer.from(data, 'utf8').toString('base64')
  if (data instanceof Uint8Array) {
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64')
  }
  return Buffer.from(JSON.stringify(data) ?? '', 'utf8').toString('base64')
}

/** The record's data as Firehose sent it (base64). */
const originalData = (record: FirehoseRecord): string => asString(asRecord(record.raw)?.data) ?? ''

/**
 * The result of one Firehose record from what its route returned: `undefined` keeps the record as
 * it came, a string, bytes or any other value (as JSON) is the transformed data, and
 * `{ result, data?, metadata? }` says all. Throws when the value cannot be serialised.
 */
export const firehoseResult = (record: FirehoseRecord, value: unknown): FirehoseResult => {
  const recordId = record.recordId
  if (value === undefined) return { recordId, result: 'Ok', data: originalData(record) }
  const told = value instanceof Uint8Array ? undefined : asRecord(value)
  if (told !== undefined && STATUSES.has(told.result)) {
    const data = told.data === undefined ? originalData(record) : base64(told.data)
    const result = { recordId, result: told.result as FirehoseResult['result'], data }
    const metadata = asRecord(told.metadata) as FirehoseResult['metadata']
    return metadata === undefined ? result : { ...result, metadata }
  }
  return { recordId, result: 'Ok', data: base64(value) }
}

/** A failed Firehose record: Firehose retries it, then delivers it to the error output. */
export const firehoseFailure = (record: FirehoseRecord): FirehoseResult => ({
  recordId: record.recordId,
  result: 'ProcessingFailed',
  data: originalData(record),
})

const isObject = (value: unknown): value is Record<string, unknown> =>
  asRecord(value) !== undefined && !(value instanceof Uint8Array)

/** `{ statusCode, body? }`, as API Gateway reads a WebSocket route's answer. */
const webSocketAnswer = (value: unknown): unknown => {
  if (value === undefined) return { statusCode: 200 }
  if (isObject(value) && typeof value.statusCode === 'number') return value
  if (typeof value === 'string') return { statusCode: 200, body: value }
  if (value instanceof Uint8Array) {
    return { statusCode: 200, body: base64(value), isBase64Encoded: true }
  }
  return { statusCode: 200, body: JSON.stringify(value) }
}

/**
 * The event Cognito expects back: the event as it came for `undefined`, the route's whole event
 * when it returns one, else the event with the route's fields merged into its `response`.
 */
const cognitoAnswer = (request: CognitoRequest, value: unknown): unknown => {
  const event = request.event as Record<string, unknown>
  if (value === undefined) return event
  if (!isObject(value) || 'triggerSource' in value) return value
  return { ...event, response: { ...request.response, ...value } }
}

/** The response a Bedrock Agent reads, for an OpenAPI action or a function-details action. */
const bedrockAnswer = (request: BedrockAgentRequest, value: unknown): unknown => {
  if (isObject(value) && typeof value.messageVersion === 'string' && 'response' in value) {
    return value
  }
  const body = typeof value === 'string' ? value : (JSON.stringify(value) ?? '')
  const response =
    request.function === undefined
      ? {
          actionGroup: request.actionGroup,
          apiPath: request.apiPath,
          httpMethod: request.httpMethod,
          httpStatusCode: 200,
          responseBody: { 'application/json': { body } },
        }
      : {
          actionGroup: request.actionGroup,
          function: request.function,
          functionResponse: { responseBody: { TEXT: { body } } },
        }
  return {
    messageVersion: '1.0',
    response,
    sessionAttributes: request.sessionAttributes,
    promptSessionAttributes: request.promptSessionAttributes,
  }
}

/** The answer of a single-event source, from what its route returned (an ok value). */
export const answerEvent = (request: EventAppRequest, value: unknown): unknown => {
  switch (request.kind) {
    case 'websocket':
      return webSocketAnswer(value)
    case 'cognito':
      return cognitoAnswer(request, value)
    case 'bedrock':
      return bedrockAnswer(request, value)
    default:
      return value
  }
}
