import { cleanupMiddlewares } from '@aws-lambda-powertools/commons'
import { Logger } from '@aws-lambda-powertools/logger'
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics'
import { Tracer } from '@aws-lambda-powertools/tracer'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import type { Context } from 'aws-lambda'
import { NotFoundError } from 'metis-app/errors'
import { type ObserverContext, observer, type RequestEndEntry } from 'metis-app/observer'
import { type AppRequest, requestBuilder, updateRequest } from 'metis-app/request'
import { responder } from 'metis-app/response'
import { router } from 'metis-app/router'
import { describe, expect, it, vi } from 'vitest'
import { lambdaContext, loadEvent, restGet } from '../support/events.ts'
import { metricNames, options, useCapturedOutput } from './capture.ts'

const output = useCapturedOutput()

/** Middy types the handler's context with what the middlewares add, so callers cast it. */
const context = () => lambdaContext({ functionName: 'orders-fn' }) as never

/** A clock the handler moves forward, so durations are exact. */
const steppingClock = () => {
  let now = 1_000
  return { clock: () => now, advance: (ms: number) => (now += ms) }
}

describe('observer: request lines', () => {
  it('writes a start and an end line with kind, method, path, correlation ids, route, status and duration', async () => {
    const time = steppingClock()
    const handler = middy()
      .use(observer(options({ clock: time.clock, requestStartLevel: 'INFO' })))
      .before((request) => {
        Object.assign(request.context, { route: { key: '/no-auth', params: {} } })
      })
      .handler(async () => {
        time.advance(42)
        return { statusCode: 201, body: '' }
      })

    await handler(loadEvent('apigw-rest/no-auth'), context())

    const start = output.line('request start')
    expect(start).toMatchObject({
      level: 'INFO',
      service: 'orders',
      event_kind: 'http',
      method: 'POST',
      path: '/no-auth',
      correlation_ids: {
        gateway_request_id: 'f88e38e3-2060-4a56-93c0-9efbc6a659a0',
        trace_id: 'Root=1-66704cad-0fbaf1491365339d168b2a7d',
      },
    })
    expect(start.event).toBeUndefined()
    expect(output.line('request end')).toMatchObject({
      level: 'INFO',
      outcome: 'success',
      route: '/no-auth',
      status: 201,
      duration_ms: 42,
      correlation_ids: { gateway_request_id: 'f88e38e3-2060-4a56-93c0-9efbc6a659a0' },
    })
  })

  it("carries the Lambda context that Powertools' injectLambdaContext adds on every line", async () => {
    const handler = middy()
      .use(observer(options()))
      .handler(async (_event, ctx) => {
        ctx.observer.logger.info('inside')
        ctx.observer.metrics.addMetric('served', MetricUnit.Count, 1)
        return { statusCode: 200 }
      })

    await handler(loadEvent('apigw-http/no-auth'), context())
    await handler(loadEvent('apigw-http/no-auth'), context())

    const logs = output.logs()
    expect(logs.map((line) => line.message)).toEqual([
      'inside',
      'request end',
      'inside',
      'request end',
    ])
    expect(logs[0]).toMatchObject({
      function_name: 'orders-fn',
      function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      cold_start: true,
    })
    expect(logs[2]?.cold_start).toBe(false)
  })

  it('takes the event kind from the built request when the request builder ran first', async () => {
    const handler = middy()
      .use(observer(options({ logLevel: 'DEBUG' })))
      .use(requestBuilder())
      .handler(async (_event, ctx) => ({ statusCode: ctx.request.kind === 'sqs' ? 204 : 500 }))

    await handler(loadEvent('sqs/base'), context())

    expect(output.line('request start')).toMatchObject({ level: 'DEBUG', event_kind: 'sqs' })
    expect(output.line('request end')).toMatchObject({ event_kind: 'sqs', status: 204 })
  })

  it('puts the redacted event on the start line when logEvent is on', async () => {
    const handler = middy()
      .use(observer(options({ logEvent: true, logLevel: 'DEBUG' })))
      .handler(async () => ({ statusCode: 200 }))

    await handler(loadEvent('apigw-rest/no-auth'), context())

    const event = output.line('request start').event as { httpMethod: string; path: string }
    expect(event.httpMethod).toBe('POST')
    expect(event.path).toBe('/no-auth')
  })

  it('writes no request lines when logRequests is off, and still flushes metrics', async () => {
    const handler = middy()
      .use(observer(options({ logRequests: false })))
      .handler(async (_event, ctx) => {
        ctx.observer.metrics.addMetric('orderPlaced', MetricUnit.Count, 1)
      })

    await handler({}, context())

    expect(output.logs()).toEqual([])
    expect(output.emf().flatMap(metricNames)).toContain('orderPlaced')
  })
  it('tells listeners about each request even when logRequests is off', async () => {
    const kinds: string[] = []
    const listener = {
      onRequestStart: (entry: { event_kind: string }) => kinds.push(`start ${entry.event_kind}`),
      onRequestEnd: (entry: RequestEndEntry) => kinds.push(`end ${entry.status}`),
    }
    const handler = middy()
      .use(observer({ ...options({ logRequests: false }), custom: { listener } }))
      .handler(async () => ({ statusCode: 202 }))

    await handler(loadEvent('sns/base'), context())

    expect(kinds).toEqual(['start sns', 'end 202'])
    expect(output.logs().filter((line) => String(line.message).startsWith('request'))).toEqual([])
  })

  it('ends the request without a start when a middleware stacked before it failed', async () => {
    const handler = middy()
      .before(() => {
        throw new Error('before the observer')
      })
      .use(observer(options()))
      .handler(async () => ({ statusCode: 200 }))

    await expect(handler({}, context())).rejects.toThrow('before the observer')
    expect(output.logs()).toEqual([])
  })

  it("writes the end line when one of Powertools' own befores fails", async () => {
    class BrokenLogger extends Logger {
      override addContext(): void {
        throw new Error('no context for you')
      }
    }
    const handler = middy()
      .use(observer({ ...options(), logger: new BrokenLogger({ serviceName: 'orders' }) }))
      .handler(async () => ({ statusCode: 200 }))

    await expect(handler({}, context())).rejects.toThrow('no context for you')

    expect(output.logs().map((line) => [line.message, line.level, line.outcome])).toEqual([
      ['request end', 'ERROR', 'error'],
    ])
  })
})

describe('observer: metrics', () => {
  it('emits the ColdStart metric once and flushes handler metrics as EMF after each invocation', async () => {
    const handler = middy()
      .use(observer(options()))
      .handler(async (_event, ctx) => {
        ctx.observer.metrics.addMetric('orderPlaced', MetricUnit.Count, 1)
      })

    await handler({}, context())
    await handler({}, context())

    const blobs = output.emf()
    const coldStarts = blobs.filter((blob) => metricNames(blob).includes('ColdStart'))
    expect(coldStarts).toHaveLength(1)
    expect(coldStarts[0]).toMatchObject({ function_name: 'orders-fn', service: 'orders' })
    const placed = blobs.filter((blob) => metricNames(blob).includes('orderPlaced'))
    expect(placed).toHaveLength(2)
    expect(placed[0]).toMatchObject({ orderPlaced: 1, service: 'orders' })
    expect(placed[0]?._aws).toMatchObject({ CloudWatchMetrics: [{ Namespace: 'shop' }] })
  })

  it('flushes metrics and writes an error end line when the handler throws', async () => {
    const time = steppingClock()
    const handler = middy()
      .use(observer(options({ clock: time.clock })))
      .handler(async (_event, ctx) => {
        ctx.observer.metrics.addMetric('attempted', MetricUnit.Count, 1)
        time.advance(5)
        throw new TypeError('boom')
      })

    await expect(handler(loadEvent('apigw-rest/no-auth'), context())).rejects.toThrow('boom')

    expect(output.emf().flatMap(metricNames)).toContain('attempted')
    const end = output.line('request end')
    expect(end).toMatchObject({ level: 'ERROR', outcome: 'error', status: 500, duration_ms: 5 })
    expect(end.error).toMatchObject({ name: 'TypeError', message: 'boom' })
  })

  it('logs the status an inner error handler answered with, as a warning for a 4xx', async () => {
    const handler = middy()
      .use(observer(options()))
      .use(httpErrorHandler({ logger: false }))
      .handler(async () => {
        throw new NotFoundError('No order 42')
      })

    const response = await handler(loadEvent('apigw-rest/no-auth'), context())

    expect(response).toMatchObject({ statusCode: 404 })
    expect(output.line('request end')).toMatchObject({
      level: 'WARN',
      outcome: 'error',
      status: 404,
    })
  })

  it('still flushes metrics and ends the request when another middleware returns early', async () => {
    const handlerRan = vi.fn()
    const handler = middy()
      .use(observer(options()))
      .before(async (request) => {
        ;(
          request.context as Context & { observer: { metrics: Metrics } }
        ).observer.metrics.addMetric('shortCircuited', MetricUnit.Count, 1)
        await cleanupMiddlewares(request as never)
        await cleanupMiddlewares(request as never)
        return { statusCode: 304 }
      })
      .handler(handlerRan)

    const response = await handler(loadEvent('apigw-rest/no-auth'), context())

    expect(response).toEqual({ statusCode: 304 })
    expect(handlerRan).not.toHaveBeenCalled()
    const flushed = output.emf().flatMap(metricNames)
    expect(flushed).toContain('shortCircuited')
    expect(flushed.filter((name) => name === 'shortCircuited')).toHaveLength(1)
    const ends = output.logs().filter((line) => line.message === 'request end')
    expect(ends).toHaveLength(1)
    expect(ends[0]).toMatchObject({ outcome: 'early-return' })
  })

  it('rethrows a failing flush after running the other phases, and logs the invocation as failed', async () => {
    const handler = middy()
      .use(
        observer({
          ...options({ throwOnEmptyMetrics: true, captureColdStartMetric: false }),
          // the default: a success would write no line
          requestEndLevel: undefined,
        }),
      )
      .handler(async () => ({ statusCode: 200 }))

    await expect(handler({}, context())).rejects.toThrow(/metrics/i)
    expect(output.logs()).toHaveLength(1)
    expect(output.line('request end')).toMatchObject({
      level: 'ERROR',
      outcome: 'error',
      status: 500,
      error: { message: expect.stringMatching(/metrics/i) },
    })
  })

  it('runs every phase when writing the end line throws, and rethrows what it threw', async () => {
    class BrokenLogger extends Logger {
      override warn(): void {
        throw new Error('log sink down')
      }
    }
    const logger = new BrokenLogger({ serviceName: 'orders' })
    const metrics = new Metrics({ namespace: 'shop', serviceName: 'orders' })
    const handler = middy()
      .use(observer({ ...options(), logger, metrics }))
      .handler(async (_event, ctx) => {
        ctx.observer.metrics.addMetric('attempted', MetricUnit.Count, 1)
        ctx.observer.logger.appendKeys({ user: 'alice' })
        throw new NotFoundError()
      })

    await expect(handler({}, context())).rejects.toThrow('log sink down')
    // The metrics were flushed and the invocation's keys removed all the same.
    expect(output.metric('attempted')).toBeDefined()
    expect(metrics.hasStoredMetrics()).toBe(false)
    logger.info('next invocation')
    expect(output.line('next invocation')).not.toHaveProperty('user')
  })
})

describe('observer: failures a router or responder answered', () => {
  /** The observer, the responder and a router, with the observer's default levels. */
  const stack = (app: ReturnType<typeof router>) =>
    middy()
      .use(observer(options({ requestEndLevel: 'DEBUG' })))
      .use(responder())
      .handler(app)

  /** Every written chunk is a structured line: nothing printed a bare stack beside them. */
  const onlyStructuredLines = () =>
    expect(
      output.raw
        .join('')
        .split('\n')
        .filter((text) => text !== '' && !text.startsWith('{')),
    ).toEqual([])

  it('logs a route that throws once, at ERROR, with its status and stack, and prints nothing else', async () => {
    const app = router({
      http: [{ method: 'GET', path: '/boom', handler: () => Promise.reject(new Error('boom')) }],
    })
    const response = await stack(app)(restGet('/boom'), context())

    expect(response).toMatchObject({ statusCode: 500 })
    expect(JSON.stringify(response)).not.toContain('boom')
    const logs = output.logs()
    expect(logs).toHaveLength(1)
    expect(logs[0]).toMatchObject({
      level: 'ERROR',
      message: 'request end',
      outcome: 'error',
      status: 500,
    })
    expect(logs[0]?.error).toMatchObject({
      name: 'Error',
      message: 'boom',
      stack: expect.stringContaining('boom'),
    })
    onlyStructuredLines()
  })

  it('logs a 4xx the router answered once, at WARN, without a stack', async () => {
    const app = router({ http: [{ method: 'GET', path: '/hello', handler: () => 'hi' }] })
    const response = await stack(app)(restGet('/nowhere'), context())

    expect(response).toMatchObject({ statusCode: 404 })
    const logs = output.logs()
    expect(logs).toHaveLength(1)
    expect(logs[0]).toMatchObject({
      level: 'WARN',
      message: 'request end',
      outcome: 'error',
      status: 404,
    })
    expect(logs[0]?.error).toMatchObject({ name: 'NotFoundError' })
    expect(JSON.stringify(logs[0])).not.toContain('stack')
    onlyStructuredLines()
  })

  it('logs a partial batch once, at ERROR, with the failed records and the error', async () => {
    const event = loadEvent('sqs/base') as { Records: { messageId: string; body: string }[] }
    const failing = event.Records[0]?.messageId
    const app = router(
      {
        sqs: {
          '*': (record) => {
            if (record.messageId === failing) throw new Error('cannot take this order')
          },
        },
      },
      { partialBatch: true },
    )
    const response = await stack(app)(event, context())

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: failing }] })
    const logs = output.logs()
    expect(logs).toHaveLength(1)
    expect(logs[0]).toMatchObject({
      level: 'ERROR',
      message: 'request end',
      outcome: 'error',
      failed_items: [failing],
      error: { message: 'cannot take this order' },
    })
    onlyStructuredLines()
  })

  it('takes a 5xx response a handler returned for a failure, at ERROR', async () => {
    const handler = middy()
      .use(observer(options({ requestEndLevel: 'DEBUG' })))
      .handler(async () => ({ statusCode: 503, body: '' }))
    await handler(restGet('/'), context())
    expect(output.logs()).toEqual([
      expect.objectContaining({ level: 'ERROR', outcome: 'error', status: 503 }),
    ])
  })

  it("keeps Powertools' no-namespace notice at DEBUG when no namespace is set", async () => {
    const handler = middy()
      .use(observer({ serviceName: 'orders', tracing: false }))
      .handler(async (_event, ctx) => {
        ctx.observer.metrics.addMetric('placed', MetricUnit.Count, 1)
        return { statusCode: 200, body: '' }
      })
    await handler(restGet('/'), context())
    await handler(restGet('/'), context())
    expect(output.emf().flatMap(metricNames)).toContain('placed')
    expect(output.logs()).toEqual([])
    expect(output.raw.join('')).not.toContain('Namespace should be defined')
  })
})

describe('observer: instances and custom observers', () => {
  it('uses the instances it is given and exposes them on the context and the middleware', async () => {
    const logger = new Logger({ serviceName: 'mine' })
    const metrics = new Metrics({ namespace: 'mine-ns', serviceName: 'mine' })
    const tracer = new Tracer({ serviceName: 'mine', enabled: false })
    const seen: unknown[] = []
    const middleware = observer({
      logger,
      metrics,
      tracer,
      defaultDimensions: { stage: 'test' },
      requestEndLevel: 'INFO',
    })
    const handler = middy()
      .use(middleware)
      .handler(async (_event, ctx) => {
        seen.push(ctx.observer.logger, ctx.observer.metrics, ctx.observer.tracer)
        ctx.observer.metrics.addMetric('used', MetricUnit.Count, 1)
      })

    await handler({}, context())

    expect(seen).toEqual([logger, metrics, tracer])
    expect(middleware.observer.logger).toBe(logger)
    expect(output.line('request end').service).toBe('mine')
    expect(output.metric('used')).toMatchObject({
      stage: 'test',
      service: 'mine',
    })
  })

  it('gives custom observers, typed by name, and tells listeners about each request', async () => {
    const ends: RequestEndEntry[] = []
    const audit = {
      trail: [] as string[],
      onRequestStart: (entry: { event_kind: string }) => audit.trail.push(entry.event_kind),
      onRequestEnd: (entry: RequestEndEntry) => ends.push(entry),
    }
    const broken = {
      onRequestStart: () => {
        throw new Error('listener down')
      },
    }
    const plain = { label: 'not a listener' }
    const handler = middy()
      .use(observer({ ...options(), custom: { audit, broken, plain, count: 3 } }))
      .handler(async (_event, ctx) => {
        ctx.observer.custom.audit.trail.push(ctx.observer.custom.plain.label)
        return { statusCode: 200 }
      })

    await handler(loadEvent('eventbridge/base'), context())

    expect(audit.trail).toEqual(['eventbridge', 'not a listener'])
    expect(ends[0]).toMatchObject({ event_kind: 'eventbridge', outcome: 'success', status: 200 })
    expect(output.line('custom observer failed')).toMatchObject({
      level: 'WARN',
      custom_observer: 'broken',
      error: { message: 'listener down' },
    })
  })

  it('removes keys appended during an invocation before the next one', async () => {
    const handler = middy<{ tenant?: string }>()
      .use(observer(options()))
      .handler(async (event, ctx) => {
        if (event.tenant !== undefined) ctx.observer.logger.appendKeys({ tenant: event.tenant })
        ctx.observer.logger.info('work')
      })

    await handler({ tenant: 'acme' }, context())
    await handler({}, context())

    const work = output.logs().filter((line) => line.message === 'work')
    expect(work[0]?.tenant).toBe('acme')
    expect(work[1]?.tenant).toBeUndefined()
  })

  it('falls back to Powertools environment configuration when given no names', async () => {
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'from-env')
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'env-ns')
    const handler = middy()
      .use(observer({ logLevel: 'WARN' }))
      .handler(async (_event, ctx) => {
        ctx.observer.logger.warn('visible')
        ctx.observer.metrics.addMetric('fromEnv', MetricUnit.Count, 1)
      })

    await handler({}, context())

    expect(output.logs().map((line) => line.message)).toEqual(['visible'])
    expect(output.line('visible').service).toBe('from-env')
    expect(output.metric('fromEnv')).toMatchObject({
      service: 'from-env',
    })
  })
})

describe('the observer beside the built request', () => {
  it('reaches route handlers on context.observer, and updateRequest copies the request with its views', async () => {
    const obs = observer({ serviceName: 'svc', metricsNamespace: 'ns', logRequests: false })
    const seen: unknown[] = []
    const app = router<ObserverContext>({
      http: [
        {
          method: 'POST',
          path: '/lambda',
          handler: (request, context) => {
            seen.push(context.observer === obs.observer)
            return JSON.stringify(request).includes('"logger"')
          },
        },
      ],
    })
    const withBuilder = middy()
      .use(obs)
      .use(requestBuilder())
      .handler((_event: unknown, context: { request: AppRequest } & ObserverContext) => {
        seen.push(context.observer === obs.observer)
        const copy = updateRequest(context.request, {})
        return copy.kind === 'http' && copy.headers['user-agent'] === 'HTTPie/3.2.2'
      })
    const routed = middy().use(obs).handler(app)
    const event = () => loadEvent('apigw-http/no-auth') as never
    expect(await withBuilder(event(), lambdaContext() as never)).toBe(true)
    expect(await routed(event(), lambdaContext() as never)).toMatchObject({ body: 'false' })
    expect(seen).toEqual([true, true])
  })
})
