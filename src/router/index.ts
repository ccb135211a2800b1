/**
 * `metis-app/router`: one routing table for HTTP (API Gateway, Function URLs, ALB, VPC Lattice),
 * the record sources (S3, SQS, SNS, EventBridge, Kafka, DynamoDB Streams, Kinesis, CloudWatch
 * Logs, Firehose, SES) and the sources that invoke once per event (API Gateway WebSocket, Cognito
 * triggers, Secrets Manager rotation, CloudFormation custom resources, AppSync, Bedrock Agents).
 *
 * {@link router} builds the table once per container (an HTTP segment trie and a key map per
 * record source) and returns a Middy handler that dispatches each request to its route. The same
 * router's {@link RouterHandler.middleware} resolves the route in `before` and puts it on
 * `context.route`, so that later middlewares (the policy decision point) see the route and its
 * options; the handler then dispatches without resolving again.
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
 * Routes that declare `policies` run only after `pdp()` of `metis-app/auth` evaluated them (stack
 * `app.middleware()`, then `pip()`, then `pdp()`); otherwise the router answers a 500
 * `MIDDLEWARE_ORDER` rather than run the route unprotected.
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
 * export const handler = middy().use(requestBuilder()).use(app.middleware()).handler(app)
 * ```
 * @module
 */

import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import type { Policy } from '../auth/policy.ts'
import { type AppError, BadRequestError } from '../errors/index.ts'
import type { ErrorLogger } from '../internal/failures.ts'
import { functionOption, loggerOption } from '../internal/options.ts'
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
} from '../request/index.ts'
import { buildRequest, withObserver } from '../request/index.ts'
import { err, ok, type Result } from '../result/index.ts'
import { dispatchEvent, type EventPlan, EventTable, isEventRequest } from './events.ts'
import { dispatchHttp, failHttp, type HttpPlan, HttpTable } from './http.ts'
import { dispatchRecords, type RecordPlan, RecordTable } from './records.ts'
import { RouteTableError } from './trie.ts'
import type { InferOutput, StandardSchemaV1 } from './validate.ts'

export type { FirehoseResponse, FirehoseResult } from './answers.ts'
export { RouteTableError } from './trie.ts'
export type {
  InferOutput,
  StandardIssue,
  StandardResult,
  StandardSchemaV1,
  ValidationIssue,
} from './validate.ts'

/** Validation of a route's inputs, each with any Standard Schema v1 validator. */
export interface RouteValidation {
  /** The body: the parsed JSON for a JSON content type, else the text. */
  readonly body?: StandardSchemaV1
  /** The query parameters (last value of each name). */
  readonly query?: StandardSchemaV1
  /** The path parameters. */
  readonly params?: StandardSchemaV1
}

/** What a route declares besides its handler. */
export interface RouteOptions<V extends RouteValidation = RouteValidation> {
  /** Policies the policy decision point evaluates for this route (see `metis-app/auth`). */
  readonly policies?: readonly Policy[]
  /** Validation of body, query and path parameters; a failure is a 422 listing the issues. */
  readonly validate?: V
  /**
   * `'auto'` (default): the body is parsed JSON when the content type is JSON; `'required'`: a
   * JSON body is required (else 415); `'off'`: the body stays text.
   */
  readonly jsonBody?: 'auto' | 'required' | 'off'
}

/** The route a request resolved to: what `context.route` holds. */
export interface ResolvedRoute {
  /** The declared path template (`/orders/{id}`) or record routing key (`orders`); `'*'` for a no-match route. */
  readonly key: string
  /** The declared method of an HTTP route (`GET`, `ANY`). */
  readonly method?: string
  /** The path parameters, URL-decoded (empty for records). */
  readonly params: Readonly<Record<string, string>>
  /** The route's declared options. */
  readonly options: RouteOptions
}

/** What the router middleware adds to the Lambda context. */
export interface RouteContext {
  route: ResolvedRoute
}

/**
 * The context a route handler receives: the Lambda context with the request and the route, plus
 * `C`, what the middlewares stacked before the router add (`ObserverContext`, `AuthContext`,
 * `SelfTokenContext`, ...), declared once with `router<C>(...)`.
 */
export type RouterContext<C extends object = Record<never, never>> = Context &
  RouteContext & { request: AppRequest } & C

/** No validation: the default of a route's validation types. */
export type NoValidation = Record<never, never>

/** The output of the schema of `part`, or the fallback when the route declares none. */
type OutputOf<V, Part extends string, Fallback> = V extends {
  readonly [P in Part]: infer S extends StandardSchemaV1
}
  ? InferOutput<S>
  : Fallback

/** The request an HTTP route handler receives: the built request plus its route's inputs. */
export interface RoutedRequest<V extends RouteValidation = NoValidation> extends HttpRequest {
  /** The path parameters (the schema's output when `validate.params` is set). */
  readonly params: OutputOf<V, 'params', Readonly<Record<string, string>>>
  /** The body and query, validated when the route declares schemas. */
  readonly input: {
    readonly body: OutputOf<V, 'body', unknown>
    readonly query: OutputOf<V, 'query', Readonly<Record<string, string>>>
  }
}

/** An HTTP route: a method (or `ANY`), a path template, a handler and options. */
export interface HttpRoute<
  V extends RouteValidation = NoValidation,
  C extends object = Record<never, never>,
> {
  readonly method: string
  readonly path: string
  /** Returns a plain value (JSON), a `Reply`, a `Result`, or a full HTTP response; may throw an `AppError`. */
  handler(request: RoutedRequest<V>, context: RouterContext<C>): unknown
  readonly options?: RouteOptions<V>
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

/** A handler of one record. */
export type RecordHandler<R, C extends object = Record<never, never>> = (
  record: R,
  context: RouterContext<C>,
) => unknown

/** A record route: a function per record, `{ record }` with options, or `{ batch }` for the whole group. */
export type RecordRoute<K extends string, R, C extends object = Record<never, never>> =
  | RecordHandler<R, C>
  | { record(record: R, context: RouterContext<C>): unknown; readonly options?: RouteOptions }
  | {
      /** Handles the group at once; a throw or error Result fails every record of the group. */
      batch(request: RecordsRequest<K, R>, context: RouterContext<C>): unknown
      readonly options?: RouteOptions
    }

/** Record routes of one source by routing key; `'*'` is the source's no-match route. */
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

/** The routing table. */
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

/** Replacements of the default routing key of each record source (the seed's factory overrides). */
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

/** Options of {@link router}. */
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
   * Called with each error the router answers with a 5xx and each failed record's error; `false`
   * logs nothing. Default: the observer's "request end" line reports them when `observer()` is
   * stacked (once, at the level the status deserves), else `console.error`.
   */
  readonly logger?: ErrorLogger
}

/** The Middy handler {@link router} returns, with its middleware and a pure resolver. */
export interface RouterHandler {
  /**
   * Routes one invocation. Returns the response, synchronously when the route handler is
   * synchronous (so that Middy arms no early-timeout timer), else a promise of it; `await` it.
   */
  (event: unknown, context: Context): unknown
  /**
   * A Middy middleware that resolves the route in `before` and sets `context.route` (and
   * `context.request` when no request builder ran). A request with no route throws its
   * `AppError` (404, 405, 400), for `responder()` or `@middy/http-error-handler` to answer.
   */
  middleware(): MiddlewareObj<unknown, unknown, Error, Context & RouteContext>
  /** Resolves a built HTTP request without dispatching it. */
  resolve(request: HttpRequest): Result<ResolvedRoute, AppError>
}

type Plan =
  | HttpPlan
  | RecordPlan
  | EventPlan
  | { readonly kind: 'unknown'; readonly request: UnknownRequest }

/**
 * Builds the routing table once and returns the Middy handler that dispatches to it. Throws a
 * {@link RouteTableError} when a route is malformed or two routes overlap.
 *
 * @example
 * ```ts
 * const app = router({ http: [{ method: 'GET', path: '/ping', handler: () => 'pong' }] })
 * export const handler = middy().use(httpErrorHandler()).handler(app)
 *
 * // Route handlers see what earlier middlewares put on the context, typed:
 * const withToken = router<SelfTokenContext & ObserverContext>({
 *   http: [{ method: 'GET', path: '/stock', handler: async (_req, ctx) => ctx.selfToken.get() }],
 * })
 * ```
 */
export const router = <C extends object = Record<never, never>>(
  declared: RouteTable<C>,
  options: RouterOptions = {},
): RouterHandler => {
  // The context type only informs route handlers; routing itself does not depend on it.
  const table = declared as RouteTable
  if (typeof table !== 'object' || table === null || Array.isArray(table)) {
    throw new RouteTableError('ROUTE_INVALID', 'router: the route table must be an object')
  }
  if (table.http !== undefined && !Array.isArray(table.http)) {
    throw new RouteTableError('ROUTE_INVALID', 'router: http must be an array of routes')
  }
  loggerOption('router', options.logger)
  functionOption('router', 'notFound', options.notFound)
  functionOption('router', 'unknown', options.unknown)
  const http = new HttpTable(table.http ?? [], options.notFound)
  const records = new RecordTable(table, options.keys)
  const events = new EventTable(table, options.keys)
  const plans = new WeakMap<object, Plan>()
  const build = options.build ?? {}
  const logger = options.logger

  const requestOf = (
    event: unknown,
    context: Context & { request?: AppRequest },
  ): Result<AppRequest, AppError> => {
    const present = context.request
    // a context reused across invocations (tests, local servers) may hold another event's request
    if (present !== undefined && present.event === event) return ok(present)
    const built = buildRequest(event, { ...build, requestId: context.awsRequestId })
    return built.ok ? ok(withObserver(built.value, context)) : built
  }

  const planOther = (request: Exclude<AppRequest, HttpRequest>): Exclude<Plan, HttpPlan> => {
    if (request.kind === 'unknown') return { kind: 'unknown', request }
    return isEventRequest(request) ? events.plan(request) : records.plan(request)
  }

  const plan = (request: AppRequest): Result<Plan, AppError> =>
    request.kind === 'http' ? http.plan(request) : ok(planOther(request))

  const dispatchOther = async (planned: Exclude<Plan, HttpPlan>, context: Context) => {
    if (planned.kind === 'unknown') {
      if (options.unknown !== undefined) return options.unknown(planned.request, context)
      throw new BadRequestError(`The router cannot route this event: ${planned.request.reason}`, {
        code: 'UNRECOGNISED_EVENT',
      })
    }
    if (planned.kind === 'event') return dispatchEvent(planned, context)
    return dispatchRecords(planned, context, options.partialBatch === true, logger)
  }

  /** Plans and dispatches a record or unknown request; a user key function may throw. */
  const routeOther = async (
    request: Exclude<AppRequest, HttpRequest>,
    context: Context,
  ): Promise<unknown> => dispatchOther(planOther(request), context)

  const dispatch = (planned: Plan, context: Context): unknown =>
    planned.kind === 'http'
      ? dispatchHttp(planned, context, logger)
      : dispatchOther(planned, context)

  const handler = (event: unknown, context: Context): unknown => {
    const planned = plans.get(context)
    if (planned !== undefined && planned.request.event === event) {
      plans.delete(context)
      return dispatch(planned, context)
    }
    const request = requestOf(event, context)
    if (!request.ok) return failHttp(event, context, request.error, logger)
    ;(context as { request?: AppRequest }).request = request.value
    if (request.value.kind !== 'http') return routeOther(request.value, context)
    const resolved = http.plan(request.value)
    if (!resolved.ok) return failHttp(event, context, resolved.error, logger, request.value)
    return dispatchHttp(resolved.value, context, logger)
  }

  const middleware = (): MiddlewareObj<unknown, unknown, Error, Context & RouteContext> => {
    const routerBefore = (request: {
      event: unknown
      context: Context & Partial<RouteContext> & { request?: AppRequest }
    }): void => {
      const built = requestOf(request.event, request.context)
      if (!built.ok) throw built.error
      request.context.request = built.value
      const resolved = plan(built.value)
      if (!resolved.ok) throw resolved.error
      plans.set(request.context, resolved.value)
      const first = resolved.value.kind === 'unknown' ? undefined : resolved.value.route
      if (first !== undefined) request.context.route = first
    }
    return { name: 'metis-app/router', before: routerBefore }
  }

  const resolve = (request: HttpRequest): Result<ResolvedRoute, AppError> => {
    const planned = http.plan(request)
    return planned.ok ? ok(planned.value.route) : err(planned.error)
  }

  return Object.assign(handler, { middleware, resolve })
}
