/**
 * Per-invocation cost of `observer()` against the three Powertools middlewares stacked by hand
 * (same logger and metrics settings, tracing off as outside Lambda), and of `handlerGuard()`
 * against bare Middy. Log lines and EMF blobs go to a no-op sink so console I/O does not
 * dominate: Powertools writes through `process.stdout.write` (and Metrics' default logger,
 * `console.warn`, through `process.stderr.write`), which drop those lines here.
 *
 * The peers write by hand the lines `observer()` writes: by default none for a success (its
 * request lines are DEBUG), with `requestEndLevel: 'INFO'` the end line, with both levels at INFO
 * both lines. A health check (no metric, no line of its own) shows Powertools Metrics'
 * empty-metrics notice: a `console.warn` with its default logger, a DEBUG line (dropped at INFO)
 * with the Metrics `observer()` creates.
 *
 * Run: `node bench/observer.bench.ts`
 */
import { readFileSync } from 'node:fs'
import { Logger } from '@aws-lambda-powertools/logger'
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics'
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware'
import { Tracer } from '@aws-lambda-powertools/tracer'
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware'
import middy, { type MiddlewareObj } from '@middy/core'
import {
  allOf,
  envEstablished,
  handlerGuard,
  requireHttp,
  withinTimeBudget,
} from '../src/guard/index.ts'
import { type ObserverOptions, observer } from '../src/observer/index.ts'
import { compare } from './support/compare.ts'

const event = JSON.parse(
  readFileSync(
    new URL('../tests/fixtures/events/apigw-rest/no-auth.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>
const context = {
  functionName: 'bench-fn',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:bench-fn',
  memoryLimitInMB: '128',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 30_000,
} as never

// The no-op sink: JSON lines (logs, EMF) and Metrics' notice are dropped, the tables still print.
const sink = (stream: NodeJS.WriteStream) => {
  const write = stream.write.bind(stream)
  stream.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
    typeof chunk === 'string' && (chunk.startsWith('{') || chunk.startsWith('No application'))
      ? true
      : write(chunk, ...rest)) as typeof stream.write
}
sink(process.stdout)
sink(process.stderr)

/** Fresh Powertools instances with the settings both sides share. */
const instances = () => ({
  logger: new Logger({ serviceName: 'bench', logLevel: 'INFO' }),
  metrics: new Metrics({ namespace: 'bench', serviceName: 'bench' }),
  tracer: new Tracer({ serviceName: 'bench', enabled: false }),
})

type Handler = (logger: Logger, metrics: Metrics) => () => Promise<unknown>

/** The handler: one metric, one log line, an HTTP answer. */
const work: Handler = (logger, metrics) => async () => {
  metrics.addMetric('served', MetricUnit.Count, 1)
  logger.info('served')
  return { statusCode: 200, body: 'ok' }
}

/** A health check: no metric, no line of its own. */
const health: Handler = () => async () => ({ statusCode: 200, body: 'ok' })

type RawEvent = {
  httpMethod: string
  path: string
  requestContext: { requestId: string }
  headers: Record<string, string>
}

/** The request lines written by hand with the fields observer() writes. */
const lines = (logger: Logger, withStart: boolean): MiddlewareObj => ({
  before: (request) => {
    const raw = request.event as RawEvent
    const start = {
      event_kind: 'http',
      method: raw.httpMethod,
      path: raw.path,
      correlation_ids: {
        gateway_request_id: raw.requestContext.requestId,
        trace_id: raw.headers['X-Amzn-Trace-Id'],
      },
    }
    Object.assign(request.internal, { start, startedAt: performance.now() })
    if (withStart) logger.info('request start', start)
  },
  after: (request) => {
    const { start, startedAt } = request.internal as { start: object; startedAt: number }
    logger.info('request end', {
      ...start,
      outcome: 'success',
      duration_ms: performance.now() - startedAt,
      status: (request.response as { statusCode: number }).statusCode,
    })
  },
})

/** The three Powertools middlewares in the order Powertools documents, and the lines if asked. */
const byHand = (handler: Handler, requestLines?: 'end' | 'start and end') => {
  const { logger, metrics, tracer } = instances()
  const stacked = middy()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
  if (requestLines !== undefined) stacked.use(lines(logger, requestLines === 'start and end'))
  return stacked.handler(handler(logger, metrics))
}

/** observer() with the shared instances (Metrics as the user built it). */
const observed = (handler: Handler, extra: ObserverOptions) => {
  const own = instances()
  return middy()
    .use(observer({ ...own, ...extra }))
    .handler(handler(own.logger, own.metrics))
}

/** observer() creating its own Logger and Metrics, as a user who passes names does. */
const observedByName = (handler: Handler) => {
  const middleware = observer({
    serviceName: 'bench',
    metricsNamespace: 'bench',
    logLevel: 'INFO',
    tracing: false,
  })
  return middy()
    .use(middleware)
    .handler(handler(middleware.observer.logger, middleware.observer.metrics))
}

const tasks = (entries: Record<string, (event: unknown, context: never) => unknown>) =>
  Object.entries(entries).map(([name, handler]) => ({ name, fn: () => handler(event, context) }))

const BY_HAND = 'powertools by hand'
const DEFAULT = 'observer() (request lines at DEBUG)'
const QUIET = 'observer({ logRequests: false })'
const BY_HAND_END = 'powertools by hand + end line'
const ACCESS_LOG = "observer({ requestEndLevel: 'INFO' })"
const BY_HAND_BOTH = 'powertools by hand + start/end lines'
const START_INFO = "observer({ requestStartLevel: 'INFO', requestEndLevel: 'INFO' })"
const HEALTH_BY_HAND = 'health check: powertools by hand'
const HEALTH = 'health check: observer({ serviceName, metricsNamespace })'

const groups = [
  {
    title: 'observer() vs Powertools middlewares stacked by hand',
    baseline: BY_HAND,
    tasks: tasks({
      [BY_HAND]: byHand(work),
      [DEFAULT]: observed(work, {}),
      [QUIET]: observed(work, { logRequests: false }),
      [BY_HAND_END]: byHand(work, 'end'),
      [ACCESS_LOG]: observed(work, { requestEndLevel: 'INFO' }),
      [BY_HAND_BOTH]: byHand(work, 'start and end'),
      [START_INFO]: observed(work, { requestStartLevel: 'INFO', requestEndLevel: 'INFO' }),
    }),
  },
  {
    title: 'a health check (no metric): observer() vs Powertools by hand',
    baseline: HEALTH_BY_HAND,
    tasks: tasks({ [HEALTH_BY_HAND]: byHand(health), [HEALTH]: observedByName(health) }),
  },
]

// Garbage from one task lands on the next, and this machine is shared: several rounds, the
// order reversed every other round, and the median ratio of each task.
const rounds = 3
const ratios = new Map<string, number[]>()
for (const group of groups) {
  for (let round = 1; round <= rounds; round++) {
    const ordered = round % 2 === 0 ? [...group.tasks].reverse() : group.tasks
    const rows = await compare(
      `${group.title}, round ${round}/${rounds}`,
      group.baseline,
      ordered,
      {
        time: 1_000,
        warmupTime: 200,
      },
    )
    for (const row of rows) ratios.set(row.name, [...(ratios.get(row.name) ?? []), row.ratio])
  }
}
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN
const medians = new Map([...ratios].map(([name, values]) => [name, median(values)]))
const relative = (name: string, peer: string) =>
  ((medians.get(name) ?? Number.NaN) / (medians.get(peer) ?? Number.NaN)).toFixed(2)
console.log(`\n## observer(): median ratio over ${rounds} rounds`)
console.table(
  [
    [DEFAULT, BY_HAND],
    [QUIET, BY_HAND],
    [ACCESS_LOG, BY_HAND_END],
    [START_INFO, BY_HAND_BOTH],
    [HEALTH, HEALTH_BY_HAND],
  ].map(([ours = '', peer = '']) => ({
    comparison: `${ours} / ${peer}`,
    ratio: `${relative(ours, peer)}x`,
  })),
)

process.env.BENCH_TABLE = 'orders'
const answer = async () => ({ statusCode: 200, body: 'ok' })
const bare = middy().handler(answer)
const guardEnv = middy()
  .use(handlerGuard(envEstablished(['BENCH_TABLE'])))
  .handler(answer)
const guardAll = middy()
  .use(handlerGuard(allOf(requireHttp(), envEstablished(['BENCH_TABLE']), withinTimeBudget(1_000))))
  .handler(answer)

await compare('handlerGuard() vs bare Middy', 'bare middy', [
  { name: 'bare middy', fn: () => bare(event, context) },
  { name: 'guard: envEstablished', fn: () => guardEnv(event, context) },
  { name: 'guard: allOf(http, env, time)', fn: () => guardAll(event, context) },
])
