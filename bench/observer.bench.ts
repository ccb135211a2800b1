/**
 * Per-invocation cost of `observer()` against the three Powertools middlewares stacked by hand
 * (same logger and metrics settings, tracing off as outside Lambda), and of `handlerGuard()`
 * against bare Middy. Log lines and EMF blobs go to a no-op sink so console I/O does not
 * dominate: Powertools writes through `process.stdout.write`, which drops JSON lines here.
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
import { observer } from '../src/observer/index.ts'
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

// The no-op sink: JSON lines (logs, EMF) are dropped, the result table still prints.
const write = process.stdout.write.bind(process.stdout)
process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
  typeof chunk === 'string' && chunk.startsWith('{')
    ? true
    : write(chunk, ...rest)) as typeof process.stdout.write

/** Fresh Powertools instances with the settings both sides share. */
const instances = () => ({
  logger: new Logger({ serviceName: 'bench', logLevel: 'INFO' }),
  metrics: new Metrics({ namespace: 'bench', serviceName: 'bench' }),
  tracer: new Tracer({ serviceName: 'bench', enabled: false }),
})

/** The handler: one metric, one log line, an HTTP answer. */
const work = (logger: Logger, metrics: Metrics) => async () => {
  metrics.addMetric('served', MetricUnit.Count, 1)
  logger.info('served')
  return { statusCode: 200, body: 'ok' }
}

/** The three Powertools middlewares in the order Powertools documents. */
const byHand = (extra?: MiddlewareObj) => {
  const { logger, metrics, tracer } = instances()
  const stacked = middy()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
  if (extra) stacked.use(extra)
  return { handler: stacked.handler(work(logger, metrics)), logger }
}

const plain = byHand()

/** The same, plus start and end lines written by hand with the fields observer() writes. */
const withLines = (() => {
  const lines: MiddlewareObj = {
    before: (request) => {
      const raw = request.event as {
        httpMethod: string
        path: string
        requestContext: { requestId: string }
        headers: Record<string, string>
      }
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
      built.logger.info('request start', start)
    },
    after: (request) => {
      const { start, startedAt } = request.internal as { start: object; startedAt: number }
      built.logger.info('request end', {
        ...start,
        outcome: 'success',
        duration_ms: performance.now() - startedAt,
        status: (request.response as { statusCode: number }).statusCode,
      })
    },
  }
  const built = byHand(lines)
  return built
})()

const observed = (logRequests: boolean) => {
  const own = instances()
  return middy()
    .use(observer({ ...own, logRequests }))
    .handler(work(own.logger, own.metrics))
}

const observerQuiet = observed(false)
const observerFull = observed(true)

const observerTasks = [
  { name: 'powertools by hand', fn: () => plain.handler(event, context) },
  { name: 'observer({ logRequests: false })', fn: () => observerQuiet(event, context) },
  { name: 'powertools by hand + start/end lines', fn: () => withLines.handler(event, context) },
  { name: 'observer() (start/end lines)', fn: () => observerFull(event, context) },
]

// Garbage from one task lands on the next, and this machine is shared: several rounds, the
// order reversed every other round, and the median ratio of each task.
const rounds = 3
const ratios = new Map<string, number[]>()
for (let round = 1; round <= rounds; round++) {
  const ordered = round % 2 === 0 ? [...observerTasks].reverse() : observerTasks
  const rows = await compare(
    `observer() vs Powertools middlewares stacked by hand, round ${round}/${rounds}`,
    'powertools by hand',
    ordered,
    { time: 1_000, warmupTime: 200 },
  )
  for (const row of rows) ratios.set(row.name, [...(ratios.get(row.name) ?? []), row.ratio])
}
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN
const medians = new Map([...ratios].map(([name, values]) => [name, median(values)]))
const relative = (name: string, peer: string) =>
  ((medians.get(name) ?? Number.NaN) / (medians.get(peer) ?? Number.NaN)).toFixed(2)
console.log(`\n## observer(): median ratio over ${rounds} rounds`)
console.table([
  {
    comparison: 'observer({ logRequests: false }) / powertools by hand',
    ratio: `${relative('observer({ logRequests: false })', 'powertools by hand')}x`,
  },
  {
    comparison: 'observer() / powertools by hand + start/end lines',
    ratio: `${relative('observer() (start/end lines)', 'powertools by hand + start/end lines')}x`,
  },
])

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
