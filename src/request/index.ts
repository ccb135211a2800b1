/**
 * `metis-app/request`: one typed, normalized request from any Lambda event.
 *
 * {@link buildRequest} is the pure function; {@link requestBuilder} is the Middy middleware that
 * runs it before the handler and puts the result on `context.request`. HTTP events of every shape
 * (API Gateway REST v1, HTTP API v2, Function URL, ALB, VPC Lattice v1 and v2) become an
 * {@link HttpRequest}; record events (S3, SQS, SNS, EventBridge, Kafka, DynamoDB Streams, Kinesis,
 * CloudWatch Logs, Firehose, SES) a request with a `records` list; the sources that invoke once
 * per event (API Gateway WebSocket, Cognito triggers, Secrets Manager rotation, CloudFormation
 * custom resources, AppSync resolvers, Bedrock Agents) a request of their own; anything else an
 * {@link UnknownRequest} that keeps the raw event. Only a malformed HTTP event, body or base64
 * payload is a 400 `AppError`, never a `TypeError` from inside the library; a malformed event of
 * any other source is an {@link UnknownRequest}.
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import { requestBuilder } from 'metis-app/request'
 *
 * export const handler = middy()
 *   .use(requestBuilder())
 *   .handler(async (_event, context) => {
 *     const { request } = context
 *     if (request.kind === 'http') return { statusCode: 200, body: request.path }
 *     return { statusCode: 204 }
 *   })
 * ```
 * @module
 */

export { requestOf } from './accessor.ts'
export { buildRequest } from './build.ts'
export {
  type ParseStep,
  type RequestBuilderOptions,
  type RequestContext,
  requestBuilder,
  updateRequest,
} from './middleware.ts'
export type * from './types.ts'
