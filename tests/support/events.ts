/**
 * Loads the real Lambda event samples in `tests/fixtures/events/` (copied from Powertools for AWS
 * Lambda's test events). Each call returns a fresh deep copy, so a test may change it freely.
 */
import { readdirSync, readFileSync } from 'node:fs'

const root = new URL('../fixtures/events/', import.meta.url)

/** A fresh copy of `tests/fixtures/events/<name>.json`, e.g. `loadEvent('sqs/base')`. */
export const loadEvent = <T = Record<string, unknown>>(name: string): T =>
  JSON.parse(readFileSync(new URL(`${name}.json`, root), 'utf8')) as T

/** Every sample name, as `source/file` without `.json`. */
export const allEventNames = (): string[] =>
  readdirSync(root)
    .flatMap((dir) =>
      readdirSync(new URL(`${dir}/`, root)).map((file) => `${dir}/${file.replace(/\.json$/, '')}`),
    )
    .sort()

/** A Lambda context good enough for handlers under test. */
export const lambdaContext = (overrides: Record<string, unknown> = {}) => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'test-fn',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:test-fn',
  memoryLimitInMB: '128',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/test-fn',
  logStreamName: '2026/11/25/[$LATEST]abc',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
  ...overrides,
})

/** A REST API (v1) GET of `path`, from the `apigw-rest/no-auth` sample. */
export const restGet = (path: string) => ({
  ...loadEvent('apigw-rest/no-auth'),
  httpMethod: 'GET',
  path,
  resource: path,
  body: null,
})
