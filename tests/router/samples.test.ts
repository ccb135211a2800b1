import { describe, expect, it } from 'vitest'
import type { EventRoutes, HttpRoute, RecordRoutes } from '../../src/router/index.ts'
import { router } from '../../src/router/index.ts'
import { allEventNames, loadEvent } from '../support/events.ts'
import { context } from './support.ts'

const calls: string[] = []
const http = (method: string, path: string): HttpRoute => ({
  method,
  path,
  handler: () => ({ route: `${method} ${path}` }),
})
const records = <K extends string, R>(kind: K, ...keys: string[]): RecordRoutes<K, R> =>
  Object.fromEntries(keys.map((key) => [key, (_record: R) => void calls.push(`${kind}:${key}`)]))
const events = <R>(kind: string, ...keys: string[]): EventRoutes<R> =>
  Object.fromEntries(keys.map((key) => [key, (_request: R) => void calls.push(`${kind}:${key}`)]))

const app = router(
  {
    http: [
      http('POST', '/lambda'),
      http('GET', '/lambda'),
      http('POST', '/iam'),
      http('POST', '/cognito'),
      http('POST', '/lambda-request'),
      http('POST', '/lambda-token'),
      http('POST', '/no-auth'),
      http('POST', '/websocket'),
      http('ANY', '/'),
      http('POST', '/my/{rest+}'),
      http('GET', '/invalid'),
      http('GET', '/orders/{id}'),
      http('POST', '/orders'),
    ],
    s3: records(
      's3',
      'lambda-artifacts-deafc19498e3f2df',
      'sourcebucket',
      'amzn-s3-demo-bucket',
      'example-bucket',
    ),
    sqs: records('sqs', 'my-queue', 'SQS', 'powertools265'),
    sns: records('sns', 'ExampleTopic'),
    eventbridge: records(
      'eventbridge',
      'aws.ec2:EC2 Instance State-change Notification',
      'nightly-report',
    ),
    kafka: records('kafka', 'mytopic'),
    // the DynamoDB sample's ARNs are placeholders without a table name
    dynamodb: records('dynamodb', '*'),
    kinesis: records(
      'kinesis',
      'lambda-stream',
      'PowertoolsEventsStack-KinesisStream46752A3E-u0C9B3ZKjgG0',
      'pt-1488-KinesisStreamCloudWatchLogs-D8tHs0im0aJG',
    ),
    logs: records('logs', '/aws/lambda/echo-nodejs'),
    firehose: records('firehose', 'delivery-stream-name', 'PUT-S3-tdyyE'),
    ses: records('ses', 'johndoe@example.com'),
    websocket: events('websocket', '$connect', '$disconnect', 'sendMessage'),
    cognito: events('cognito', 'PreSignUp_SignUp', 'PostConfirmation', 'TokenGeneration'),
    secretsmanager: events('secretsmanager', 'createSecret'),
    cloudformation: events('cloudformation', 'Custom::TestResource:Create', 'Custom::TestResource'),
    appsync: events('appsync', 'Query.getPost'),
    bedrock: events('bedrock', 'getTime', 'GET /orders/{orderId}', 'orders-api'),
  },
  { logger: false },
)

/**
 * What each sample must produce: an HTTP route, the record routes called (and no answer), the
 * routes called of a source whose caller reads an answer, or an error status.
 */
const expected: Record<
  string,
  | { route: string }
  | { records: string[] }
  | { calls: string[] }
  | { status: number; thrown?: true }
> = {
  'alb/base': { route: 'GET /lambda' },
  'alb/multi-fields': { route: 'GET /lambda' },
  'apigw-http/authorizer-request': { route: 'POST /lambda' },
  'apigw-http/iam-auth': { route: 'POST /iam' },
  'apigw-http/invalid': { route: 'GET /invalid' },
  'apigw-http/jwt-authorizer-auth': { route: 'POST /cognito' },
  'apigw-http/lambda-authorizer-auth': { route: 'POST /lambda' },
  'apigw-http/no-auth': { route: 'POST /lambda' },
  'apigw-rest/authorizer-request': { route: 'POST /lambda-request' },
  'apigw-rest/authorizer-token': { status: 400, thrown: true },
  'apigw-rest/console-test-ui': { route: 'POST /no-auth' },
  'apigw-rest/iam-auth': { route: 'POST /iam' },
  'apigw-rest/invalid': { route: 'ANY /' },
  'apigw-rest/jwt-authorizer-auth': { route: 'POST /cognito' },
  'apigw-rest/lambda-authorizer-auth': { route: 'POST /lambda-token' },
  'apigw-rest/no-auth': { route: 'POST /no-auth' },
  'apigw-rest/websocket': { calls: ['websocket:$connect'] },
  'appsync/query': { calls: ['appsync:Query.getPost'] },
  'bedrock-agent/function': { calls: ['bedrock:getTime'] },
  'bedrock-agent/openapi': { calls: ['bedrock:GET /orders/{orderId}'] },
  'bedrock-agent/openapi-body': { calls: ['bedrock:orders-api'] },
  'cloudformation/create': { calls: ['cloudformation:Custom::TestResource:Create'] },
  'cloudformation/update': { calls: ['cloudformation:Custom::TestResource'] },
  'cloudwatch-logs/base': {
    records: ['logs:/aws/lambda/echo-nodejs', 'logs:/aws/lambda/echo-nodejs'],
  },
  'cloudwatch-logs/control-message': { records: [] },
  'cloudwatch-logs/invalid': { status: 400, thrown: true },
  'cognito/post-confirmation': { calls: ['cognito:PostConfirmation'] },
  'cognito/pre-signup': { calls: ['cognito:PreSignUp_SignUp'] },
  'cognito/pre-token-generation-v2': { calls: ['cognito:TokenGeneration'] },
  'dynamodb/base': { records: ['dynamodb:*', 'dynamodb:*'] },
  'eventbridge/base': { records: ['eventbridge:aws.ec2:EC2 Instance State-change Notification'] },
  'eventbridge-schedule/base': { records: ['eventbridge:nightly-report'] },
  'function-url/base': { route: 'ANY /' },
  'function-url/get-request': { route: 'ANY /' },
  'function-url/iam-auth': { route: 'POST /my/{rest+}' },
  'function-url/invalid': { status: 400 },
  'kafka/base': { records: ['kafka:mytopic'] },
  'kafka/msk-default': { records: ['kafka:mytopic', 'kafka:mytopic', 'kafka:mytopic'] },
  'kinesis/dynamodb-stream': {
    records: [
      'kinesis:PowertoolsEventsStack-KinesisStream46752A3E-u0C9B3ZKjgG0',
      'kinesis:PowertoolsEventsStack-KinesisStream46752A3E-u0C9B3ZKjgG0',
    ],
  },
  'kinesis/firehose': { calls: ['firehose:delivery-stream-name', 'firehose:delivery-stream-name'] },
  'kinesis/firehose-put': {
    calls: ['firehose:delivery-stream-name', 'firehose:delivery-stream-name'],
  },
  'kinesis/firehose-sqs': { calls: ['firehose:PUT-S3-tdyyE'] },
  'kinesis/firehose-sqs-invalid': { calls: ['firehose:PUT-S3-tdyyE'] },
  'lattice/v1': { route: 'GET /orders/{id}' },
  'lattice/v2': { route: 'POST /orders' },
  'kinesis/stream': { records: ['kinesis:lambda-stream', 'kinesis:lambda-stream'] },
  'kinesis/stream-cloudwatch-logs': {
    records: [
      'kinesis:pt-1488-KinesisStreamCloudWatchLogs-D8tHs0im0aJG',
      'kinesis:pt-1488-KinesisStreamCloudWatchLogs-D8tHs0im0aJG',
    ],
  },
  's3/base': { records: ['s3:lambda-artifacts-deafc19498e3f2df'] },
  's3/decoded-key': { records: ['s3:sourcebucket'] },
  's3/delete-object': { records: ['s3:lambda-artifacts-deafc19498e3f2df'] },
  's3/eventbridge-object-created': { records: ['s3:example-bucket'] },
  's3/eventbridge-object-deleted': { records: ['s3:example-bucket'] },
  's3/eventbridge-object-expired': { records: ['s3:example-bucket'] },
  's3/eventbridge-object-restored': { records: ['s3:example-bucket'] },
  's3/glacier': { records: ['s3:lambda-artifacts-deafc19498e3f2df'] },
  's3/object-iam-user': { status: 400, thrown: true },
  's3/object-temp-credentials': { status: 400, thrown: true },
  's3/s3-lifecycle-event': { records: ['s3:amzn-s3-demo-bucket'] },
  's3/sqs-event': { records: ['sqs:SQS'] },
  'secretsmanager/rotation': { calls: ['secretsmanager:createSecret'] },
  'self-managed-kafka/base': { records: ['kafka:mytopic'] },
  'self-managed-kafka/legacy-event-source': { records: ['kafka:mytopic'] },
  'ses/base': { records: ['ses:johndoe@example.com'] },
  'sns/base': { records: ['sns:ExampleTopic'] },
  'sqs/base': { records: ['sqs:my-queue', 'sqs:my-queue'] },
  'sqs/sns-body': { records: ['sqs:powertools265'] },
  'websocket/connect': { calls: ['websocket:$connect'] },
  'websocket/disconnect': { calls: ['websocket:$disconnect'] },
  'websocket/message': { calls: ['websocket:sendMessage'] },
}

describe('every Lambda event sample', () => {
  it('has an expectation here', () => {
    expect(Object.keys(expected).sort()).toEqual(allEventNames())
  })

  it.each(allEventNames())('%s routes as expected', async (name) => {
    calls.length = 0
    const want = expected[name]
    const run = app(loadEvent(name), context())
    if (want === undefined) throw new Error(`no expectation for ${name}`)
    if ('thrown' in want) {
      await expect(run).rejects.toMatchObject({ statusCode: want.status })
      return
    }
    const response = (await run) as { statusCode: number; body: string } | undefined
    if ('route' in want) {
      expect(response?.statusCode).toBe(200)
      expect(JSON.parse(response?.body ?? '')).toEqual(want)
    } else if ('records' in want) {
      expect(response).toBeUndefined()
      expect(calls).toEqual(want.records)
    } else if ('calls' in want) {
      expect(calls).toEqual(want.calls)
    } else {
      expect(response?.statusCode).toBe(want.status)
    }
  })
})
