/**
 * `metis-app/observer`: Powertools Logger, Tracer and Metrics (and your own observers) wired once,
 * reachable as `context.observer`. {@link observer} composes Powertools' own middlewares
 * (`injectLambdaContext`; `captureLambdaHandler` when tracing is on) with the observer's: the
 * `ColdStart` metric and the metrics flush, and redacted "request start" / "request end" lines.
 * A failure is logged once, on the end line, whichever part answered it: `outcome: 'error'` and
 * the status, ERROR with the stack for a 5xx, WARN without it below. A success writes no line at
 * INFO by default; Powertools' debug sampling writes the lines of a sample of invocations.
 *
 * Powertools Tracer loads the X-Ray SDK and `node:http` (about 40 ms of cold start): the observer
 * imports it on the first invocation, only with tracing on. A bundle that does not trace marks
 * `@aws-lambda-powertools/tracer` external (or uses `splitting: true`).
 *
 * @example
 * ```ts
 * export const handler = middy()
 *   .use(observer({ serviceName: 'orders', metricsNamespace: 'shop', redact: ['pin'] }))
 *   .handler(async (_event, context) => {
 *     context.observer.metrics.addMetric('orderPlaced', MetricUnit.Count, 1)
 *     return { statusCode: 201, body: '' }
 *   })
 * ```
 * @module
 */

import type { Logger } from '@aws-lambda-powertools/logger'
import type { LogLevel } from '@aws-lambda-powertools/logger/types'
import type { Metrics } from '@aws-lambda-powertools/metrics'
// Only the type: the package loads the X-Ray SDK, so it is imported when tracing is on.
import type { Tracer } from '@aws-lambda-powertools/tracer'
import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import type { Redactor } from './redact.ts'

export { observer } from './observer.ts'
export {
  type Redactor,
  redactor,
} from './redact.ts'

/**
 * Custom observers, by name: anything you want every handler to reach.
 *
 * @example
 * ```ts
 * const custom = { audit: new AuditTrail() } satisfies CustomObservers
 * export const handler = middy().use(observer({ serviceName: 'orders', custom })).handler(app)
 * ```
 */
export type CustomObservers = Record<string, unknown>

/**
 * What {@link observer} puts on `context.observer`.
 *
 * @example
 * ```ts
 * const orderPlaced = (observer: Observer, order: Order) => {
 *   observer.metrics.addMetric('orderPlaced', MetricUnit.Count, 1)
 *   observer.logger.info('order placed', { order: observer.redact(order) })
 * }
 * ```
 */
export interface Observer<C extends CustomObservers = CustomObservers> {
  readonly logger: Logger
  /** `undefined` while tracing is off, and until the first invocation loads a created one. */
  readonly tracer: Tracer | undefined
  readonly metrics: Metrics
  /** Your custom observers, by the names you gave them. */
  readonly custom: C
  /** A redacted copy of any value, with the fields the observer redacts in its own lines. */
  readonly redact: Redactor
}

/**
 * What {@link observer} adds to the Lambda context.
 *
 * @example
 * ```ts
 * const app = async (event: unknown, context: Context & ObserverContext) => {
 *   context.observer.logger.info('received', { event: context.observer.redact(event) })
 * }
 * ```
 */
export interface ObserverContext<C extends CustomObservers = CustomObservers> {
  observer: Observer<C>
}

/**
 * The ids that tie one invocation to the API Gateway request and the X-Ray trace.
 *
 * @example
 * ```ts
 * const ids: CorrelationIds = entry.correlation_ids
 * console.log(ids.gateway_request_id, ids.trace_id) // API Gateway's request id, X-Amzn-Trace-Id
 * ```
 */
export interface CorrelationIds {
  gateway_request_id?: string
  trace_id?: string
}

/**
 * The fields of the "request start" line, read from the typed request (`context.request`).
 *
 * @example
 * ```ts
 * const onRequestStart = (entry: RequestStartEntry) =>
 *   console.log(entry.event_kind, entry.method, entry.path)
 * ```
 */
export type RequestStartEntry = {
  /** `'http'`, `'sqs'`, ...: the request's `kind` (`'http'` for an HTTP event that cannot be read). */
  event_kind: string
  method?: string
  path?: string
  correlation_ids: CorrelationIds
  /** The redacted event, when `logEvent` is on. */
  event?: unknown
}

/**
 * How an invocation ended.
 *
 * @example
 * ```ts
 * const failed = (outcome: Outcome): boolean => outcome === 'error'
 * ```
 */
export type Outcome = 'success' | 'error' | 'early-return'

/**
 * The fields of the "request end" line.
 *
 * @example
 * ```ts
 * const onRequestEnd = (entry: RequestEndEntry) => {
 *   if (entry.outcome === 'error') console.warn(entry.route, entry.status, entry.duration_ms)
 * }
 * ```
 */
export type RequestEndEntry = Omit<RequestStartEntry, 'event'> & {
  outcome: Outcome
  /** The resolved route's key (`context.route.key`), when a router resolved one. */
  route?: string
  /** The response's `statusCode`, else the error's status. */
  status?: number
  duration_ms: number
  /** The redacted error (also one the router or responder answered): without stack below 500. */
  error?: unknown
  /** The identifiers of the records a router answered as failed (the partial batch response). */
  failed_items?: unknown[]
}

/**
 * A custom observer may listen to the request lines; what it throws is logged as a warning.
 *
 * @example
 * ```ts
 * const slowRequests: RequestListener = {
 *   onRequestEnd: (entry) => entry.duration_ms > 1_000 && console.warn('slow', entry.route),
 * }
 * observer({ serviceName: 'orders', custom: { slowRequests } })
 * ```
 */
export interface RequestListener {
  onRequestStart?: (entry: RequestStartEntry) => void
  onRequestEnd?: (entry: RequestEndEntry) => void
}

/**
 * Options of {@link observer}.
 *
 * @example
 * ```ts
 * const options: ObserverOptions = { serviceName: 'orders', redact: ['pin'], logEvent: true }
 * export const handler = middy().use(observer(options)).handler(app)
 * ```
 */
export interface ObserverOptions<C extends CustomObservers = CustomObservers> {
  /** The service name of the created logger, tracer and metrics (else `POWERTOOLS_SERVICE_NAME`). */
  serviceName?: string
  /** The CloudWatch namespace of the created metrics (else `POWERTOOLS_METRICS_NAMESPACE`). */
  metricsNamespace?: string
  /** Your Logger; else one is created. */
  logger?: Logger
  /** Your Tracer, always used (its own `enabled` decides); else one is created if tracing is on. */
  tracer?: Tracer
  /**
   * Your Metrics, used as you built it. Else one is created whose messages go to the observer's
   * logger, Powertools' empty-metrics and no-namespace notices at DEBUG instead of WARN.
   */
  metrics?: Metrics
  /** Custom observers, reachable as `context.observer.custom.<name>`. */
  custom?: C
  /** Log level of the created logger (else `POWERTOOLS_LOG_LEVEL`, else INFO). */
  logLevel?: LogLevel
  /** Trace when no `tracer` is given. Default on, unless `POWERTOOLS_TRACE_ENABLED` is `false`. */
  tracing?: boolean
  /** More field names to redact (case-insensitive, at any depth) besides the defaults. */
  redact?: readonly string[]
  /** Write the request lines. Default true. Listeners get the entries either way. */
  logRequests?: boolean
  /**
   * The start line's level. Default `'DEBUG'`: the end line carries the same fields. Asked of the
   * logger after its debug sampling chose the invocation's level; a buffering logger keeps it.
   */
  requestStartLevel?: 'DEBUG' | 'INFO'
  /** The end line's level for a success or an early return. `'INFO'` makes it an access log. */
  requestEndLevel?: 'DEBUG' | 'INFO'
  /** Put the redacted event on the start line. Default: `POWERTOOLS_LOGGER_LOG_EVENT`. */
  logEvent?: boolean
  /** Emit the `ColdStart` metric on the first invocation. Default true. */
  captureColdStartMetric?: boolean
  /** Throw when an invocation flushes no metrics. Default false. */
  throwOnEmptyMetrics?: boolean
  /** Dimensions added to every metric. */
  defaultDimensions?: Record<string, string>
  /** Remove keys appended to the logger during an invocation at its end. Default true. */
  resetKeys?: boolean
  /** Add the response to the trace as metadata. Default false: it may carry cookies. */
  captureResponse?: boolean
  /** The clock for `duration_ms`, in milliseconds. Default `performance.now`. */
  clock?: () => number
}

/**
 * What {@link observer} returns: the middlewares to stack in one `.use()` (Middy takes an array),
 * and the observer itself for use at module scope. Stack it first, so that it sees the final
 * response and every error.
 *
 * @example
 * ```ts
 * const observed = observer({ serviceName: 'orders', custom: { audit: new AuditTrail() } })
 * export const handler = middy().use(observed).use(responder()).handler(app)
 * observed.observer.logger.info('ready') // in a handler: context.observer.custom.audit
 * ```
 */
export type ObserverMiddleware<C extends CustomObservers = CustomObservers> = MiddlewareObj<
  unknown,
  unknown,
  Error,
  Context & ObserverContext<C>
>[] & { readonly observer: Observer<C> }
