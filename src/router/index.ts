/**
 * `metis-app/router`: one routing table for HTTP (API Gateway, Function URLs, ALB, VPC Lattice),
 * the record sources (S3, SQS, SNS, EventBridge, Kafka, DynamoDB Streams, Kinesis, CloudWatch
 * Logs, Firehose, SES) and the sources that invoke once per event (API Gateway WebSocket, Cognito
 * triggers, Secrets Manager rotation, CloudFormation custom resources, AppSync, Bedrock Agents).
 *
 * {@link router} builds the table once per container (an HTTP segment trie and a key map per
 * record source) and returns the Middy handler: `.handler(app)` alone reads the invocation's typed
 * request (`context.request`, built once by whichever part needs it first), resolves the route,
 * puts it on `context.route`, runs the route's checks (`policies`) and validation, then its
 * handler, and answers in the event's shape.
 *
 * HTTP rules:
 * - `{name}` matches one non-empty segment, a final `{name+}` one or more segments (as API Gateway).
 * - Precedence, whatever the declaration order: static > `{param}` > `{proxy+}`, segment by segment,
 *   with backtracking. Within a template: the exact method, then GET for HEAD (the body is dropped),
 *   then `ANY`.
 * - A path with routes for other methods answers 405 with `Allow`; no path answers 404 (or the
 *   `notFound` route); both as problem details.
 * - Paths are case-sensitive (as API Gateway); one trailing slash is ignored (`/orders/` is
 *   `/orders`); an empty segment (`/a//b`) matches no parameter. Each segment of a REST API,
 *   Function URL or ALB path is URL-decoded once before matching (`%2F` stays inside its
 *   parameter; a malformed escape is a 400); an HTTP API path arrives decoded and is not decoded
 *   again.
 * - Two routes that would answer the same requests (same method, same template shape) are a
 *   {@link RouteTableError} when the table is built, naming both.
 *
 * When no request builder ran, the router builds the request itself; for an event without a body
 * it reads the method and path at once and the rest (headers, query, cookies, ...) on first use,
 * so that a route that needs only its path parameters pays for nothing else. The handler answers
 * synchronously when the route handler does, so that Middy arms no early-timeout timer for it.
 *
 * Record rules: the records of a batch are grouped by routing key (S3: the bucket name's first
 * `.` token; SQS: queue name; SNS: topic name; EventBridge: a schedule's rule name, then
 * `source:detail-type`, then `detail-type`; Kafka: topic; DynamoDB: table; Kinesis: stream;
 * CloudWatch Logs: log group; Firehose: delivery stream; SES: the first recipient, lower-cased;
 * each replaceable by `keys`), each group goes to its route (`'*'` is the no-match route of a
 * source). A Firehose route returns each record's transformed data (text, bytes, any other value
 * as JSON, `undefined` for the record as it came, or `{ result, data, metadata }`) and the router
 * answers Firehose's `records`; an SES route may return `{ disposition }`. Ordered sources (FIFO
 * SQS queues, Kinesis, DynamoDB Streams, Kafka per partition) run in batch order instead: a
 * `{ batch }` route gets each consecutive run of its key, and the first failure stops what follows
 * it. With `partialBatch`, a record that fails (and, for an ordered source, every record after it)
 * is reported in `batchItemFailures`; without it, the first failure fails the invocation.
 *
 * Single-event rules: one route per key, tried most specific first (WebSocket: route key; Cognito:
 * trigger source, then trigger; Secrets Manager: step; CloudFormation: `type:request`, then
 * resource type, then request type; AppSync: `Type.field`, then field; Bedrock Agents:
 * `group:operation`, then operation, then action group; `'*'` last). The route's value is the
 * answer, in the caller's shape: WebSocket `{ statusCode, body }`, the Cognito event (the value's
 * fields merged into `response`), the Bedrock Agent response; others as returned. No route, a
 * throw or an error Result fails the invocation.
 *
 * A route's `policies` are checks over the context (`{ name, evaluate(context) }`); the router
 * runs them in order right before the handler and answers the first denial with its `AppError`.
 * `metis-app/auth` supplies `tokenRequired()`, `activity()`, `scope()` and `custom()`; the router
 * imports nothing of it. The router's context type `C` is what its routes need, so that
 * `.handler(app)` does not compile on a stack that lacks it.
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import { requestBuilder } from 'metis-app/request'
 * import { router } from 'metis-app/router'
 * import { created } from 'metis-app/response'
 *
 * const app = router({
 *   http: [
 *     { method: 'GET', path: '/orders/{id}', handler: (req) => ({ id: req.params.id }) },
 *     { method: 'POST', path: '/orders', handler: (req) => created(req.input.body, '/orders/1') },
 *   ],
 *   sqs: { 'orders-queue': (record) => console.log(record.body) },
 * }, { partialBatch: true })
 *
 * export const handler = middy().use(requestBuilder()).handler(app)
 * ```
 * @module
 */

export type { FirehoseResponse, FirehoseResult } from './answers.ts'
export { router } from './router.ts'
export { RouteTableError } from './trie.ts'
export * from './types.ts'
export type {
  InferOutput,
  InputPart,
  StandardIssue,
  StandardResult,
  StandardSchemaV1,
  ValidationIssue,
} from './validate.ts'
