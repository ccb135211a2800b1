import { describe, expect, it } from 'vitest'
import { type AppRequest, buildRequest, type HttpRequest } from '../../src/request/index.ts'
import { allEventNames, loadEvent } from '../support/events.ts'

const build = (name: string): AppRequest => {
  const result = buildRequest(loadEvent(name), { clock: () => 1_000, requestId: 'lambda-1' })
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
  return result.value
}

const http = (name: string): HttpRequest => {
  const request = build(name)
  if (request.kind !== 'http') throw new Error(`${name} is ${request.kind}`)
  return request
}

const records = (name: string, kind: AppRequest['kind']) => {
  const request = build(name)
  if (request.kind !== kind || !('records' in request))
    throw new Error(`${name} is ${request.kind}`)
  return request.records as unknown as readonly Record<string, unknown>[]
}

describe('every event sample', () => {
  it.each(allEventNames())('%s builds without throwing and keeps the raw event', (name) => {
    const event = loadEvent(name)
    const result = buildRequest(event)
    if (result.ok) expect(result.value.event).toBe(event)
    else expect(result.error.statusCode).toBe(400)
  })
})

describe('HTTP samples', () => {
  it('reads an API Gateway REST v1 event', () => {
    const request = http('apigw-rest/no-auth')
    expect(request).toMatchObject({
      kind: 'http',
      shape: 'rest-v1',
      method: 'POST',
      path: '/no-auth',
      sourceIp: '15.248.3.126',
      gatewayRequestId: 'f88e38e3-2060-4a56-93c0-9efbc6a659a0',
      stage: 'prod',
      body: undefined,
      json: undefined,
      receivedAt: 1_000,
      requestId: 'lambda-1',
      multiValue: true,
    })
    expect(Object.keys(request.headers).every((name) => name === name.toLowerCase())).toBe(true)
  })

  it.each([
    ['apigw-rest/console-test-ui', '/no-auth', 'test-invoke-stage'],
    ['apigw-rest/iam-auth', '/iam', 'prod'],
    ['apigw-rest/jwt-authorizer-auth', '/cognito', 'prod'],
    ['apigw-rest/lambda-authorizer-auth', '/lambda-token', 'prod'],
    ['apigw-rest/authorizer-request', '/lambda-request', 'prod'],
  ])('reads the REST v1 sample %s', (name, path, stage) => {
    expect(http(name)).toMatchObject({ shape: 'rest-v1', method: 'POST', path, stage })
  })

  it.each([
    ['apigw-http/no-auth', '/lambda'],
    ['apigw-http/iam-auth', '/iam'],
    ['apigw-http/jwt-authorizer-auth', '/cognito'],
    ['apigw-http/lambda-authorizer-auth', '/lambda'],
    ['apigw-http/authorizer-request', '/lambda'],
  ])('reads the HTTP API v2 sample %s', (name, path) => {
    const request = http(name)
    expect(request).toMatchObject({ shape: 'http-v2', method: 'POST', path, stage: '$default' })
    expect(request.sourceIp).toBe('15.248.3.126')
    expect(request.multiValue).toBe(false)
  })

  it('reads the bearer header of an HTTP API sample with a lower-case name', () => {
    expect(http('apigw-http/no-auth').headers.authorization).toBe('Bearer foo')
  })

  it('reads a Function URL event with cookies, repeated query values and a text body', () => {
    const request = http('function-url/iam-auth')
    expect(request).toMatchObject({
      shape: 'function-url',
      method: 'POST',
      path: '/my/path',
      body: 'Hello from client!',
      sourceIp: '123.123.123.123',
      query: { parameter1: 'value2', parameter2: 'value' },
      multiValueQuery: { parameter1: ['value1', 'value2'], parameter2: ['value'] },
    })
    expect(http('function-url/get-request')).toMatchObject({ method: 'GET', path: '/' })
  })

  it('reads ALB events with single and multi-value fields', () => {
    expect(http('alb/base')).toMatchObject({
      shape: 'alb',
      method: 'GET',
      path: '/lambda',
      query: { query: '1234ABCD' },
      body: 'Test',
      multiValue: false,
      sourceIp: '72.12.164.125',
    })
    expect(http('alb/multi-fields')).toMatchObject({
      shape: 'alb',
      multiValue: true,
      sourceIp: '123.123.123.123',
      multiValueHeaders: { 'user-agent': ['curl/7.79.1'] },
    })
  })

  it.each([['function-url/invalid', 'no path']])(
    'answers the malformed sample %s with a 400 that says what is missing',
    (name, says) => {
      const result = buildRequest(loadEvent(name))
      expect(result.ok).toBe(false)
      if (!result.ok) {
        expect(result.error.statusCode).toBe(400)
        expect(result.error.message).toContain(says)
      }
    },
  )

  it.each([
    'apigw-rest/authorizer-token',
    'cloudwatch-logs/invalid',
    's3/object-iam-user',
    's3/object-temp-credentials',
  ])('keeps the unsupported sample %s as an unknown request', (name) => {
    const request = build(name)
    expect(request.kind).toBe('unknown')
  })
})

describe('record samples', () => {
  it('reads S3 notifications with the key URL-decoded', () => {
    expect(records('s3/base', 's3')[0]).toMatchObject({
      bucket: 'lambda-artifacts-deafc19498e3f2df',
      key: 'b21b84d653bb07b05b1e6b33684dc11b',
      size: 1305107,
      eventName: 'ObjectCreated:Put',
      eventTime: '2019-09-03T19:37:27.192Z',
    })
    expect(records('s3/decoded-key', 's3')[0]).toMatchObject({
      bucket: 'sourcebucket',
      key: 'Happy Face.jpg',
      versionId: 'version',
    })
    expect(records('s3/delete-object', 's3')[0]).toMatchObject({
      eventName: 'ObjectRemoved:Delete',
      size: undefined,
    })
    expect(records('s3/glacier', 's3')).toHaveLength(1)
    expect(records('s3/s3-lifecycle-event', 's3')[0]).toMatchObject({
      key: 'expiration/delete',
      eventName: 'LifecycleExpiration:Delete',
    })
  })

  it.each([
    ['s3/eventbridge-object-created', 'Object Created', 184662],
    ['s3/eventbridge-object-deleted', 'Object Deleted', undefined],
    ['s3/eventbridge-object-expired', 'Object Deleted', 184662],
    ['s3/eventbridge-object-restored', 'Object Restore Completed', 184662],
  ])('reads the S3-through-EventBridge sample %s as an S3 request', (name, eventName, size) => {
    expect(records(name, 's3')[0]).toMatchObject({
      bucket: 'example-bucket',
      key: 'IMG_m7fzo3.jpg',
      eventName,
      size,
    })
  })

  it('reads SQS messages with the queue name from the ARN', () => {
    const messages = records('sqs/base', 'sqs')
    expect(messages).toHaveLength(2)
    expect(messages[0]).toMatchObject({
      messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
      queueName: 'my-queue',
      body: 'Test message.',
      sns: undefined,
    })
    expect(records('s3/sqs-event', 'sqs')[0]).toMatchObject({ queueName: 'SQS' })
  })

  it('unwraps SNS notifications in SQS bodies only when asked', () => {
    const plain = records('sqs/sns-body', 'sqs')[0]
    expect(plain?.body).toContain('"Type" : "Notification"')
    const result = buildRequest(loadEvent('sqs/sns-body'), { unwrapSns: true })
    if (!result.ok || result.value.kind !== 'sqs') throw new Error('not sqs')
    expect(result.value.records[0]).toMatchObject({
      body: '{"message": "hello world"}',
      sns: {
        topicName: 'powertools265',
        messageId: 'd88d4479-6ec0-54fe-b63f-1cf9df4bb16e',
        subject: undefined,
      },
    })
  })

  it('reads SNS notifications with the topic name from the ARN', () => {
    expect(records('sns/base', 'sns')[0]).toMatchObject({
      topicName: 'ExampleTopic',
      subject: 'TestInvoke',
      message: 'Hello from SNS!',
    })
  })

  it('reads an EventBridge event as a batch of one', () => {
    expect(records('eventbridge/base', 'eventbridge')).toEqual([
      expect.objectContaining({
        source: 'aws.ec2',
        detailType: 'EC2 Instance State-change Notification',
        detail: { instance_id: 'i-1234567890abcdef0', state: 'terminated' },
        account: '111122223333',
      }),
    ])
  })

  it('reads Kafka records with key, value and headers decoded', () => {
    expect(records('kafka/base', 'kafka')[0]).toMatchObject({
      topic: 'mytopic',
      partition: 0,
      offset: 15,
      key: 'recordKey',
      value: '{"key":"value"}',
      headers: { headerKey: 'headerValue' },
    })
    const msk = records('kafka/msk-default', 'kafka')
    expect(msk).toHaveLength(3)
    expect(msk[1]).toMatchObject({ offset: 16, key: undefined })
  })

  it('reads DynamoDB Streams and Kinesis records', () => {
    expect(records('dynamodb/base', 'dynamodb')[0]).toMatchObject({
      eventName: 'INSERT',
      sequenceNumber: '111',
      keys: { Id: { N: '101' } },
    })
    expect(records('kinesis/stream', 'kinesis')[0]).toMatchObject({
      streamName: 'lambda-stream',
      partitionKey: '1',
      data: 'Hello, this is a test.',
    })
    expect(records('kinesis/dynamodb-stream', 'kinesis')).toHaveLength(2)
    expect(records('kinesis/stream-cloudwatch-logs', 'kinesis')).toHaveLength(2)
  })
})
