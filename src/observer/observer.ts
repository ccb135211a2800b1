/** {@link observer}: Powertools' middlewares composed with the observer's own, for one `.use()`. */

import { METRICS_KEY } from '@aws-lambda-powertools/commons'
import { Logger, LogLevelThreshold } from '@aws-lambda-powertools/logger'
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { Metrics } from '@aws-lambda-powertools/metrics'
import type { Request } from '@middy/core'
import type { Context } from 'aws-lambda'
import { answeredFailures, clearFailures } from '../internal/failures.ts'
import { choiceOption } from '../internal/options.ts'
import { requestOf } from '../request/accessor.ts'
import { buildRequest } from '../request/build.ts'
import type { AppRequest } from '../request/types.ts'
import type { Result } from '../result/index.ts'
import type * as api from './index.ts'
import { buffersAt, debugDropped, metricsLogger } from './metrics-logger.ts'
import { redactor } from './redact.ts'

type Invocation = Request<unknown, unknown, unknown, Context & Ctx, Record<string, unknown>>
type Ctx = { observer?: unknown; route?: { key?: unknown } }
type Part = { [P in 'before' | 'after' | 'onError']?: (request: Invocation) => unknown }
type Line = Omit<api.RequestStartEntry, 'event'>
/** A failure kept while the invocation's other steps still run (what was thrown may be falsy). */
type Failure = { thrown: unknown } | undefined
/** This invocation's own state, in `request.internal` as Powertools keeps its own. */
type State = { startedAt: number; line?: Line; level?: number; done?: boolean }
const STATE = 'metis-app.observer'
const LEVELS = ['DEBUG', 'INFO'] as const

/** The defaults of {@link ObserverOptions}, in one place. */
const defaults = {
  logRequests: true,
  requestLevel: 'DEBUG',
  captureColdStartMetric: true,
  resetKeys: true,
  captureResponse: false,
} as const

/**
 * Powertools' `injectLambdaContext` and (with tracing on) `captureLambdaHandler`, composed with
 * the observer's own middlewares: `context.observer`, the `ColdStart` metric and the metrics
 * flush, the redacted request lines. Stack it first.
 *
 * @example
 * ```ts
 * export const handler = middy()
 *   .use(observer({ serviceName: 'orders', custom: { audit: new AuditTrail() } }))
 *   .handler(async (_event, context) => context.observer.custom.audit.record('read'))
 * ```
 */
export const observer = <C extends api.CustomObservers = Record<never, never>>(
  options: api.ObserverOptions<C> = {},
): api.ObserverMiddleware<C> => {
  const { serviceName, logLevel, metricsNamespace: namespace } = options
  const logger = options.logger ?? new Logger({ serviceName, logLevel })
  const metricsLog = metricsLogger(logger, debugDropped(logger))
  const metrics = options.metrics ?? new Metrics({ namespace, serviceName, logger: metricsLog })
  if (options.throwOnEmptyMetrics === true) metrics.setThrowOnEmptyMetrics(true)
  if (options.defaultDimensions) metrics.setDefaultDimensions(options.defaultDimensions)
  const custom = options.custom ?? ({} as C)
  const instance = {
    logger,
    tracer: options.tracer,
    metrics,
    custom,
    redact: redactor(options.redact),
  }
  const { redact } = instance
  const clock = options.clock ?? (() => performance.now())
  const logRequests = options.logRequests ?? defaults.logRequests
  const logEvent = logger.shouldLogEvent(options.logEvent)
  const listeners = Object.entries(custom).filter((entry): entry is [string, api.RequestListener] =>
    ['onRequestStart', 'onRequestEnd'].some((hook) => typeof pick(entry[1], hook) === 'function'),
  )
  const [start, end] = (['requestStartLevel', 'requestEndLevel'] as const).map((name) => {
    const level = choiceOption('observer', name, options[name], LEVELS, defaults.requestLevel)
    // A buffered line is kept below the logger's level, and written when an error is logged.
    const buffered = logRequests && buffersAt(logger, LogLevelThreshold[level])
    const write = (message: string, entry: Entry) =>
      level === 'INFO' ? logger.info(message, entry) : logger.debug(message, entry)
    return {
      write,
      wanted: (at: number) => logRequests && (buffered || at <= LogLevelThreshold[level]),
    }
  }) as [Level, Level]

  const notify = (hook: keyof api.RequestListener, entry: object): void => {
    for (const [name, listener] of listeners) {
      try {
        ;(listener[hook] as ((entry: object) => void) | undefined)?.(entry)
      } catch (thrown) {
        logger.warn('custom observer failed', { custom_observer: name, error: redact(thrown) })
      }
    }
  }

  /** Both lines' fields, read once per invocation from the typed request (`context.request`). */
  const lineOf = (request: Invocation, state: State, built?: Result<AppRequest, unknown>): Line =>
    (state.line ??= describe(built ?? requestOf(request.event, request.context)))

  const writeStart = (request: Invocation): void => {
    const state = request.internal[STATE] as State
    // Read after injectLambdaContext's before, whose debug sampling set this invocation's level.
    state.level = logger.level
    const written = start.wanted(state.level)
    if (!written && listeners.length === 0) return
    // Built but not kept: the router and the request builder build `context.request` their way.
    const built = buildRequest(request.event, { requestId: request.context.awsRequestId })
    const line = lineOf(request, state, built)
    const entry = logEvent ? { ...line, event: redact(request.event) } : line
    if (written) start.write('request start', entry)
    notify('onRequestStart', entry)
  }

  /** The end line: an error for a throw, a response of 400 or more, or a failure a part answered. */
  const writeEnd = (
    request: Invocation,
    state: State,
    outcome: api.Outcome,
    error?: unknown,
    response: unknown = request.response,
  ) => {
    const answered = outcome === 'error' ? undefined : answeredFailures(request.context)
    const failure = error ?? answered?.[0]?.error
    const status = statusOf(response, failure)
    const ended = answered !== undefined || (status ?? 0) >= 400 ? 'error' : outcome
    const written = ended === 'error' ? logRequests : end.wanted(state.level ?? logger.level)
    if (!written && listeners.length === 0) return
    const duration_ms = Math.round((clock() - state.startedAt) * 100) / 100
    const entry: api.RequestEndEntry = { ...lineOf(request, state), outcome: ended, duration_ms }
    const route = request.context.route?.key
    if (typeof route === 'string') entry.route = route
    if (status !== undefined) entry.status = status
    if (failure !== undefined)
      entry.error = (status ?? 500) < 500 ? brief(redact(failure)) : redact(failure)
    const items = answered?.flatMap((answer) => answer.items ?? []) ?? []
    if (items.length > 0) entry.failed_items = items
    if (written && ended !== 'error') end.write('request end', entry)
    else if (written && Number(status) < 500) logger.warn('request end', entry)
    else if (written) logger.error('request end', entry)
    notify('onRequestEnd', entry)
  }

  /**
   * Ends the invocation once: the metrics flushed first (a failed flush is its outcome), then the
   * end line. Answers the first failure, so that the logger's and the tracer's phases still run.
   */
  const finish = (request: Invocation, outcome: api.Outcome): Failure => {
    const state = request.internal[STATE] as State | undefined
    if (state === undefined || state.done === true) return undefined
    state.done = true
    let failure: Failure
    try {
      metrics.publishStoredMetrics()
    } catch (thrown) {
      failure = { thrown }
    }
    try {
      if (outcome === 'error') writeEnd(request, state, outcome, request.error)
      else if (failure === undefined) writeEnd(request, state, outcome)
      else writeEnd(request, state, 'error', failure.thrown, null)
    } catch (thrown) {
      failure ??= { thrown }
    }
    return failure
  }
  const finishing = (outcome: api.Outcome) => (request: Invocation) => {
    const failure = finish(request, outcome)
    if (failure !== undefined) throw failure.thrown
  }
  // Powertools' `cleanupMiddlewares` (an early return) runs it: the observer flushes the metrics.
  const earlyReturn = finishing('early-return')

  const opened: Part = {
    before: (request) => {
      request.context.observer = instance
      clearFailures(request.context)
      request.internal[STATE] = { startedAt: clock() } satisfies State
      request.internal[METRICS_KEY] = earlyReturn
      if (options.captureColdStartMetric ?? defaults.captureColdStartMetric) {
        metrics.captureColdStartMetric(request.context.functionName)
      }
    },
  }
  // Never Powertools' `logEvent`: it would log the raw event; the start line logs it redacted.
  const resetKeys = options.resetKeys ?? defaults.resetKeys
  const logged = injectLambdaContext(logger, { logEvent: false, resetKeys }) as Part
  const lines: Part = {
    before: writeStart,
    after: finishing('success'),
    // Not thrown: Middy would skip the logger's and the tracer's onError; it throws `error` after.
    onError: (request) => {
      const failure = finish(request, 'error')
      if (failure === undefined) return
      request.response = undefined
      request.error = failure.thrown
    },
  }
  const tracing = options.tracer !== undefined || tracingOn(options.tracing)
  const parts = tracing
    ? [lazyTracer(options, instance), opened, logged, lines]
    : [opened, logged, lines]
  return Object.assign(parts, { observer: instance }) as unknown as api.ObserverMiddleware<C>
}

type Entry = api.RequestStartEntry | api.RequestEndEntry
type Level = { write: (message: string, entry: Entry) => void; wanted: (at: number) => boolean }

/**
 * Powertools' `captureLambdaHandler`, loaded with the Tracer on the first invocation (the X-Ray
 * SDK costs about 40 ms of cold start); a load that fails says so once and leaves tracing off.
 */
const lazyTracer = (options: api.ObserverOptions, instance: Writable<api.Observer>): Part => {
  let traced: Part | undefined
  let loading: Promise<void> | undefined
  const load = async () => {
    try {
      const [{ Tracer }, { captureLambdaHandler }] = await Promise.all([
        import('@aws-lambda-powertools/tracer'),
        import('@aws-lambda-powertools/tracer/middleware'),
      ])
      const tracer = options.tracer ?? new Tracer({ serviceName: options.serviceName })
      const captureResponse = options.captureResponse ?? defaults.captureResponse
      traced = captureLambdaHandler(tracer, { captureResponse }) as Part
      instance.tracer = tracer
    } catch (thrown) {
      traced = {}
      instance.logger.warn(TRACER_UNAVAILABLE, { error: brief(instance.redact(thrown)) })
    }
  }
  const loaded = (request: Invocation) => traced?.before?.(request)
  return {
    before: (request) => {
      if (traced !== undefined) return traced.before?.(request)
      loading ??= load()
      return loading.then(() => loaded(request))
    },
    after: (request) => traced?.after?.(request),
    onError: (request) => traced?.onError?.(request),
  }
}
type Writable<T> = { -readonly [K in keyof T]: T[K] }

/** Tracing is on unless the option or `POWERTOOLS_TRACE_ENABLED` says `false`, as Powertools reads it. */
const tracingOn = (tracing: boolean | undefined): boolean =>
  tracing !== false && process.env.POWERTOOLS_TRACE_ENABLED?.trim().toLowerCase() !== 'false'

/** The request line's fields; an HTTP event that cannot be read is still an HTTP request. */
const describe = (built: Result<AppRequest, unknown>): Line => {
  if (!built.ok) return { event_kind: 'http', correlation_ids: {} }
  const request = built.value
  const line: Line = { event_kind: request.kind, correlation_ids: {} }
  if (request.kind === 'http') Object.assign(line, { method: request.method, path: request.path })
  const gateway = pick(request, 'gatewayRequestId')
  if (typeof gateway === 'string') line.correlation_ids.gateway_request_id = gateway
  const trace = pick(pick(request, 'headers'), 'x-amzn-trace-id')
  if (typeof trace === 'string') line.correlation_ids.trace_id = trace
  return line
}

/** The response's `statusCode`; else for an error its own `statusCode`, or 500. */
const statusOf = (response: unknown, error: unknown): number | undefined => {
  const answered = pick(response, 'statusCode')
  if (typeof answered === 'number') return answered
  if (error === undefined || error === null) return undefined
  const status = pick(error, 'statusCode')
  return typeof status === 'number' ? status : 500
}

const pick = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined

/** A redacted error without its stack and cause: what a 4xx or a notice needs. */
const brief = (redacted: unknown): unknown => {
  if (typeof redacted !== 'object' || redacted === null) return redacted
  const { stack: _stack, cause: _cause, ...rest } = redacted as Record<string, unknown>
  return rest
}

/**
 * What the observer says, once, at WARN, when tracing is on but Powertools Tracer cannot be
 * loaded; the function then runs untraced. Internal (exported for the bundle test).
 */
export const TRACER_UNAVAILABLE =
  "Tracing is off: @aws-lambda-powertools/tracer could not be loaded. In an ES module bundle give CommonJS code a require with esbuild's --banner:js=\"import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);\" (README: Deploy to Lambda), or set POWERTOOLS_TRACE_ENABLED=false"
