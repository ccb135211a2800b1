import { describe, expect, it } from 'vitest'
import { type AppRequest, buildRequest } from '../../src/request/index.ts'
import { loadEvent } from '../support/events.ts'

const build = (event: unknown): AppRequest => {
  const result = buildRequest(event)
  if (!result.ok) throw new Error(result.error.message)
  return result.value
}

describe('record edge cases', () => {
  it('decodes S3 keys with + as space and keeps a malformed escape as sent', () => {
    const event = loadEvent<{ Records: { s3: { object: { key: string } } }[] }>('s3/base')
    const record = event.Records[0]
    if (record === undefined) throw new Error('no record')
    record.s3.object.key = 'reports/Q1+2026%2Ffinal.csv'
    const second = structuredClone(record)
    second.s3.object.key = 'bad%E0%A4%A'
    event.Records.push(second)
    const request = build(event)
    if (request.kind !== 's3') throw new Error(request.kind)
    expect(request.records.map((r) => r.key)).toEqual(['reports/Q1 2026/final.csv', 'bad%E0%A4%A'])
  })

  it('reads the table name of a DynamoDB stream ARN', () => {
    const event = loadEvent<{ Records: { eventSourceARN: string }[] }>('dynamodb/base')
    for (const record of event.Records) {
      record.eventSourceARN =
        'arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000'
    }
    const request = build(event)
    if (request.kind !== 'dynamodb') throw new Error(request.kind)
    expect(request.records.map((r) => r.tableName)).toEqual(['Orders', 'Orders'])
  })

  it('tolerates records of the wrong types without throwing', () => {
    const request = build({
      Records: [
        'not an object',
        { eventSource: 'aws:sqs', body: 42, eventSourceARN: null, attributes: { a: 1, b: 'x' } },
      ],
    })
    if (request.kind !== 'sqs') throw new Error(request.kind)
    expect(request.records).toHaveLength(1)
    expect(request.records[0]).toMatchObject({ body: '', queueName: '', attributes: { b: 'x' } })
  })

  it('keeps SQS bodies that only look like SNS envelopes as they are', () => {
    const bodies = ['{not json', '{"Type":"Other"}', '[1]', 'plain']
    const request = buildRequest(
      { Records: bodies.map((body) => ({ eventSource: 'aws:sqs', body })) },
      { unwrapSns: true },
    )
    if (!request.ok || request.value.kind !== 'sqs') throw new Error('not sqs')
    expect(request.value.records.map((r) => r.body)).toEqual(bodies)
    expect(request.value.records.every((r) => r.sns === undefined)).toBe(true)
  })

  it('reads Kafka headers given as strings and skips malformed ones', () => {
    const request = build({
      eventSource: 'SelfManagedKafka',
      records: {
        'orders-0': [
          { topic: 'orders', value: 'eA==', headers: [{ a: 'plain' }, { b: ['x'] }, 'junk'] },
          'junk',
        ],
        broken: 'not a list',
      },
    })
    if (request.kind !== 'kafka') throw new Error(request.kind)
    expect(request.records).toHaveLength(1)
    expect(request.records[0]).toMatchObject({
      topic: 'orders',
      value: 'x',
      key: undefined,
      partition: -1,
      offset: -1,
      headers: { a: 'plain' },
    })
  })

  it.each([
    ['null', null],
    ['a string', 'hello'],
    ['an array', [1, 2]],
    ['Records: null', { Records: null }],
    ['empty Records', { Records: [] }],
    ['Records of scalars', { Records: [1, 'a'] }],
    ['an unknown record source', { Records: [{ eventSource: 'aws:codecommit' }] }],
    ['Kafka without records', { eventSource: 'aws:kafka', records: null }],
    ['a scheduled-looking event without detail-type', { source: 'aws.events' }],
  ])('answers %s with an unknown request that keeps the event', (_name, event) => {
    const request = build(event)
    expect(request.kind).toBe('unknown')
    expect(request.event).toBe(event)
  })

  it('treats an aws.s3 EventBridge event without a bucket as a plain EventBridge event', () => {
    const request = build({ source: 'aws.s3', 'detail-type': 'Bucket Created', detail: {} })
    expect(request.kind).toBe('eventbridge')
  })
})

describe('record sources read the same way whichever way they come', () => {
  it('URL-decodes S3 keys that come through EventBridge, as direct notifications', () => {
    const event = loadEvent<{ detail: { object: { key: string } } }>(
      's3/eventbridge-object-created',
    )
    event.detail.object.key = 'uploads/my+file%281%29.txt'
    const request = build(event)
    if (request.kind !== 's3') throw new Error(request.kind)
    expect(request.records[0]?.key).toBe('uploads/my file(1).txt')
  })

  it('reads self-managed Kafka events with the current and the older event source', () => {
    for (const name of ['self-managed-kafka/base', 'self-managed-kafka/legacy-event-source']) {
      const request = build(loadEvent(name))
      if (request.kind !== 'kafka') throw new Error(`${name} read as ${request.kind}`)
      expect(request.records[0]).toMatchObject({ topic: 'mytopic', key: 'abcDEF123' })
    }
  })
})
