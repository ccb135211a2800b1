/** The types of `metis-app/router`: routes, tables, options and the handler it returns. */

import type { Context } from 'aws-lambda'
import type { AppError } from '../errors/index.ts'
import type { CheckDescription, Decision } from '../internal/check.ts'
import type { Logger } from '../internal/logger.ts'
import type {
  AppRequest,
  AppSyncRequest,
  BedrockAgentRequest,
  BuildOptions,
  CloudWatchLogRecord,
  CognitoRequest,
  CustomResourceRequest,
  DynamoDbRecord,
  EventBridgeRecord,
  FirehoseRecord,
  HttpRequest,
  KafkaRecord,
  KinesisRecord,
  RecordsRequest,
  S3ObjectRecord,
  SecretsRotationRequest,
  SesRecord,
  SnsRecord,
  SqsRecord,
  UnknownRequest,
  WebSocketRequest,
} from '../request/types.ts'
import type { Result } from '../result/index.ts'
import type { InferOutput, StandardSchemaV1 } from './validate.ts'

/**
 * Validation of a route's inputs, each with any Standard Schema v1 validator.
 *
 * @example
 * ```ts
 * const validate: RouteValidation = { body: OrderSchema, params: z.object({ id: z.string() }) }
 * ```
 */
export interface RouteValidation {
  /** The body: the parsed JSON for a JSON content type, else the text. */
  readonly body?: StandardSchemaV1
  /** The query parameters (last value of each name). */
  readonly query?: StandardSchemaV1
  /** The path parameters. */
  readonly params?: StandardSchemaV1
}

/**
 * A route's check: a named decision over the route's context (the request is on
 * `context.request`), run by the router right before the handler; a denial is answered with its
 * `AppError`. `metis-app/auth` supplies `tokenRequired()`, `activity()`, `scope()` and `custom()`;
 * any object of this shape works.
 *
 * @example
 * ```ts
 * const weekdays: RouteCheck = {
 *   name: 'weekdays',
 *   evaluate: () => (new Date().getDay() % 6 === 0 ? err(new ForbiddenError('Closed')) : ok(undefined)),
 * }
 * ```
 */
export interface RouteCheck<C extends object = object> {
  /** A short name for logs and error details. */
  readonly name: string
  /** Decides for one invocation: `ok(undefined)` allows, `err(appError)` denies. */
  readonly evaluate: (context: C) => Decision
  /** What the check requires, for `metis-app/openapi`; never read when routing. */
  readonly openapi?: CheckDescription
}

export type { CheckDescription } from '../internal/check.ts'

/**
 * A response a route documents for `metis-app/openapi`: never read when routing.
 *
 * @example
 * ```ts
 * const createdOrder: RouteResponse = {
 *   description: 'The new order', schema: OrderSchema, headers: { Location: { description: 'Its URL' } },
 * }
 * ```
 */
export interface RouteResponse {
  /** What the response means. Default: the status's reason phrase. */
  readonly description?: string
  /** The body's media type. Default `application/json`. */
  readonly contentType?: string
  /** The body: a Standard Schema that can describe itself as JSON Schema, or a JSON Schema. */
  readonly schema?: StandardSchemaV1 | JsonSchema
  /** An example body. */
  readonly example?: unknown
  /** Response headers, by name. */
  readonly headers?: Readonly<Record<string, { readonly description?: string }>>
}

/**
 * A JSON Schema (draft 2020-12, as OpenAPI 3.1 reads it).
 *
 * @example
 * ```ts
 * const money: JsonSchema = { type: 'object', properties: { amount: { type: 'integer' } }, required: ['amount'] }
 * ```
 */
export type JsonSchema = { readonly [keyword: string]: unknown }

/**
 * An example request of a route, for `metis-app/openapi`: the router must accept it.
 *
 * @example
 * ```ts
 * const example: RouteExample = { params: { id: '42' }, query: { expand: 'items' } }
 * ```
 */
export interface RouteExample {
  readonly params?: Readonly<Record<string, string>>
  readonly query?: Readonly<Record<string, string>>
  readonly body?: unknown
}

/**
 * What a route declares besides its handler.
 *
 * @example
 * ```ts
 * const options: RouteOptions = {
 *   summary: 'Create an order', tags: ['orders'], jsonBody: 'required',
 *   validate: { body: OrderSchema }, responses: { '201': { description: 'Created' } },
 * }
 * ```
 */
export interface RouteOptions<
  V extends RouteValidation = RouteValidation,
  C extends object = Record<never, never>,
> {
  /**
   * Checks the router runs in order right before the handler (`activity()`, `scope()` of
   * `metis-app/auth`, or your own); the first denial is the answer. A check that needs
   * `context.auth` fits only a router whose context type has it.
   */
  readonly policies?: readonly RouteCheck<RouterContext<C>>[]
  /** Validation of body, query and path parameters; a failure is a 422 listing the issues. */
  readonly validate?: V
  /**
   * `'auto'` (default): the body is parsed JSON when the content type is JSON; `'required'`: a
   * JSON body is required (else 415); `'off'`: the body stays text.
   */
  readonly jsonBody?: 'auto' | 'required' | 'off'
  /** A one-line summary of the operation (OpenAPI only, as the fields below). */
  readonly summary?: string
  /** A longer description of the operation (CommonMark). */
  readonly description?: string
  /** Tags that group operations in the API page. */
  readonly tags?: readonly string[]
  /** A unique name of the operation; default: the method and the template (`getOrdersById`). */
  readonly operationId?: string
  /** The operation is deprecated. */
  readonly deprecated?: boolean
  /** The answers of the handler, by status (`'200'`, `'201'`); default a 200 with any JSON. */
  readonly responses?: Readonly<Record<string, RouteResponse>>
  /** An example request, shown in the API page and tried by the round-trip test. */
  readonly example?: RouteExample
}

/**
 * The route a request resolved to: what `context.route` holds.
 *
 * @example
 * ```ts
 * const label = ({ method, key }: ResolvedRoute): string => (method ? `${method} ${key}` : key)
 * label(context.route) // 'GET /orders/{id}'
 * ```
 */
export interface ResolvedRoute {
  /** The declared path template (`/orders/{id}`) or record routing key (`orders`); `'*'` for a no-match route. */
  readonly key: string
  /** The declared method of an HTTP route (`GET`, `ANY`). */
  readonly method?: string
  /** The path parameters, URL-decoded (empty for records). */
  readonly params: Readonly<Record<string, string>>
  /** The route's declared options. */
  readonly options: RouteOptions<RouteValidation, never>
}

/**
 * What the router middleware adds to the Lambda context.
 *
 * @example
 * ```ts
 * const templateOf = (context: Context & RouteContext): string => context.route.key // '/orders/{id}'
 * ```
 */
export interface RouteContext {
  route: ResolvedRoute
}

/**
 * The context a route handler receives: the Lambda context with the request and the route, plus
 * `C`, what the middlewares stacked before the router add (`ObserverContext`, `AuthContext`,
 * `SelfTokenContext`, ...), declared once with `router<C>(...)`.
 *
 * @example
 * ```ts
 * const me = (_req: RoutedRequest, context: RouterContext<AuthContext>) =>
 *   ({ activities: context.auth.activities(), requestId: context.awsRequestId })
 * router<AuthContext>({ http: [{ method: 'GET', path: '/me', handler: me }] })
 * ```
 */
export type RouterContext<C extends object = Record<never, never>> = Context &
  RouteContext & { request: AppRequest } & C

/**
 * No validation: the default of a route's validation types.
 *
 * @example
 * ```ts
 * const health: HttpRoute<NoValidation> = { method: 'GET', path: '/health', handler: () => ({ status: 'ok' }) }
 * ```
 */
export type NoValidation = Record<never, never>

/**
 * The output of the schema of `part`, or the fallback when the route declares none.
 *
 * @example
 * ```ts
 * type Body = OutputOf<{ body: typeof OrderSchema }, 'body', unknown> // Order
 * type Query = OutputOf<{ body: typeof OrderSchema }, 'query', Readonly<Record<string, string>>> // the fallback
 * ```
 */
export type OutputOf<V, Part extends string, Fallback> = V extends {
  readonly [P in Part]: infer S extends StandardSchemaV1
}
  ? InferOutput<S>
  : Fallback

/**
 * The request an HTTP route handler receives: the built request plus its route's inputs.
 *
 * @example
 * ```ts
 * const createOrder = (req: RoutedRequest<{ body: typeof OrderSchema }>) =>
 *   created(req.input.body, `/orders/${req.input.body.sku}`) // req.input.body: Order
 * ```
 */
export interface RoutedRequest<V extends RouteValidation = NoValidation> extends HttpRequest {
  /** The path parameters (the schema's output when `validate.params` is set). */
  readonly params: OutputOf<V, 'params', Readonly<Record<string, string>>>
  /** The body and query, validated when the route declares schemas. */
  readonly input: {
    readonly body: OutputOf<V, 'body', unknown>
    readonly query: OutputOf<V, 'query', Readonly<Record<string, string>>>
  }
}

/**
 * An HTTP route: a method (or `ANY`), a path template, a handler and options.
 *
 * @example
 * ```ts
 * const getOrder: HttpRoute = { method: 'GET', path: '/orders/{id}', handler: (req) => orders.get(req.params.id) }
 * ```
 */
export interface HttpRoute<
  V extends RouteValidation = NoValidation,
  C extends object = Record<never, never>,
> {
  readonly method: string
  readonly path: string
  /** Returns a plain value (JSON), a `Reply`, a `Result`, or a full HTTP response; may throw an `AppError`. */
  handler(request: RoutedRequest<V>, context: RouterContext<C>): unknown
  readonly options?: RouteOptions<V, C>
}

/**
 * Declares an HTTP route with its validation types inferred, so that the handler sees the
 * schemas' outputs.
 *
 * @example
 * ```ts
 * route({
 *   method: 'POST', path: '/orders', options: { validate: { body: OrderSchema } },
 *   handler: (req) => created(req.input.body, '/orders/1'), // req.input.body: Order
 * })
 * ```
 */
export const route = <
  V extends RouteValidation = NoValidation,
  C extends object = Record<never, never>,
>(
  declared: HttpRoute<V, C>,
): HttpRoute<V, C> => declared

/**
 * A handler of one record.
 *
 * @example
 * ```ts
 * const onOrder: RecordHandler<SqsRecord> = (record, context) => console.log(context.awsRequestId, record.body)
 * ```
 */
export type RecordHandler<R, C extends object = Record<never, never>> = (
  record: R,
  context: RouterContext<C>,
) => unknown

/**
 * A record route: a function per record, `{ record }` with options, or `{ batch }` for the whole group.
 *
 * @example
 * ```ts
 * const audit: RecordRoute<'sqs', SqsRecord> = { batch: (request) => saveAll(request.records.map((r) => r.body)) }
 * ```
 */
export type RecordRoute<K extends string, R, C extends object = Record<never, never>> =
  | RecordHandler<R, C>
  | { record(record: R, context: RouterContext<C>): unknown; readonly options?: RouteOptions }
  | {
      /** Handles the group at once; a throw or error Result fails every record of the group. */
      batch(request: RecordsRequest<K, R>, context: RouterContext<C>): unknown
      readonly options?: RouteOptions
    }

/**
 * Record routes of one source by routing key; `'*'` is the source's no-match route.
 *
 * @example
 * ```ts
 * const queues: RecordRoutes<'sqs', SqsRecord> = { orders: (record) => placeOrder(record.body), '*': () => undefined }
 * ```
 */
export type RecordRoutes<K extends string, R, C extends object = Record<never, never>> = Readonly<
  Record<string, RecordRoute<K, R, C>>
>

/**
 * The route of a source that invokes once per event: its value is the answer.
 *
 * @example
 * ```ts
 * const step: EventHandler<SecretsRotationRequest> = (req) => rotate(req.secretId, req.step)
 * ```
 */
export type EventHandler<R, C extends object = Record<never, never>> = (
  request: R,
  context: RouterContext<C>,
) => unknown

/**
 * Routes of a single-event source by routing key; `'*'` is the source's no-match route.
 *
 * @example
 * ```ts
 * const websocket: EventRoutes<WebSocketRequest> = { $connect: () => undefined, '*': () => 'ok' }
 * ```
 */
export type EventRoutes<R, C extends object = Record<never, never>> = Readonly<
  Record<string, EventHandler<R, C>>
>

/**
 * The routing table.
 *
 * @example
 * ```ts
 * const table: RouteTable = {
 *   http: [{ method: 'GET', path: '/health', handler: () => ({ status: 'ok' }) }],
 *   sqs: { 'orders-queue': (record) => placeOrder(record.body) },
 * }
 * ```
 */
export interface RouteTable<C extends object = Record<never, never>> {
  readonly http?: readonly HttpRoute<NoValidation, C>[]
  readonly s3?: RecordRoutes<'s3', S3ObjectRecord, C>
  readonly sqs?: RecordRoutes<'sqs', SqsRecord, C>
  readonly sns?: RecordRoutes<'sns', SnsRecord, C>
  readonly eventbridge?: RecordRoutes<'eventbridge', EventBridgeRecord, C>
  readonly kafka?: RecordRoutes<'kafka', KafkaRecord, C>
  readonly dynamodb?: RecordRoutes<'dynamodb', DynamoDbRecord, C>
  readonly kinesis?: RecordRoutes<'kinesis', KinesisRecord, C>
  /** CloudWatch Logs subscriptions, by log group. */
  readonly logs?: RecordRoutes<'logs', CloudWatchLogRecord, C>
  /** Firehose transformations, by delivery stream; a route returns the record's new data. */
  readonly firehose?: RecordRoutes<'firehose', FirehoseRecord, C>
  /** SES receipt rules, by the first recipient (lower-cased). */
  readonly ses?: RecordRoutes<'ses', SesRecord, C>
  /** API Gateway WebSocket routes, by route key (`$connect`, `$default`, `sendMessage`). */
  readonly websocket?: EventRoutes<WebSocketRequest, C>
  /** Cognito triggers, by trigger source (`PreSignUp_SignUp`), then trigger (`PreSignUp`). */
  readonly cognito?: EventRoutes<CognitoRequest, C>
  /** Secrets Manager rotation, by step (`createSecret`, ...). */
  readonly secretsmanager?: EventRoutes<SecretsRotationRequest, C>
  /** CloudFormation custom resources, by `Custom::Type:Create`, `Custom::Type`, then `Create`. */
  readonly cloudformation?: EventRoutes<CustomResourceRequest, C>
  /** AppSync resolvers, by `Query.getPost`, then `getPost`. */
  readonly appsync?: EventRoutes<AppSyncRequest, C>
  /** Bedrock Agent actions, by `group:operation`, operation (`GET /orders/{id}`), then group. */
  readonly bedrock?: EventRoutes<BedrockAgentRequest, C>
}

/**
 * Replacements of the default routing key of each record source (the seed's factory overrides).
 *
 * @example
 * ```ts
 * const keys: RoutingKeys = { s3: (record) => record.key.split('/')[0] ?? '', eventbridge: (event) => event.source }
 * const app = router(table, { keys })
 * ```
 */
export interface RoutingKeys {
  readonly s3?: (record: S3ObjectRecord) => string
  readonly sqs?: (record: SqsRecord) => string
  readonly sns?: (record: SnsRecord) => string
  readonly eventbridge?: (record: EventBridgeRecord) => string
  readonly kafka?: (record: KafkaRecord) => string
  readonly dynamodb?: (record: DynamoDbRecord) => string
  readonly kinesis?: (record: KinesisRecord) => string
  readonly logs?: (record: CloudWatchLogRecord) => string
  readonly firehose?: (record: FirehoseRecord) => string
  readonly ses?: (record: SesRecord) => string
  readonly websocket?: (request: WebSocketRequest) => string
  readonly cognito?: (request: CognitoRequest) => string
  readonly secretsmanager?: (request: SecretsRotationRequest) => string
  readonly cloudformation?: (request: CustomResourceRequest) => string
  readonly appsync?: (request: AppSyncRequest) => string
  readonly bedrock?: (request: BedrockAgentRequest) => string
}

/**
 * Options of {@link router}.
 *
 * @example
 * ```ts
 * const options: RouterOptions = { partialBatch: true, logger: false, build: { unwrapSns: true } }
 * const app = router(table, options)
 * ```
 */
export interface RouterOptions {
  /** The HTTP no-match route; by default no match is a 404 problem. */
  readonly notFound?: HttpRoute['handler']
  /** Replaces the routing key of a record source. */
  readonly keys?: RoutingKeys
  /**
   * Answer record batches with a partial batch response (`batchItemFailures`) for SQS, Kinesis,
   * DynamoDB Streams and Kafka, so that only failed records are retried (turn on
   * `ReportBatchItemFailures` on the event source mapping too), and a failed Firehose record with
   * `ProcessingFailed`. Default false: the first failure fails the invocation.
   */
  readonly partialBatch?: boolean
  /** Handles an event no source recognises; by default it fails the invocation with a 400 error. */
  readonly unknown?: (request: UnknownRequest, context: Context) => unknown
  /** Options of `buildRequest`, used when no `requestBuilder` ran before the router. */
  readonly build?: BuildOptions
  /**
   * Where each error the router answers with a 5xx and each failed record's error go; `false`
   * logs nothing. Default: the observer's "request end" line reports them when `observer()` is
   * stacked (once, at the level the status deserves), else `console`.
   */
  readonly logger?: Logger | false
}

/**
 * The Middy handler {@link router} returns, and a pure resolver. Its context parameter is what
 * the routes need (`C`), so that `middy().use(...).handler(app)` compiles only when the stack
 * puts that on the context.
 *
 * @example
 * ```ts
 * const app: RouterHandler = router({ http: routes })
 * const resolved = app.resolve(request) // Result<ResolvedRoute, AppError>
 * export const handler = middy().use(requestBuilder()).handler(app)
 * ```
 */
export interface RouterHandler<C extends object = Record<never, never>> {
  /**
   * Routes one invocation: builds (or reads) the request, resolves the route, runs its checks and
   * validation, then its handler, and answers in the event's shape. Returns the response,
   * synchronously when every step is synchronous (so that Middy arms no early-timeout timer), else
   * a promise of it.
   */
  (event: unknown, context: Context & C): unknown
  /** Resolves a built HTTP request without dispatching it. */
  resolve(request: HttpRequest): Result<ResolvedRoute, AppError>
  /** The declared HTTP routes, in declaration order (frozen): what `metis-app/openapi` reads. */
  readonly routes: readonly HttpRoute<NoValidation, C>[]
}
