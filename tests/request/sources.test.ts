/**
 * The event sources beyond HTTP and the classic record sources, read from samples in the shapes
 * AWS documents: each becomes a typed request, and a malformed one an unknown request, never a 400.
 */
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { type AppRequest, buildRequest, type RequestOf } from '../../src/request/index.ts'
import { loadEvent } from '../support/events.ts'

type Json = Record<string, unknown>

const build = (event: unknown): AppRequest => {
  const result = buildRequest(event, { clock: () => 1_000, requestId: 'lambda-1' })
  if (!result.ok) throw new Error(`${result.error.statusCode} ${result.error.message}`)
  return result.value
}

const as = <K extends AppRequest['kind']>(kind: K, name: string): RequestOf<K> => {
  const request = build(loadEvent(name))
  if (request.kind !== kind) throw new Error(`${name} read as ${request.kind}`)
  return request as RequestOf<K>
}

const awslogs = (data: unknown): Json => ({
  awslogs: { data: gzipSync(Buffer.from(JSON.stringify(data))).toString('base64') },
})

describe('CloudWatch Logs subscriptions', () => {
  it('decodes the base64 gzip data into one record per log event, with its log group', () => {
    const request = as('logs', 'cloudwatch-logs/base')
    expect(request.records).toHaveLength(2)
    expect(request.records[1]).toMatchObject({
      id: '34622316099697884706540976068822859012661220141643892547',
      timestamp: 1552518348221,
      message: 'ERROR order 42 failed\n',
      extractedFields: { level: 'ERROR', order: '42' },
      logGroup: '/aws/lambda/echo-nodejs',
      logStream: '2019/03/13/[$LATEST]94fa867e5374431291a7fc14e2f56ae7',
      owner: '123456789012',
      subscriptionFilters: ['LambdaStream_cloudwatchlogs-node'],
      messageType: 'DATA_MESSAGE',
    })
    expect(request.requestId).toBe('lambda-1')
  })

  it('gives a control message no records', () => {
    expect(as('logs', 'cloudwatch-logs/control-message').records).toEqual([])
  })

  it('keeps data that is not base64 gzip JSON as an unknown request saying why', () => {
    const request = as('unknown', 'cloudwatch-logs/invalid')
    expect(request.reason).toContain('CloudWatch Logs')
    expect(build(awslogs('just a string')).kind).toBe('unknown')
    expect(build({ awslogs: { data: 42 } }).kind).toBe('unknown')
  })

  it('skips log events that are not objects and reads missing fields as empty', () => {
    const request = build(awslogs({ logGroup: 'g', logEvents: [1, { message: 'm' }] }))
    if (request.kind !== 'logs') throw new Error(request.kind)
    expect(request.records).toEqual([
      expect.objectContaining({ id: '', message: 'm', logGroup: 'g', timestamp: undefined }),
    ])
  })
})

describe('Kinesis Data Firehose transformations', () => {
  it('reads each record with its data decoded and the delivery stream name', () => {
    const request = as('firehose', 'kinesis/firehose')
    expect(request.records.map((r) => r.data)).toEqual(['Hello World', '{"Hello": "World"}'])
    expect(request.records[0]).toMatchObject({
      recordId: 'record1',
      deliveryStreamName: 'delivery-stream-name',
      sourceStreamName: 'kinesis-source',
      partitionKey: '4d1ad2b9-24f8-4b9d-a088-76e9947c317a',
      approximateArrivalTimestamp: 1664028820148,
    })
    expect(as('firehose', 'kinesis/firehose-put').records[1]?.sourceStreamName).toBeUndefined()
  })
})

describe('SES receipt rules', () => {
  it('reads the mail and its receipt', () => {
    const [mail] = as('ses', 'ses/base').records
    expect(mail).toMatchObject({
      messageId: 'o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1x',
      from: 'janedoe@example.com',
      destination: ['johndoe@example.com'],
      recipients: ['johndoe@example.com'],
      subject: 'Test Subject',
      timestamp: '1970-01-01T00:00:00.000Z',
      verdicts: { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
    })
  })
})

describe('API Gateway WebSocket APIs', () => {
  it('reads a $connect event with its headers, query and callback URL', () => {
    expect(as('websocket', 'websocket/connect')).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      connectionId: 'SxHsPdNUoAMCLvw=',
      headers: {
        host: 'abcd123456.execute-api.us-east-1.amazonaws.com',
        'sec-websocket-version': '13',
      },
      query: { room: 'lobby' },
      body: undefined,
      stage: 'prod',
      sourceIp: '192.0.2.1',
      gatewayRequestId: 'SxHsPGlCIAMEc8g=',
      connectedAt: 1707502303419,
      callbackUrl: 'https://abcd123456.execute-api.us-east-1.amazonaws.com/prod',
    })
  })

  it('reads a message with its body, and a binary message decoded from base64', () => {
    expect(as('websocket', 'websocket/message')).toMatchObject({
      routeKey: 'sendMessage',
      eventType: 'MESSAGE',
      body: '{"action":"sendMessage","message":"hello"}',
      headers: {},
    })
    const binary = loadEvent('websocket/message')
    binary.body = Buffer.from('hi there').toString('base64')
    binary.isBase64Encoded = true
    const request = build(binary)
    if (request.kind !== 'websocket') throw new Error(request.kind)
    expect(request.body).toBe('hi there')
    expect([...(request.bodyBytes ?? [])]).toEqual([...Buffer.from('hi there')])
  })

  it('reads a $disconnect event', () => {
    expect(as('websocket', 'websocket/disconnect')).toMatchObject({
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
    })
  })
})

describe('Cognito user pool triggers', () => {
  it('reads the trigger source, the trigger and the user', () => {
    expect(as('cognito', 'cognito/pre-signup')).toMatchObject({
      triggerSource: 'PreSignUp_SignUp',
      trigger: 'PreSignUp',
      userPoolId: 'us-east-1_EXAMPLE',
      userName: 'testuser',
      clientId: '1example23456789',
      region: 'us-east-1',
      userAttributes: { email: 'testuser@example.com', phone_number: '+15555550100' },
      response: { autoConfirmUser: false },
    })
    expect(as('cognito', 'cognito/pre-token-generation-v2')).toMatchObject({
      trigger: 'TokenGeneration',
      request: { scopes: ['openid', 'email'] },
    })
    expect(as('cognito', 'cognito/post-confirmation').response).toEqual({})
  })
})

describe('Secrets Manager rotation', () => {
  it('reads the step and the secret', () => {
    expect(as('secretsmanager', 'secretsmanager/rotation')).toMatchObject({
      step: 'createSecret',
      secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:MyTestDatabaseSecret-a1b2c3',
      clientRequestToken: 'EXAMPLE1-90ab-cdef-fedc-ba987SECRET1',
      rotationToken: '0b6a8d2c-7e1f-4a3b-9c5d-EXAMPLE22222',
    })
  })
})

describe('CloudFormation custom resources', () => {
  it('reads the request type, the resource and its properties', () => {
    expect(as('cloudformation', 'cloudformation/create')).toMatchObject({
      requestType: 'Create',
      resourceType: 'Custom::TestResource',
      logicalResourceId: 'MyTestResource',
      physicalResourceId: undefined,
      stackRequestId: 'unique id for this create request',
      properties: { Name: 'Value', List: ['1', '2', '3'] },
      oldProperties: undefined,
    })
    expect(as('cloudformation', 'cloudformation/update')).toMatchObject({
      requestType: 'Update',
      physicalResourceId: 'MyTestResource-physical-id',
      oldProperties: { Name: 'Value' },
    })
  })
})

describe('AppSync direct Lambda resolvers', () => {
  it('reads the field, its arguments and the caller', () => {
    const request = as('appsync', 'appsync/query')
    expect(request).toMatchObject({
      typeName: 'Query',
      fieldName: 'getPost',
      arguments: { id: 'my identifier' },
      selectionSetList: ['id', 'field1', 'field2'],
      source: null,
    })
    expect(request.headers['content-type']).toBe('application/json')
    expect(request.identity).toMatchObject({ username: 'jdoe' })
  })

  it('keeps a batch of resolver events (an array) as an unknown request', () => {
    expect(build([loadEvent('appsync/query')]).kind).toBe('unknown')
  })
})

describe('Bedrock Agent action groups', () => {
  it('reads an OpenAPI action with its parameters and request body', () => {
    expect(as('bedrock', 'bedrock-agent/openapi')).toMatchObject({
      actionGroup: 'orders-api',
      operation: 'GET /orders/{orderId}',
      apiPath: '/orders/{orderId}',
      httpMethod: 'GET',
      function: undefined,
      parameters: { orderId: '42' },
      sessionAttributes: { tenant: 'acme' },
      agent: { name: 'OrdersAgent', id: 'AGENT12345' },
      inputText: 'What is the status of order 42?',
    })
    expect(as('bedrock', 'bedrock-agent/openapi-body')).toMatchObject({
      operation: 'POST /orders',
      properties: { sku: 'widget', quantity: '2' },
    })
  })

  it('reads a function-details action', () => {
    expect(as('bedrock', 'bedrock-agent/function')).toMatchObject({
      actionGroup: 'clock',
      operation: 'getTime',
      function: 'getTime',
      parameters: { city: 'Paris' },
    })
  })
})

describe('scheduled EventBridge events', () => {
  it('reads a scheduled event as an EventBridge event naming its rule', () => {
    const [event] = as('eventbridge', 'eventbridge-schedule/base').records
    expect(event).toMatchObject({
      detailType: 'Scheduled Event',
      source: 'aws.events',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/nightly-report'],
    })
  })
})

describe('events that only look like a source', () => {
  it.each([
    ['a Cognito-looking event without a user pool', { triggerSource: 'PreSignUp_SignUp' }],
    ['a rotation without a secret', { Step: 'createSecret', ClientRequestToken: 't' }],
    ['a custom resource without a stack', { RequestType: 'Create', ResponseURL: 'https://x' }],
    ['an AppSync event without a type name', { arguments: {}, info: { fieldName: 'x' } }],
    ['a Bedrock event without an action group', { messageVersion: '1.0', httpMethod: 'GET' }],
    ['a WebSocket event without a route key', { requestContext: { connectionId: 'c' } }],
    ['a Firehose event without records', { deliveryStreamArn: 'arn', invocationId: 'i' }],
  ])('keeps %s as an unknown request', (_case, event) => {
    expect(build(event).kind).toBe('unknown')
  })
})

describe('Bedrock Agent values as the agent may send them', () => {
  it('reads numeric parameters as text and a body without content as no properties', () => {
    const event = loadEvent('bedrock-agent/function')
    event.parameters = [{ name: 'n', value: 3 }, { name: 'b', value: true }, { value: 'x' }, 'bad']
    event.requestBody = { content: {} }
    const request = build(event)
    if (request.kind !== 'bedrock') throw new Error(request.kind)
    expect(request.parameters).toEqual({ n: '3', b: 'true' })
    expect(request.properties).toEqual({})
  })
})
