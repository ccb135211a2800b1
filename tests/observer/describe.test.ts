import { describe, expect, it } from 'vitest'
import {
  correlationIds,
  eventKind,
  httpLine,
  routeKey,
  statusOf,
} from '../../src/observer/describe.ts'
import { loadEvent } from '../support/events.ts'

describe('eventKind', () => {
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
  ])('names the sample %s a %s event', (name, kind) => {
    expect(eventKind(loadEvent(name), {})).toBe(kind)
  })

  it('prefers the kind of the request the request builder built', () => {
    expect(eventKind(loadEvent('sqs/base'), { request: { kind: 'custom' } })).toBe('custom')
  })

  it('calls anything else unknown', () => {
    expect(eventKind('text', {})).toBe('unknown')
    expect(eventKind({}, {})).toBe('unknown')
    expect(eventKind({ Records: [] }, {})).toBe('unknown')
    expect(eventKind({ Records: [{ eventSource: 'aws:ses' }] }, {})).toBe('unknown')
    expect(eventKind({ Records: [{ EventSource: 'aws:sns' }] }, {})).toBe('sns')
    expect(eventKind({ Records: [{}] }, {})).toBe('unknown')
  })
})

describe('correlationIds', () => {
  it("reads API Gateway's request id and the trace header whatever its case", () => {
    expect(correlationIds(loadEvent('apigw-http/no-auth'))).toEqual({
      gateway_request_id: expect.any(String),
      trace_id: expect.stringMatching(/^Root=/),
    })
    expect(
      correlationIds({ requestContext: { requestId: 'r' }, headers: { 'x-amzn-trace-id': 't' } }),
    ).toEqual({ gateway_request_id: 'r', trace_id: 't' })
    expect(correlationIds({ headers: { 'X-AMZN-TRACE-ID': 'upper' } })).toEqual({
      trace_id: 'upper',
    })
  })

  it('finds nothing in events without them', () => {
    expect(correlationIds(undefined)).toEqual({})
    expect(correlationIds({ headers: { other: 'x' } })).toEqual({})
    expect(correlationIds(loadEvent('sqs/base'))).toEqual({})
  })
})

describe('httpLine', () => {
  it('reads method and path from HTTP API v2 events and from the built request', () => {
    expect(httpLine(loadEvent('apigw-http/no-auth'), {})).toEqual({
      method: 'POST',
      path: '/lambda',
    })
    expect(httpLine({}, { request: { method: 'GET', path: '/built' } })).toEqual({
      method: 'GET',
      path: '/built',
    })
  })

  it('is empty for events that are not HTTP', () => {
    expect(httpLine(null, {})).toEqual({})
  })
})

describe('routeKey and statusOf', () => {
  it('reads the resolved route key only when a router set one', () => {
    expect(routeKey({ route: { key: '/orders/{id}' } })).toBe('/orders/{id}')
    expect(routeKey({})).toBeUndefined()
  })

  it("takes the response's status, else the error's, else 500 for an error", () => {
    expect(statusOf({ statusCode: 204 }, undefined)).toBe(204)
    expect(statusOf({ batchItemFailures: [] }, undefined)).toBeUndefined()
    expect(statusOf(undefined, null)).toBeUndefined()
    expect(statusOf(undefined, { statusCode: 503 })).toBe(503)
    expect(statusOf(undefined, new Error('x'))).toBe(500)
  })
})
