/**
 * What the request lines say about each event, read through the observer's end line: the kind,
 * the HTTP method and path, the correlation ids, the route and the status.
 */
import middy from '@middy/core'
import { observer } from 'metis-app/observer'
import { describe, expect, it } from 'vitest'
import { lambdaContext, loadEvent } from '../support/events.ts'
import { options, useCapturedOutput } from './capture.ts'

const output = useCapturedOutput()

/** The end line of one invocation of a handler that answers `response` (or throws `thrown`). */
const endLine = async (
  event: unknown,
  response: unknown = { statusCode: 200 },
  setup: (context: Record<string, unknown>) => void = () => {},
) => {
  const handler = middy()
    .use(observer(options()))
    .before((request) => setup(request.context as never))
    .handler(async () => {
      if (response instanceof Error) throw response
      return response
    })
  await handler(event, lambdaContext() as never).catch(() => undefined)
  const ends = output.logs().filter((line) => line.message === 'request end')
  expect(ends.length).toBeGreaterThan(0)
  return ends.at(-1) as Record<string, unknown>
}

describe('the request line: kind', () => {
  it.each([
    ['apigw-rest/no-auth', 'http'],
    ['apigw-http/no-auth', 'http'],
    ['function-url/base', 'http'],
    ['alb/base', 'http'],
    ['sqs/base', 'sqs'],
    ['s3/base', 's3'],
    ['s3/eventbridge-object-created', 's3'],
    ['sns/base', 'sns'],
    ['dynamodb/base', 'dynamodb'],
    ['kinesis/stream', 'kinesis'],
    ['kafka/base', 'kafka'],
    ['kafka/msk-default', 'kafka'],
    ['eventbridge/base', 'eventbridge'],
  ])('names the sample %s a %s event', async (name, kind) => {
    expect((await endLine(loadEvent(name))).event_kind).toBe(kind)
  })

  it.each([
    ['text', 'text'],
    ['an empty object', {}],
    ['no records', { Records: [] }],
    ['a record of no source', { Records: [{}] }],
  ])('calls %s unknown', async (_name, event) => {
    expect((await endLine(event)).event_kind).toBe('unknown')
  })

  it('calls an HTTP event it cannot read an http event, without method or path', async () => {
    const line = await endLine({ httpMethod: 'GET', requestContext: {} }, { statusCode: 400 })

    expect(line).toMatchObject({ event_kind: 'http', outcome: 'error', status: 400 })
    expect(line.method).toBeUndefined()
  })
})

describe('the request line: correlation ids, method and path', () => {
  it("reads API Gateway's request id and the trace header", async () => {
    expect(await endLine(loadEvent('apigw-http/no-auth'))).toMatchObject({
      method: 'POST',
      path: '/lambda',
      correlation_ids: {
        gateway_request_id: expect.any(String),
        trace_id: expect.stringMatching(/^Root=/),
      },
    })
  })

  it('reads the trace header whatever its case', async () => {
    const event = loadEvent('apigw-http/no-auth') as { headers: Record<string, string> }
    const { 'x-amzn-trace-id': trace, ...headers } = event.headers
    event.headers = { ...headers, 'X-AMZN-TRACE-ID': `upper-${trace}` }

    const line = await endLine(event)

    expect(line.correlation_ids).toMatchObject({ trace_id: `upper-${trace}` })
  })

  it('has no ids and no method for an event without them', async () => {
    const line = await endLine(loadEvent('sqs/base'))

    expect(line.correlation_ids).toEqual({})
    expect(line.method).toBeUndefined()
    expect(line.path).toBeUndefined()
  })
})

describe('the request line: route and status', () => {
  it('names the route only when a router resolved one', async () => {
    const routed = await endLine(loadEvent('apigw-http/no-auth'), { statusCode: 204 }, (ctx) => {
      ctx.route = { key: 'POST /lambda', params: {} }
    })
    expect(routed).toMatchObject({ route: 'POST /lambda', status: 204 })
  })

  it('has no status for a batch response, and no route without a router', async () => {
    const line = await endLine(loadEvent('sqs/base'), { batchItemFailures: [] })

    expect(line.status).toBeUndefined()
    expect(line.route).toBeUndefined()
    expect(line.outcome).toBe('success')
  })

  it("takes a thrown error's status, else 500", async () => {
    const unavailable = Object.assign(new Error('later'), { statusCode: 503 })
    expect(await endLine({}, unavailable)).toMatchObject({ status: 503, outcome: 'error' })
    expect(await endLine({}, new Error('boom'))).toMatchObject({ status: 500, outcome: 'error' })
  })
})
