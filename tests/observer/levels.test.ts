import { Logger } from '@aws-lambda-powertools/logger'
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics'
import middy from '@middy/core'
import { observer, type RequestStartEntry } from 'metis-app/observer'
import { describe, expect, it, vi } from 'vitest'
import { lambdaContext, loadEvent } from '../support/events.ts'
import { metricNames, options, useCapturedOutput } from './capture.ts'

const output = useCapturedOutput()

/** Middy types the handler's context with what the middlewares add, so callers cast it. */
const context = () => lambdaContext({ functionName: 'orders-fn' }) as never

const EMPTY_NOTICE = /^No application metrics to publish/

const messages = (): string[] => output.logs().map((line) => String(line.message))

/** A REST event with a field that only a walk of the whole event (the redactor) reads. */
const probedEvent = () => {
  const probe = { reads: 0 }
  const event = loadEvent('apigw-rest/no-auth')
  Object.defineProperty(event, 'probe', {
    enumerable: true,
    get: () => {
      probe.reads += 1
      return 'probed'
    },
  })
  return { event, probe }
}

describe('observer: one line per invocation by default', () => {
  it('writes no line at all for successful invocations by default, and the end line of a failure', async () => {
    const handler = middy()
      .use(observer({ ...options(), requestEndLevel: undefined }))
      .handler(async (event) => {
        if ((event as { fail?: boolean }).fail === true)
          throw Object.assign(new Error('no such order'), { statusCode: 404 })
        return { statusCode: 200, body: 'ok' }
      })

    await handler(loadEvent('apigw-http/no-auth'), context())
    await handler(loadEvent('apigw-http/no-auth'), context())
    expect(messages()).toEqual([])
    expect(output.emf().flatMap(metricNames)).toEqual(['ColdStart'])

    await expect(
      handler({ ...(loadEvent('apigw-http/no-auth') as object), fail: true }, context()),
    ).rejects.toThrow('no such order')
    expect(messages()).toEqual(['request end'])
    expect(output.line('request end')).toMatchObject({
      level: 'WARN',
      outcome: 'error',
      status: 404,
    })
  })

  it('writes the end line of a success at DEBUG when the logger is at DEBUG', async () => {
    const handler = middy()
      .use(observer({ ...options({ logLevel: 'DEBUG' }), requestEndLevel: undefined }))
      .handler(async () => ({ statusCode: 200, body: 'ok' }))

    await handler(loadEvent('apigw-http/no-auth'), context())

    expect(output.line('request end')).toMatchObject({
      level: 'DEBUG',
      outcome: 'success',
      status: 200,
    })
  })

  it('writes nothing but the end line for successful invocations without metrics with requestEndLevel INFO', async () => {
    const handler = middy()
      .use(observer(options()))
      .handler(async () => ({ statusCode: 200, body: 'ok' }))

    await handler(loadEvent('apigw-http/no-auth'), context())
    await handler(loadEvent('apigw-http/no-auth'), context())

    expect(messages()).toEqual(['request end', 'request end'])
    expect(output.emf().flatMap(metricNames)).toEqual(['ColdStart'])
    const written = output.raw
      .join('')
      .split('\n')
      .filter((text) => text !== '')
    expect(written).toHaveLength(3)
    expect(output.raw.join('')).not.toMatch(/No application metrics/)
  })

  it('writes the start line and the empty-metrics notice at DEBUG when the logger is at DEBUG', async () => {
    const handler = middy()
      .use(observer(options({ logLevel: 'DEBUG' })))
      .handler(async () => ({ statusCode: 200 }))

    await handler(loadEvent('apigw-rest/no-auth'), context())

    const logs = output.logs()
    // The metrics flush (and its notice) comes before the end line: a failed flush is the outcome.
    expect(logs.map((line) => line.level)).toEqual(['DEBUG', 'DEBUG', 'INFO'])
    expect(logs[0]).toMatchObject({ message: 'request start', event_kind: 'http', method: 'POST' })
    expect(logs[1]?.message).toMatch(EMPTY_NOTICE)
    expect(logs[2]).toMatchObject({ message: 'request end', status: 200 })
  })

  it('writes the start line on the invocations that Powertools debug sampling picks', async () => {
    vi.stubEnv('POWERTOOLS_LOGGER_SAMPLE_RATE', '1')
    const handler = middy()
      .use(observer(options()))
      .handler(async () => ({ statusCode: 200 }))

    await handler(loadEvent('apigw-rest/no-auth'), context())
    await handler(loadEvent('apigw-rest/no-auth'), context())

    const starts = output.logs().filter((line) => line.message === 'request start')
    expect(starts).toHaveLength(2)
    expect(starts[0]).toMatchObject({ level: 'DEBUG', sampling_rate: 1 })
  })

  it("asks on every invocation, after Powertools' befores set the level it logs at", async () => {
    const logger = new Logger({ serviceName: 'orders', logLevel: 'INFO' })
    const handler = middy()
      .use(observer(options({ logger })))
      .handler(async () => {
        logger.debug('inside')
        return { statusCode: 200 }
      })
    // Raised after observer(): the first invocation logs at DEBUG; on the next one Powertools'
    // sampling refresh puts the logger back to its initial INFO.
    logger.setLogLevel('DEBUG')

    await handler(loadEvent('apigw-rest/no-auth'), context())
    await handler(loadEvent('apigw-rest/no-auth'), context())

    expect(messages().filter((message) => !EMPTY_NOTICE.test(message))).toEqual([
      'request start',
      'inside',
      'request end',
      'request end',
    ])
  })

  it('writes the start line at INFO when requestStartLevel says so, and not below a WARN logger', async () => {
    const atInfo = middy()
      .use(observer(options({ requestStartLevel: 'INFO' })))
      .handler(async () => ({ statusCode: 200 }))
    const atWarn = middy()
      .use(observer(options({ requestStartLevel: 'INFO', logLevel: 'WARN', logEvent: true })))
      .handler(async () => ({ statusCode: 200 }))
    const { event, probe } = probedEvent()

    await atInfo(loadEvent('apigw-rest/no-auth'), context())
    await atWarn(event, context())

    expect(output.logs().map((line) => [line.message, line.level])).toEqual([
      ['request start', 'INFO'],
      ['request end', 'INFO'],
    ])
    expect(probe.reads).toBe(0)
  })

  it('redacts the event only for a start line that is written', async () => {
    const filtered = middy()
      .use(observer(options({ logEvent: true })))
      .handler(async () => ({ statusCode: 200 }))
    const written = middy()
      .use(observer(options({ logEvent: true, logLevel: 'DEBUG' })))
      .handler(async () => ({ statusCode: 200 }))
    const first = probedEvent()
    const second = probedEvent()

    await filtered(first.event, context())
    await written(second.event, context())

    expect(first.probe.reads).toBe(0)
    expect(second.probe.reads).toBe(1)
    expect(output.line('request start').event).toMatchObject({ probe: 'probed' })
  })

  it('tells listeners about every start, with the redacted event, when no start line is written', async () => {
    const starts: RequestStartEntry[] = []
    const listener = { onRequestStart: (entry: RequestStartEntry) => starts.push(entry) }
    const handler = middy()
      .use(observer({ ...options({ logEvent: true }), custom: { listener } }))
      .handler(async () => ({ statusCode: 200 }))
    const event = loadEvent<{ headers: Record<string, string> }>('apigw-rest/no-auth')
    event.headers.Authorization = 'Bearer not-for-logs'

    await handler(event, context())
    await handler(loadEvent('sqs/base'), context())

    expect(starts.map((start) => start.event_kind)).toEqual(['http', 'sqs'])
    expect(starts[0]?.event).toMatchObject({ headers: { Authorization: '[REDACTED]' } })
    expect(messages()).toEqual(['request end', 'request end'])
  })

  it('keeps the start line in the log buffer and writes it when the invocation fails', async () => {
    vi.stubEnv('_X_AMZN_TRACE_ID', 'Root=1-66704cad-0fbaf1491365339d168b2a7d;Sampled=0')
    const logger = new Logger({ serviceName: 'orders', logBufferOptions: { enabled: true } })
    const handler = middy<{ fail?: boolean }>()
      .use(observer(options({ logger })))
      .handler(async (event, ctx) => {
        ctx.observer.metrics.addMetric('attempted', MetricUnit.Count, 1)
        if (event.fail === true) throw new Error('failed')
        return { statusCode: 200 }
      })

    await handler({}, context())
    await expect(handler({ fail: true }, context())).rejects.toThrow('failed')

    expect(output.logs().map((line) => [line.message, line.level])).toEqual([
      ['request end', 'INFO'],
      ['request start', 'DEBUG'],
      ['request end', 'ERROR'],
    ])
  })

  it('takes a logger without Powertools log buffering as one that does not buffer', async () => {
    const logger = new Logger({ serviceName: 'orders' })
    Object.defineProperty(logger, 'shouldBufferLog', { value: undefined })
    const handler = middy()
      .use(observer(options({ logger })))
      .handler(async () => ({ statusCode: 200 }))

    await handler({}, context())

    expect(messages()).toEqual(['request end'])
  })
})

describe('observer: where Metrics writes its notices', () => {
  it('keeps the other warnings of the Metrics it creates at WARN', async () => {
    const handler = middy()
      .use(observer(options()))
      .handler(async (_event, ctx) => {
        ctx.observer.metrics.addDimension('', 'no name')
        ctx.observer.metrics.addMetric('served', MetricUnit.Count, 1)
        return { statusCode: 200 }
      })

    await handler({}, context())

    expect(output.logs().map((line) => [line.level, line.message])).toEqual([
      ['WARN', expect.stringMatching(/doesn't meet the requirements/)],
      ['INFO', 'request end'],
    ])
  })

  it('leaves a Metrics you built with its own logger', async () => {
    const own = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() }
    const metrics = new Metrics({ namespace: 'shop', serviceName: 'orders', logger: own })
    const handler = middy()
      .use(observer(options({ metrics, logLevel: 'DEBUG' })))
      .handler(async () => ({ statusCode: 200 }))

    await handler({}, context())

    expect(own.warn).toHaveBeenCalledWith(expect.stringMatching(EMPTY_NOTICE))
    expect(messages()).toEqual(['request start', 'request end'])
  })
})
