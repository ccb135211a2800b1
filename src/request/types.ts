/**
 * The types of `metis-app/request`: {@link AppRequest}, the union of every request the builder
 * produces, with its helpers and the builder's options. The request types themselves live by
 * source (`http-types.ts`, `record-types.ts`, `event-types.ts`) and are re-exported from here,
 * so that `types.ts` stays the one place to import a request type from.
 */

import type {
  AppSyncRequest,
  BedrockAgentRequest,
  CognitoRequest,
  CustomResourceRequest,
  SecretsRotationRequest,
  UnknownRequest,
  WebSocketRequest,
} from './event-types.ts'
import type { HttpRequest } from './http-types.ts'
import type {
  CloudWatchLogRecord,
  DynamoDbRecord,
  EventBridgeRecord,
  FirehoseRecord,
  KafkaRecord,
  KinesisRecord,
  RecordsRequest,
  S3ObjectRecord,
  SesRecord,
  SnsRecord,
  SqsRecord,
} from './record-types.ts'

export type * from './common-types.ts'
export type * from './event-types.ts'
export type * from './http-types.ts'
export type * from './record-types.ts'

/**
 * Every request {@link buildRequest} can produce, told apart by `kind`.
 *
 * @example
 * ```ts
 * const describe = (request: AppRequest): string =>
 *   request.kind === 'http' ? `${request.method} ${request.path}` : request.kind
 * ```
 */
export type AppRequest =
  | HttpRequest
  | RecordsRequest<'s3', S3ObjectRecord>
  | RecordsRequest<'sqs', SqsRecord>
  | RecordsRequest<'sns', SnsRecord>
  | RecordsRequest<'eventbridge', EventBridgeRecord>
  | RecordsRequest<'kafka', KafkaRecord>
  | RecordsRequest<'dynamodb', DynamoDbRecord>
  | RecordsRequest<'kinesis', KinesisRecord>
  | RecordsRequest<'logs', CloudWatchLogRecord>
  | RecordsRequest<'firehose', FirehoseRecord>
  | RecordsRequest<'ses', SesRecord>
  | WebSocketRequest
  | CognitoRequest
  | SecretsRotationRequest
  | CustomResourceRequest
  | AppSyncRequest
  | BedrockAgentRequest
  | UnknownRequest

/**
 * The `kind` of a request.
 *
 * @example
 * ```ts
 * const batchKinds: readonly RequestKind[] = ['sqs', 'kinesis', 'dynamodb', 'kafka']
 * ```
 */
export type RequestKind = AppRequest['kind']

/**
 * The request of one kind: `RequestOf<'sqs'>`.
 *
 * @example
 * ```ts
 * const bodies = (request: RequestOf<'sqs'>): string[] => request.records.map((record) => record.body)
 * ```
 */
export type RequestOf<K extends RequestKind> = Extract<AppRequest, { kind: K }>

/**
 * Options of {@link buildRequest}.
 *
 * @example
 * ```ts
 * const options: BuildOptions = { jsonBody: 'off', maxBodyBytes: 1_048_576 }
 * const result = buildRequest(event, options) // Result<AppRequest, AppError>
 * ```
 */
export interface BuildOptions {
  /** The clock for `receivedAt`, in epoch milliseconds; defaults to `Date.now`. */
  clock?: () => number
  /**
   * JSON bodies: `'auto'` (default) parses when the content type is JSON; `'required'` also
   * answers 415 to a body of another type; `'off'` never parses.
   */
  jsonBody?: 'auto' | 'required' | 'off'
  /** Unwrap SNS notifications carried in SQS bodies (SNS -> SQS subscriptions). Default false. */
  unwrapSns?: boolean
  /** The largest body accepted, in bytes of the event's body string; larger is a 413. Default 6 MiB. */
  maxBodyBytes?: number
}
