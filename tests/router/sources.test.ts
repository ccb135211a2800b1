/**
 * Routing the event sources beyond HTTP and the classic records: CloudWatch Logs by log group,
 * Firehose by delivery stream (answering Firehose's per-record results), SES by recipient, and the
 * sources that invoke once per event by their natural key, each answered in the shape its caller
 * reads.
 */
import { describe, expect, it, vi } from 'vitest'
import { ConflictError } from '../../src/errors/index.ts'
import type { FirehoseRecord } from '../../src/request/index.ts'
import { err, ok } from '../../src/result/index.ts'
import { router } from '../../src/router/index.ts'
import { loadEvent } from '../support/events.ts'
import { context } from './support.ts'

type Json = Record<string, unknown>

const quiet = { logger: false as const }

describe('CloudWatch Logs', () => {
  it('routes the log events of a subscription by log group', async () => {
    const seen: string[] = []
    const app = router(
      { logs: { '/aws/lambda/echo-nodejs': (event) => void seen.push(event.message.trim()) } },
      quiet,
    )
    expect(await app(loadEvent('cloudwatch-logs/base'), context())).toBeUndefined()
    expect(seen).toEqual([expect.stringMatching(/^REPORT RequestId/), 'ERROR order 42 failed'])
  })

  it('fails the invocation when no route takes the log group', async () => {
    const app = router({ logs: { other: () => undefined } }, quiet)
    await expect(app(loadEvent('cloudwatch-logs/base'), context())).rejects.toMatchObject({
      statusCode: 404,
      code: 'NO_ROUTE',
    })
  })
})

describe('Kinesis Data Firehose', () => {
  const event = () => loadEvent('kinesis/firehose-put')

  it('answers each record with its transformed data, in the order Firehose sent them', async () => {
    const app = router(
      { firehose: { 'delivery-stream-name': (record) => `${record.data.toUpperCase()}\n` } },
      quiet,
    )
    expect(await app(event(), context())).toEqual({
      records: [
        { recordId: 'record1', result: 'Ok', data: btoa('HELLO WORLD\n') },
        { recordId: 'record2', result: 'Ok', data: btoa('{"HELLO": "WORLD"}\n') },
      ],
    })
  })

  it('keeps a record unchanged, drops it, or sends JSON, bytes and partition keys as told', async () => {
    const answers: unknown[] = [
      undefined,
      { result: 'Dropped' },
      { id: 1 },
      new TextEncoder().encode('raw'),
      { result: 'Ok', data: 'x', metadata: { partitionKeys: { day: '2026-01-01' } } },
    ]
    let index = 0
    const app = router({ firehose: { '*': () => answers[index++] } }, quiet)
    const base = event()
    const record = (base.records as Json[])[0] as Json
    base.records = answers.map((_, i) => ({ ...record, recordId: `r${i}` }))
    expect(await app(base, context())).toEqual({
      records: [
        { recordId: 'r0', result: 'Ok', data: record.data },
        { recordId: 'r1', result: 'Dropped', data: record.data },
        { recordId: 'r2', result: 'Ok', data: btoa('{"id":1}') },
        { recordId: 'r3', result: 'Ok', data: btoa('raw') },
        {
          recordId: 'r4',
          result: 'Ok',
          data: btoa('x'),
          metadata: { partitionKeys: { day: '2026-01-01' } },
        },
      ],
    })
  })

  it('answers a failed record ProcessingFailed with partial batches, else fails the invocation', async () => {
    const table = {
      firehose: {
        '*': (record: FirehoseRecord) => {
          if (record.recordId === 'record2') throw new Error('bad record')
          return record.data
        },
      },
    }
    const partial = router(table, { ...quiet, partialBatch: true })
    expect(await partial(event(), context())).toEqual({
      records: [
        { recordId: 'record1', result: 'Ok', data: btoa('Hello World') },
        { recordId: 'record2', result: 'ProcessingFailed', data: 'eyJIZWxsbyI6ICJXb3JsZCJ9' },
      ],
    })
    await expect(router(table, quiet)(event(), context())).rejects.toThrow('bad record')
  })

  it('takes the per-record results of a batch route, in order', async () => {
    const app = router(
      {
        firehose: {
          'delivery-stream-name': {
            batch: (request) => request.records.map((r) => ({ result: 'Ok', data: r.recordId })),
          },
        },
      },
      quiet,
    )
    expect(await app(event(), context())).toMatchObject({
      records: [{ data: btoa('record1') }, { data: btoa('record2') }],
    })
  })
})

describe('SES', () => {
  it('routes a mail by its first recipient and answers the disposition the route gives', async () => {
    const app = router(
      { ses: { 'johndoe@example.com': () => ({ disposition: 'STOP_RULE' }) } },
      quiet,
    )
    expect(await app(loadEvent('ses/base'), context())).toEqual({ disposition: 'STOP_RULE' })
    const plain = router({ ses: { '*': () => undefined } }, quiet)
    expect(await plain(loadEvent('ses/base'), context())).toBeUndefined()
  })
})

describe('EventBridge schedules', () => {
  it('routes a scheduled event by its rule name before its detail-type', async () => {
    const app = router(
      { eventbridge: { 'nightly-report': () => undefined, 'Scheduled Event': () => undefined } },
      quiet,
    )
    const ctx = context()
    await app(loadEvent('eventbridge-schedule/base'), ctx)
    expect(ctx.route.key).toBe('nightly-report')
    const fallback = router({ eventbridge: { 'Scheduled Event': () => undefined } }, quiet)
    const other = context()
    await fallback(loadEvent('eventbridge-schedule/base'), other)
    expect(other.route.key).toBe('Scheduled Event')
  })
})

describe('API Gateway WebSocket', () => {
  const app = router(
    {
      websocket: {
        $connect: (request) => (request.query.room === 'lobby' ? undefined : { statusCode: 403 }),
        sendMessage: (request) => ({ echo: request.body }),
        $default: () => 'pong',
      },
    },
    quiet,
  )

  it('routes by route key and answers in the WebSocket response shape', async () => {
    expect(await app(loadEvent('websocket/connect'), context())).toEqual({ statusCode: 200 })
    expect(await app(loadEvent('websocket/message'), context())).toEqual({
      statusCode: 200,
      body: JSON.stringify({ echo: '{"action":"sendMessage","message":"hello"}' }),
    })
    const other = loadEvent('websocket/message')
    ;(other.requestContext as Json).routeKey = '$default'
    expect(await app(other, context())).toEqual({ statusCode: 200, body: 'pong' })
  })

  it('passes a response the route shaped itself through', async () => {
    const denied = loadEvent('websocket/connect')
    denied.queryStringParameters = { room: 'vip' }
    expect(await app(denied, context())).toEqual({ statusCode: 403 })
  })

  it('fails the invocation for a route key no route takes', async () => {
    await expect(app(loadEvent('websocket/disconnect'), context())).rejects.toMatchObject({
      statusCode: 404,
      code: 'NO_ROUTE',
      message: "No route for websocket routing key '$disconnect'",
    })
  })
})

describe('Cognito triggers', () => {
  it('routes by trigger source, then by trigger, and answers the event Cognito expects', async () => {
    const app = router(
      {
        cognito: {
          PreSignUp_SignUp: () => ({ autoConfirmUser: true }),
          PostConfirmation: () => undefined,
        },
      },
      quiet,
    )
    const signUp = loadEvent('cognito/pre-signup')
    expect(await app(signUp, context())).toEqual({
      ...signUp,
      response: { autoConfirmUser: true, autoVerifyEmail: false, autoVerifyPhone: false },
    })
    const confirmation = loadEvent('cognito/post-confirmation')
    expect(await app(confirmation, context())).toEqual(confirmation)
  })

  it('passes a whole event the route returns through as it is', async () => {
    const replaced = { ...loadEvent('cognito/pre-signup'), response: { autoConfirmUser: true } }
    const app = router({ cognito: { '*': () => replaced } }, quiet)
    expect(await app(loadEvent('cognito/pre-signup'), context())).toBe(replaced)
  })

  it('fails the invocation when the route throws or returns an error Result', async () => {
    const thrown = router({ cognito: { '*': () => err(new ConflictError('exists')) } }, quiet)
    await expect(thrown(loadEvent('cognito/pre-signup'), context())).rejects.toThrow('exists')
  })
})

describe('Secrets Manager rotation, CloudFormation and AppSync', () => {
  it('routes a rotation by its step', async () => {
    const steps: string[] = []
    const app = router(
      { secretsmanager: { createSecret: (request) => void steps.push(request.secretId) } },
      quiet,
    )
    expect(await app(loadEvent('secretsmanager/rotation'), context())).toBeUndefined()
    expect(steps).toEqual([
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:MyTestDatabaseSecret-a1b2c3',
    ])
  })

  it('routes a custom resource by type and request, then type, then request', async () => {
    const app = router(
      {
        cloudformation: {
          'Custom::TestResource:Update': () => ({ PhysicalResourceId: 'updated' }),
          'Custom::TestResource': (request) => ({ PhysicalResourceId: request.logicalResourceId }),
          Delete: () => undefined,
        },
      },
      quiet,
    )
    expect(await app(loadEvent('cloudformation/update'), context())).toEqual({
      PhysicalResourceId: 'updated',
    })
    expect(await app(loadEvent('cloudformation/create'), context())).toEqual({
      PhysicalResourceId: 'MyTestResource',
    })
  })

  it('routes an AppSync field by type and field, then field, answering the resolver value', async () => {
    const app = router(
      { appsync: { 'Query.getPost': (request) => ok({ id: request.arguments.id }) } },
      quiet,
    )
    expect(await app(loadEvent('appsync/query'), context())).toEqual({ id: 'my identifier' })
    const byField = router({ appsync: { getPost: () => 'by field' } }, quiet)
    expect(await byField(loadEvent('appsync/query'), context())).toBe('by field')
  })
})

describe('Bedrock Agents', () => {
  const app = router(
    {
      bedrock: {
        'GET /orders/{orderId}': (request) => ({ id: request.parameters.orderId, status: 'sent' }),
        'clock:getTime': (request) => `It is noon in ${request.parameters.city}`,
      },
    },
    quiet,
  )

  it('answers an OpenAPI action in the response shape the agent reads', async () => {
    expect(await app(loadEvent('bedrock-agent/openapi'), context())).toEqual({
      messageVersion: '1.0',
      response: {
        actionGroup: 'orders-api',
        apiPath: '/orders/{orderId}',
        httpMethod: 'GET',
        httpStatusCode: 200,
        responseBody: { 'application/json': { body: '{"id":"42","status":"sent"}' } },
      },
      sessionAttributes: { tenant: 'acme' },
      promptSessionAttributes: {},
    })
  })

  it('answers a function action with a text body', async () => {
    expect(await app(loadEvent('bedrock-agent/function'), context())).toEqual({
      messageVersion: '1.0',
      response: {
        actionGroup: 'clock',
        function: 'getTime',
        functionResponse: { responseBody: { TEXT: { body: 'It is noon in Paris' } } },
      },
      sessionAttributes: {},
      promptSessionAttributes: {},
    })
  })

  it('never answers a Bedrock event as a 400 HTTP problem, and calls no unknown handler', async () => {
    const unknown = vi.fn()
    const bare = router({ http: [] }, { ...quiet, unknown })
    await expect(bare(loadEvent('bedrock-agent/openapi'), context())).rejects.toMatchObject({
      statusCode: 404,
      code: 'NO_ROUTE',
    })
    expect(unknown).not.toHaveBeenCalled()
  })
})

describe('routing keys', () => {
  it('takes a replacement key function for the new sources too', async () => {
    const app = router(
      { websocket: { CONNECT: () => 'by event type' } },
      { ...quiet, keys: { websocket: (request) => request.eventType } },
    )
    expect(await app(loadEvent('websocket/connect'), context())).toEqual({
      statusCode: 200,
      body: 'by event type',
    })
  })

  it('refuses a route of a single-event source that is not a function', () => {
    expect(() => router({ cognito: { x: 'not a function' as never } })).toThrow(
      "The cognito route 'x' must be a function",
    )
  })

  it('still calls the unknown handler for events no source recognises', async () => {
    const app = router({}, { ...quiet, unknown: (request) => request.reason })
    expect(await app(loadEvent('s3/object-iam-user'), context())).toBe(
      'No known event source matches the event',
    )
  })
})

describe('answers at the edges', () => {
  it('answers a binary WebSocket reply in base64 and passes a full Bedrock response through', async () => {
    const ws = router({ websocket: { '*': () => new TextEncoder().encode('hi') } }, quiet)
    expect(await ws(loadEvent('websocket/message'), context())).toEqual({
      statusCode: 200,
      body: btoa('hi'),
      isBase64Encoded: true,
    })
    const full = { messageVersion: '1.0', response: { actionGroup: 'x' } }
    const bedrock = router({ bedrock: { '*': () => full } }, quiet)
    expect(await bedrock(loadEvent('bedrock-agent/function'), context())).toBe(full)
  })

  it('answers a Bedrock route that returns nothing with an empty body', async () => {
    const app = router({ bedrock: { '*': () => undefined } }, quiet)
    const answer = (await app(loadEvent('bedrock-agent/openapi-body'), context())) as {
      response: { responseBody: unknown }
    }
    expect(answer.response.responseBody).toEqual({ 'application/json': { body: '' } })
  })

  it('passes a value that is not an object back to Cognito as it is', async () => {
    const app = router({ cognito: { '*': () => 'not an event' } }, quiet)
    expect(await app(loadEvent('cognito/pre-signup'), context())).toBe('not an event')
  })

  it('fails a Firehose record whose answer cannot be serialised, as a throw would', async () => {
    const app = router(
      { firehose: { '*': (record) => (record.recordId === 'record1' ? { n: 1n } : 'ok') } },
      { ...quiet, partialBatch: true },
    )
    const answer = (await app(loadEvent('kinesis/firehose-put'), context())) as {
      records: { result: string }[]
    }
    expect(answer.records.map((r) => r.result)).toEqual(['ProcessingFailed', 'Ok'])
  })
})
