/**
 * `metis-app/observer`: Powertools Logger, Tracer and Metrics (and your own observers) wired once,
 * reachable from every handler and later middleware as `context.observer`.
 *
 * {@link observer} creates the three Powertools instances (or takes yours) and runs Powertools'
 * own Middy middlewares inside one middleware: `captureLambdaHandler` (the handler segment, when
 * tracing is on),
 * `logMetrics` (the cold-start metric; metrics flushed on success and on error) and
 * `injectLambdaContext` (Lambda context on every log line). Around them it writes one structured
 * "request end" line (event kind, route, status, duration, correlation ids), WARN / ERROR for a
 * failure and DEBUG for a success (see {@link ObserverOptions.requestEndLevel}), and a "request
 * start" line with the same fields at DEBUG (see {@link ObserverOptions.requestStartLevel}), with
 * authorization headers, cookies and your configured fields redacted. Its cleanup is registered the Powertools way, so a middleware that
 * returns early and calls `cleanupMiddlewares(request)` still gets the end line, the metrics
 * flushed and the segment closed.
 *
 * A line of Powertools Logger costs several microseconds, more than the rest of the observer (and
 * a CloudWatch Logs line per invocation can cost as much as the invocation), so by default only a
 * failure writes a line at INFO or above; Powertools' debug sampling (`POWERTOOLS_LOGGER_SAMPLE_RATE`)
 * writes the lines of a sample of invocations, and `requestEndLevel: 'INFO'` makes the end line an
 * access log of every invocation. The Metrics the observer creates send
 * Powertools' "No application metrics to publish" notice (written on every invocation that added
 * no metric) to the logger at DEBUG rather than WARN; its other warnings keep their level.
 *
 * Tracing costs nothing when it is off. Powertools Tracer loads the X-Ray SDK (and `node:http`)
 * at import: about 165 KB and 40 ms of cold start. So the observer never imports it statically:
 * with tracing off (`tracing: false` or `POWERTOOLS_TRACE_ENABLED=false`) it is never loaded and
 * `context.observer.tracer` is `undefined`; with tracing on (Powertools' default) the observer
 * loads it on the first invocation, then runs as synchronously as before. To use the tracer at
 * module scope (`tracer.captureAWSv3Client(client)`), create it yourself and pass it as `tracer`.
 * A bundler still includes what a dynamic import names, and esbuild hoists the X-Ray SDK's
 * `node:http` imports to the top of a single-file bundle: a function that does not trace marks
 * `@aws-lambda-powertools/tracer` external (or bundles with `splitting: true`).
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import { MetricUnit } from '@aws-lambda-powertools/metrics'
 * import { observer } from 'metis-app/observer'
 *
 * export const handler = middy()
 *   .use(observer({ serviceName: 'orders', metricsNamespace: 'shop', redact: ['password'] }))
 *   .handler(async (_event, context) => {
 *     context.observer.metrics.addMetric('orderPlaced', MetricUnit.Count, 1)
 *     context.observer.logger.info('placed')
 *     return { statusCode: 201, body: '' }
 *   })
 * ```
 * @module
 */

import { LOGGER_KEY, METRICS_KEY, TRACER_KEY } from '@aws-lambda-powertools/commons'
import { Logger, LogLevelThreshold } from '@aws-lambda-powertools/logger'
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import type { LogLevel } from '@aws-lambda-powertools/logger/types'
import { Metrics } from '@aws-lambda-powertools/metrics'
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware'
// Only the type: the package loads the X-Ray SDK, so it is imported when tracing is on (below).
import type { Tracer } from '@aws-lambda-powertools/tracer'
import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import { type AnsweredFailure, answeredFailures } from '../internal/failures.ts'
import { choiceOption } from '../internal/options.ts'
import {
  type CorrelationIds,
  correlationIds,
  eventKind,
  httpLine,
  routeKey,
  statusOf,
} from './describe.ts'
import { buffersAt, debugDropped, metricsLogger } from './metrics-logger.ts'
import { andThen, type Failure, type Phase, runAll, settle, whenSettled } from './phases.ts'
import { type Redactor, redactor } from './redact.ts'

export type { CorrelationIds } from './describe.ts'
export {
  DEFAULT_REDACTED_FIELDS,
  REDACTED,
  REDACTED_BASE64_BODY,
  type Redactor,
  redactor,
} from './redact.ts'

/** Custom observers, by name: anything you want every handler to reach. */
export type CustomObservers = Record<string, unknown>

/**
 * What {@link observer} puts on `context.observer`: the Powertools instances, your custom
 * observers, and the redactor it logs with.
 */
export interface Observer<C extends CustomObservers = CustomObservers> {
  readonly logger: Logger
  /**
   * Your Tracer, or the one the observer created; `undefined` when tracing is off, so that a
   * function that does not trace never loads Powertools Tracer and the X-Ray SDK (see
   * {@link ObserverOptions.tracing}). A created tracer is set on the first invocation, before
   * the handler runs: at module scope, pass your own `tracer` to have it there.
   */
  readonly tracer: Tracer | undefined
  readonly metrics: Metrics
  /** Your custom observers, by the names you gave them. */
  readonly custom: C
  /** A redacted copy of any value, with the same fields the observer redacts in its own lines. */
  readonly redact: Redactor
}

/** What {@link observer} adds to the Lambda context. */
export interface ObserverContext<C extends CustomObservers = CustomObservers> {
  observer: Observer<C>
}

/** The fields of the "request start" line. */
export type RequestStartEntry = {
  /** The event kind (`'http'`, `'sqs'`, ...): `context.request.kind`, else detected. */
  event_kind: string
  method?: string
  path?: string
  correlation_ids: CorrelationIds
  /** The redacted event, when `logEvent` is on. */
  event?: unknown
}

/** How an invocation ended. */
export type Outcome = 'success' | 'error' | 'early-return'

/** The fields of the "request end" line. */
export type RequestEndEntry = {
  event_kind: string
  method?: string
  path?: string
  correlation_ids: CorrelationIds
  outcome: Outcome
  /** The resolved route's key, when a router resolved one. */
  route?: string
  /** The response's `statusCode`, or the error's status when no middleware answered it. */
  status?: number
  duration_ms: number
  /**
   * The redacted error, when the invocation failed or a part answered an error (a route's throw,
   * a 404): with its stack for a 5xx, without stack and cause below 500.
   */
  error?: unknown
  /** The identifiers of the records a router answered as failed (the partial batch response). */
  failed_items?: unknown[]
}

/**
 * A custom observer may listen to the request lines (a metrics sink, an audit trail). It gets the
 * same, already redacted, entries the log lines carry; what it throws is logged as a warning.
 */
export interface RequestListener {
  onRequestStart?: (entry: RequestStartEntry) => void
  onRequestEnd?: (entry: RequestEndEntry) => void
}

/** Options of {@link observer}. */
export interface ObserverOptions<C extends CustomObservers = CustomObservers> {
  /** The service name of the created logger, tracer and metrics (else `POWERTOOLS_SERVICE_NAME`). */
  serviceName?: string
  /** The CloudWatch namespace of the created metrics (else `POWERTOOLS_METRICS_NAMESPACE`). */
  metricsNamespace?: string
  /** Your Logger; else one is created. */
  logger?: Logger
  /**
   * Your Tracer, always used (its own `enabled` decides whether it traces); else one is created on
   * the first invocation when {@link ObserverOptions.tracing} is on.
   */
  tracer?: Tracer
  /**
   * Your Metrics, used as you built it (its warnings go to the logger you gave it). Else one is
   * created whose messages go to the observer's logger: Powertools' empty-metrics notice ("No
   * application metrics to publish...", written on every invocation that added no metric) at
   * DEBUG, every other warning, error, info or debug message at its own level.
   * `throwOnEmptyMetrics: true` still throws.
   */
  metrics?: Metrics
  /** Custom observers, reachable as `context.observer.custom.<name>`. */
  custom?: C
  /** Log level of the created logger (else `POWERTOOLS_LOG_LEVEL`, else INFO). */
  logLevel?: LogLevel
  /**
   * Whether to trace when no `tracer` is given. Default: on (as in Powertools), unless
   * `POWERTOOLS_TRACE_ENABLED` is `false`; `false` in either turns it off. Decided when
   * `observer()` is called. Off, Powertools Tracer is never loaded, `captureLambdaHandler` does not
   * run and `context.observer.tracer` is `undefined`. On, the tracer package is loaded on the first
   * invocation and a Tracer created (Powertools still disables it outside Lambda).
   */
  tracing?: boolean
  /** More field names to redact (case-insensitive, at any depth) besides the defaults. */
  redact?: readonly string[]
  /**
   * Write the "request start" and "request end" lines. Default true. Listeners (custom observers
   * with `onRequestStart` / `onRequestEnd`) get the entries either way.
   */
  logRequests?: boolean
  /**
   * The level of the "request start" line. Default `'DEBUG'`: the end line carries every field
   * of the start line, so the start line matters only when an invocation dies before its end.
   * Decided per invocation by asking the logger, after Powertools' debug sampling
   * (`POWERTOOLS_LOGGER_SAMPLE_RATE`) made its choice, so a sampled invocation writes it; a
   * logger that buffers DEBUG lines (`logBufferOptions`) keeps it in the buffer. The "request
   * end" line is at {@link ObserverOptions.requestEndLevel} on success and early return, WARN for
   * a failure answered below 500, ERROR otherwise (a metrics flush that fails is a failure).
   */
  requestStartLevel?: 'DEBUG' | 'INFO'
  /**
   * The level of the "request end" line of an invocation that succeeded or returned early.
   * Default `'DEBUG'`: only failures are logged above DEBUG (WARN when answered below 500, else
   * ERROR), and Powertools' debug sampling writes the line for a sample of invocations. `'INFO'`
   * writes one line for every invocation, an access log (a Powertools line costs about 6 us).
   */
  requestEndLevel?: 'DEBUG' | 'INFO'
  /**
   * Put the redacted event on the start line. Default: the logger's `POWERTOOLS_LOGGER_LOG_EVENT`.
   * The event is redacted only for an invocation whose start line is written or listened to.
   */
  logEvent?: boolean
  /** Emit the `ColdStart` metric on the first invocation. Default true. */
  captureColdStartMetric?: boolean
  /** Throw when an invocation flushes no metrics. Default false. */
  throwOnEmptyMetrics?: boolean
  /** Dimensions added to every metric. */
  defaultDimensions?: Record<string, string>
  /** Remove keys appended to the logger during an invocation at its end. Default true. */
  resetKeys?: boolean
  /**
   * Add the handler's response to the trace segment as metadata. Default false: responses carry
   * `Set-Cookie` headers and bodies that should not leave the function.
   */
  captureResponse?: boolean
  /** The clock for `duration_ms`, in milliseconds. Default `performance.now`. */
  clock?: () => number
}

/** The middleware {@link observer} returns, with the observer itself for use at module scope. */
export type ObserverMiddleware<C extends CustomObservers = CustomObservers> = MiddlewareObj<
  unknown,
  unknown,
  Error,
  Context & ObserverContext<C>
> & { readonly observer: Observer<C> }

/**
 * Where the per-invocation state lives: on Middy's request object itself, not in
 * `request.internal`, which Powertools' befores copy (a spread) to register their cleanups.
 */
const STATE = Symbol('metis-app/observer')

/** The keys Powertools' `cleanupMiddlewares` reads, in the order it runs them. */
const CLEANUP_KEYS = [TRACER_KEY, METRICS_KEY, LOGGER_KEY] as const

type Internal = Record<string, unknown>
type AnyRequest = {
  event: unknown
  context: Context
  response: unknown
  error: unknown
  internal: Internal
  [STATE]?: InvocationState
}
/**
 * The phases that end an invocation: Powertools' metrics flush and trace segment first, so that
 * a flush that fails is the invocation's outcome; the logger's own phase after the end line, so
 * that the line carries the invocation's keys and a buffering logger still holds it.
 */
interface Ending {
  readonly flush: Phase[]
  readonly logger: Phase[]
}

/** The fields both request lines carry, read when the invocation starts. */
type RequestLine = Omit<RequestStartEntry, 'event'>

interface InvocationState {
  readonly startedAt: number
  /** The fields of the request lines, read when the first line is written or notified. */
  line: RequestLine | undefined
  /** The logger's level for this invocation, read once its befores ran. */
  level: number | undefined
  /** The cleanups Powertools' middlewares registered for this invocation. */
  readonly cleanups: Ending
  done: boolean
}

/**
 * Middy middleware that wires Powertools Logger, Tracer and Metrics through their own
 * middlewares, writes redacted "request start" / "request end" lines and puts the observer on
 * `context.observer`. Stack it first, so that it sees the final response and every error.
 *
 * @example
 * ```ts
 * const observed = observer({
 *   serviceName: 'orders',
 *   metricsNamespace: 'shop',
 *   custom: { audit: new AuditTrail() },
 * })
 * export const handler = middy().use(observed).use(httpErrorHandler()).handler(lambdaHandler)
 * // in the handler: context.observer.custom.audit, typed as AuditTrail
 * ```
 */
export const observer = <C extends CustomObservers = Record<never, never>>(
  options: ObserverOptions<C> = {},
): ObserverMiddleware<C> => {
  const logger = options.logger ?? createLogger(options)
  const metrics = options.metrics ?? createMetrics(options, logger)
  const redact = redactor(options.redact)
  const instance: Writable<Observer<C>> = {
    logger,
    tracer: options.tracer,
    metrics,
    custom: options.custom ?? ({} as C),
    redact,
  }
  const clock = options.clock ?? (() => performance.now())
  const logRequests = options.logRequests ?? true
  const logEvent = logger.shouldLogEvent(options.logEvent)
  const listeners = Object.entries(instance.custom).filter(
    (entry): entry is [string, RequestListener] => isListener(entry[1]),
  )
  const listened = listeners.length > 0
  // The request lines cost more than the rest of the observer: described only when wanted.
  const describeRequests = logRequests || listened
  const startLevel = choiceOption(
    'observer',
    'requestStartLevel',
    options.requestStartLevel,
    LEVELS,
    'DEBUG',
  )
  const startThreshold = LogLevelThreshold[startLevel]
  // A buffered line is kept even below the logger's level (and written on an error).
  const startBuffered = logRequests && buffersAt(logger, startThreshold)
  const endLevel = choiceOption(
    'observer',
    'requestEndLevel',
    options.requestEndLevel,
    LEVELS,
    'DEBUG',
  )
  const endThreshold = LogLevelThreshold[endLevel]
  const endBuffered = logRequests && buffersAt(logger, endThreshold)

  // Powertools' own middlewares, in the order its documentation stacks them; the tracer's is
  // added once loaded.
  const measured = logMetrics(metrics, {
    captureColdStartMetric: options.captureColdStartMetric ?? true,
    throwOnEmptyMetrics: options.throwOnEmptyMetrics ?? false,
    ...(options.defaultDimensions === undefined
      ? {}
      : { defaultDimensions: options.defaultDimensions }),
  })
  // Never `logEvent` here: Powertools would log the raw event; the start line logs it redacted.
  const logged = injectLambdaContext(logger, {
    logEvent: false,
    resetKeys: options.resetKeys ?? true,
  })
  let befores = [measured.before, logged.before] as Phase[]
  let afters: Ending = { flush: [measured.after as Phase], logger: [logged.after as Phase] }
  let onErrors: Ending = { flush: [measured.onError as Phase], logger: [logged.onError as Phase] }

  // Whether the tracer (and its middleware) must still be loaded, and the load, memoized.
  let tracerPending = options.tracer !== undefined || tracingOn(options.tracing)
  let tracerLoad: Promise<void> | undefined
  const loadTracer = (): Promise<void> =>
    (tracerLoad ??= importTracing(options).then(
      ({ tracer, traced }) => {
        instance.tracer = tracer
        befores = [traced.before, ...befores] as Phase[]
        afters = { ...afters, flush: [...afters.flush, traced.after as Phase] }
        onErrors = { ...onErrors, flush: [...onErrors.flush, traced.onError as Phase] }
        tracerPending = false
      },
      // A bundle that cannot load the tracer still answers: once, say so and how to mend it.
      (thrown: unknown) => {
        tracerPending = false
        logger.warn(TRACER_UNAVAILABLE, { error: briefError(redact(thrown)) })
      },
    ))

  const notify = (hook: 'onRequestStart' | 'onRequestEnd', entry: object): void => {
    for (const [name, listener] of listeners) {
      try {
        ;(listener[hook] as ((entry: object) => void) | undefined)?.(entry)
      } catch (thrown) {
        logger.warn('custom observer failed', { custom_observer: name, error: redact(thrown) })
      }
    }
  }

  const describeLine = (request: AnyRequest): RequestLine => ({
    event_kind: eventKind(request.event, request.context),
    ...httpLine(request.event, request.context),
    correlation_ids: correlationIds(request.event),
  })

  /**
   * Whether this invocation writes its start line. Asked of the logger after Powertools' befores
   * ran, so that its debug sampling has set this invocation's level.
   */
  const writesStart = (level: number): boolean =>
    logRequests && (startBuffered || level <= startThreshold)
  /** Whether this invocation writes its end line: always for a failure, else by the level. */
  const writesEnd = (outcome: Outcome, level: number): boolean =>
    logRequests && (outcome === 'error' || endBuffered || level <= endThreshold)

  /** The fields of both lines, read once and only for an invocation that writes or notifies. */
  const lineOf = (request: AnyRequest, state: InvocationState): RequestLine =>
    (state.line ??= describeLine(request))

  const writeStart = (start: RequestStartEntry): void => {
    if (startLevel === 'INFO') logger.info('request start', start)
    else logger.debug('request start', start)
  }

  const describeEnd = (
    request: AnyRequest,
    state: InvocationState,
    outcome: Outcome,
    error: unknown,
    response: unknown,
  ): RequestEndEntry => {
    const end: RequestEndEntry = {
      ...lineOf(request, state),
      outcome,
      duration_ms: round(clock() - state.startedAt),
    }
    const route = routeKey(request.context)
    if (route !== undefined) end.route = route
    const status = statusOf(response, error)
    if (status !== undefined) end.status = status
    if (error !== undefined) {
      const redacted = redact(error)
      end.error = status !== undefined && status < 500 ? briefError(redacted) : redacted
    }
    return end
  }

  /**
   * The end line and the listeners' entry, when either is wanted. An invocation that returned a
   * response of 400 or more, or whose router or responder answered an error, ended in an error.
   */
  const endLine = (
    request: AnyRequest,
    state: InvocationState,
    outcome: Outcome,
    error: unknown,
    response: unknown,
  ): void => {
    let answered: readonly AnsweredFailure[] | undefined
    let ended = outcome
    if (outcome !== 'error') {
      answered = answeredFailures(request.context)
      if (answered !== undefined || answeredStatus(response) >= 400) ended = 'error'
    }
    // The level started() read; a Powertools before that threw left it unread.
    const written = writesEnd(ended, state.level ?? logger.level)
    if (!written && !listened) return
    const end = describeEnd(request, state, ended, error ?? answered?.[0]?.error, response)
    const items = answered?.flatMap((failure) => failure.items ?? [])
    if (items !== undefined && items.length > 0) end.failed_items = items
    if (written) writeEnd(logger, end, endLevel)
    notify('onRequestEnd', end)
  }

  /**
   * Ends the invocation once, with the phases of its ending (else the cleanups Powertools
   * registered): the flushes, the end line (a failed flush makes it a failure's), the logger's
   * phase; then the first failure is thrown. A log write that throws skips no phase either.
   */
  const finish = (request: AnyRequest, outcome: Outcome, ending?: Ending) => {
    const state = request[STATE]
    if (state === undefined || state.done) return undefined
    state.done = true
    const phases = ending ?? state.cleanups
    const end = (failure: Failure | undefined) => {
      if (!describeRequests) return runAll(phases.logger, request, 0, failure)
      try {
        if (outcome === 'error') endLine(request, state, outcome, request.error, request.response)
        // A flush that failed after a success: the response will not be sent as it is.
        else if (failure !== undefined) endLine(request, state, 'error', failure.thrown, undefined)
        else endLine(request, state, outcome, undefined, request.response)
      } catch (thrown) {
        failure ??= { thrown }
      }
      return runAll(phases.logger, request, 0, failure)
    }
    return whenSettled(settle(phases.flush, request), end)
  }

  // One cleanup for every invocation: it finds the invocation's state on the request.
  const earlyReturn = (request: AnyRequest) => finish(request, 'early-return')

  /** Takes over the cleanups Powertools' befores registered, so an early return ends the request. */
  const registerCleanup = (internal: Internal, state: InvocationState): void => {
    for (const key of CLEANUP_KEYS) {
      const cleanup = internal[key]
      if (typeof cleanup === 'function') {
        const phases = key === LOGGER_KEY ? state.cleanups.logger : state.cleanups.flush
        phases.push(cleanup as Phase)
      }
      internal[key] = earlyReturn
    }
  }

  const started = (request: AnyRequest, state: InvocationState): void => {
    registerCleanup(request.internal, state)
    if (!describeRequests) return
    // Read once, after Powertools' befores ran (its debug sampling sets this invocation's level).
    state.level = logger.level
    const written = writesStart(state.level)
    if (!written && !listened) return
    const line = lineOf(request, state)
    const start: RequestStartEntry = logEvent ? { ...line, event: redact(request.event) } : line
    if (written) writeStart(start)
    notify('onRequestStart', start)
  }

  const observerBefore = (request: AnyRequest) => {
    ;(request.context as Context & Partial<ObserverContext<C>>).observer = instance
    // Set before Powertools' befores run, so that their onError phases run even if one throws.
    const state: InvocationState = {
      startedAt: describeRequests ? clock() : 0,
      line: undefined,
      level: undefined,
      cleanups: { flush: [], logger: [] },
      done: false,
    }
    request[STATE] = state
    // Only the first invocation with tracing on waits for the import; later ones stay synchronous.
    if (tracerPending) return loadTracer().then(() => runBefores(request, state))
    return runBefores(request, state)
  }

  const runBefores = (request: AnyRequest, state: InvocationState) =>
    andThen(runAll(befores, request), () => started(request, state))

  const observerAfter = (request: AnyRequest) => finish(request, 'success', afters)
  const observerOnError = (request: AnyRequest) => finish(request, 'error', onErrors)

  return {
    name: 'metis-app/observer',
    before: observerBefore,
    after: observerAfter,
    onError: observerOnError,
    observer: instance,
  } as ObserverMiddleware<C>
}

const createLogger = (options: ObserverOptions<CustomObservers>): Logger =>
  new Logger({
    ...(options.serviceName === undefined ? {} : { serviceName: options.serviceName }),
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
  })

const createMetrics = (options: ObserverOptions<CustomObservers>, logger: Logger): Metrics =>
  new Metrics({
    ...(options.metricsNamespace === undefined ? {} : { namespace: options.metricsNamespace }),
    ...(options.serviceName === undefined ? {} : { serviceName: options.serviceName }),
    logger: metricsLogger(logger, debugDropped(logger)),
  })

type Writable<T> = { -readonly [K in keyof T]: T[K] }

/**
 * Tracing is on unless the option or Powertools' `POWERTOOLS_TRACE_ENABLED` says `false` (read as
 * Powertools reads it), so the default stays Powertools' own.
 */
const tracingOn = (tracing: boolean | undefined): boolean =>
  tracing !== false && process.env.POWERTOOLS_TRACE_ENABLED?.trim().toLowerCase() !== 'false'

/**
 * Loads Powertools Tracer and its middleware (the X-Ray SDK with them) and wires the given or a
 * created tracer. Dynamic, so that a function that does not trace never pays for the import.
 */
const importTracing = async (options: ObserverOptions<CustomObservers>) => {
  const [{ Tracer }, { captureLambdaHandler }] = await Promise.all([
    import('@aws-lambda-powertools/tracer'),
    import('@aws-lambda-powertools/tracer/middleware'),
  ])
  const tracer =
    options.tracer ??
    new Tracer(options.serviceName === undefined ? {} : { serviceName: options.serviceName })
  const traced = captureLambdaHandler(tracer, { captureResponse: options.captureResponse ?? false })
  return { tracer, traced }
}

/**
 * The end line's level: a success or an early return at `success`, a failure answered below 500 a
 * warning, any other failure an error.
 */
const writeEnd = (logger: Logger, end: RequestEndEntry, success: 'DEBUG' | 'INFO'): void => {
  if (end.outcome !== 'error') {
    if (success === 'INFO') logger.info('request end', end)
    else logger.debug('request end', end)
  } else if (Number(end.status) < 500) logger.warn('request end', end)
  else logger.error('request end', end)
}

/** The levels a request line may take. */
const LEVELS = ['DEBUG', 'INFO'] as const

/**
 * What the observer says, once, at WARN, when tracing is on but Powertools Tracer cannot be
 * loaded; the function then runs untraced.
 *
 * @example
 * ```ts
 * // a log query for functions bundled without the createRequire banner
 * const query = `filter message = '${TRACER_UNAVAILABLE}'`
 * ```
 */
export const TRACER_UNAVAILABLE =
  "Tracing is off: @aws-lambda-powertools/tracer could not be loaded. In an ES module bundle give CommonJS code a require with esbuild's --banner:js=\"import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);\" (README: Deploy to Lambda), or set POWERTOOLS_TRACE_ENABLED=false"

/** A response's own `statusCode`, else 0. */
const answeredStatus = (response: unknown): number => {
  const status = (response as { statusCode?: unknown } | null | undefined)?.statusCode
  return typeof status === 'number' ? status : 0
}

/** A redacted error without its stack and cause: what a 4xx or a notice needs. */
const briefError = (redacted: unknown): unknown => {
  if (typeof redacted !== 'object' || redacted === null) return redacted
  const { stack: _stack, cause: _cause, ...brief } = redacted as Record<string, unknown>
  return brief
}

const isListener = (value: unknown): value is RequestListener =>
  typeof value === 'object' &&
  value !== null &&
  (typeof (value as RequestListener).onRequestStart === 'function' ||
    typeof (value as RequestListener).onRequestEnd === 'function')

const round = (ms: number): number => Math.round(ms * 100) / 100
