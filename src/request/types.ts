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

/** Every request {@link buildRequest} can produce, told apart by `kind`. */
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

/** The `kind` of a request. */
export type RequestKind = AppRequest['kind']

/** The request of one kind: `RequestOf<'sqs'>`. */
export type RequestOf<K extends RequestKind> = Extract<AppRequest, { kind: K }>

/** Options of {@link buildRequest}. */
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
