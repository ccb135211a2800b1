import { describe, expect, it, vi } from 'vitest'
import { BadRequestError } from '../../src/errors/index.ts'
import type { KafkaRecord, SqsRecord } from '../../src/request/index.ts'
import { err, ok } from '../../src/result/index.ts'
import { RouteTableError, router } from '../../src/router/index.ts'
import { loadEvent } from '../support/events.ts'
import { spyLogger } from '../support/logger.ts'
import { context } from './support.ts'

type Json = Record<string, unknown>

/** An SQS event with one message per (queue, id, body) triple. */
const sqsEvent = (...messages: [queue: string, id: string, body: string][]) => {
  const base = loadEvent<{ Records: Json[] }>('sqs/base')
  const template = base.Records[0] as Json
  return {
    Records: messages.map(([queue, id, body]) => ({
      ...template,
      messageId: id,
      body,
      eventSourceARN: `arn:aws:sqs:eu-west-1:123456789012:${queue}`,
    })),
  }
}

const kinesisEvent = (...records: [stream: string, sequence: string, data: string][]) => {
  const template = loadEvent<{ Records: Json[] }>('kinesis/stream').Records[0] as Json
  return {
    Records: records.map(([stream, sequence, data]) => ({
      ...template,
      eventSourceARN: `arn:aws:kinesis:eu-west-1:123456789012:stream/${stream}`,
      kinesis: { ...(template.kinesis as Json), sequenceNumber: sequence, data: btoa(data) },
    })),
  }
}

const dynamoEvent = (...records: [table: string, sequence: string, id: string][]) => {
  const template = loadEvent<{ Records: Json[] }>('dynamodb/base').Records[0] as Json
  return {
    Records: records.map(([table, sequence, id]) => ({
      ...template,
      eventSourceARN: `arn:aws:dynamodb:eu-west-1:123456789012:table/${table}/stream/2026-01-01T00:00:00.000`,
      dynamodb: {
        ...(template.dynamodb as Json),
        SequenceNumber: sequence,
        Keys: { Id: { N: id } },
      },
    })),
  }
}

const kafkaEvent = (
  ...records: [topic: string, partition: number, offset: number, value: string][]
) => {
  const base = loadEvent<Json>('kafka/msk-default')
  const grouped: Record<string, Json[]> = {}
  for (const [topic, partition, offset, value] of records) {
    const list = grouped[`${topic}-${partition}`] ?? []
    list.push({
      topic,
      partition,
      offset,
      timestamp: 1,
      timestampType: 'CREATE_TIME',
      value: btoa(value),
      headers: [],
    })
    grouped[`${topic}-${partition}`] = list
  }
  return { ...base, records: grouped }
}

const failOn =
  (bad: string) =>
  (value: string): void => {
    if (value === bad) throw new Error(`cannot handle ${value}`)
  }

describe('record routing', () => {
  it('groups SQS messages by queue and sends each group to its route in order', async () => {
    const seen: string[] = []
    const app = router({
      sqs: {
        orders: (record) => {
          seen.push(`orders:${record.body}`)
        },
        payments: { record: (record) => seen.push(`payments:${record.body}`) },
      },
    })
    const event = sqsEvent(['orders', '1', 'a'], ['payments', '2', 'b'], ['orders', '3', 'c'])
    expect(await app(event, context())).toBeUndefined()
    expect(seen).toEqual(['orders:a', 'orders:c', 'payments:b'])
  })

  it('hands a batch route the whole group as a request of that group only', async () => {
    const routes: unknown[] = []
    const batch = vi.fn((_request: unknown, ctx: { route: unknown }) => {
      routes.push(ctx.route)
    })
    const app = router({ sqs: { orders: { batch }, other: () => undefined } })
    await app(sqsEvent(['orders', '1', 'a'], ['other', '2', 'b'], ['orders', '3', 'c']), context())
    expect(batch).toHaveBeenCalledTimes(1)
    const [request] = batch.mock.calls[0] as unknown as [{ kind: string; records: SqsRecord[] }]
    expect(request.kind).toBe('sqs')
    expect(request.records.map((r) => r.messageId)).toEqual(['1', '3'])
    expect(routes).toEqual([{ key: 'orders', params: {}, options: {} }])
  })

  it('routes S3 by the bucket name first dot token, direct and through EventBridge', async () => {
    const keys: string[] = []
    const app = router({
      s3: {
        orders: (record, ctx) => keys.push(`${ctx.route.key}:${record.bucket}`),
        example: (record) => keys.push(`eb:${record.key}`),
      },
    })
    const direct = loadEvent<{ Records: { s3: { bucket: { name: string } } }[] }>('s3/base')
    ;(direct.Records[0] as { s3: { bucket: { name: string } } }).s3.bucket.name =
      'orders.uat.example.io'
    await app(direct, context())
    const viaBridge = loadEvent<{ detail: { bucket: { name: string } } }>(
      's3/eventbridge-object-created',
    )
    viaBridge.detail.bucket.name = 'example.bucket'
    await app(viaBridge, context())
    expect(keys).toEqual(['orders:orders.uat.example.io', 'eb:IMG_m7fzo3.jpg'])
  })

  it('lets a user function replace the routing key of a source', async () => {
    const seen = vi.fn()
    const app = router(
      { s3: { 'lambda-artifacts': seen } },
      { keys: { s3: (record) => record.bucket.split('-').slice(0, 2).join('-') } },
    )
    await app(loadEvent('s3/base'), context())
    expect(seen).toHaveBeenCalledTimes(1)
  })

  it('routes EventBridge by source and detail-type before detail-type alone', async () => {
    const calls: string[] = []
    const event = loadEvent('eventbridge/base')
    const specific = router({
      eventbridge: {
        'aws.ec2:EC2 Instance State-change Notification': () => calls.push('specific'),
        'EC2 Instance State-change Notification': () => calls.push('general'),
      },
    })
    await specific(event, context())
    const general = router({
      eventbridge: { 'EC2 Instance State-change Notification': () => calls.push('general') },
    })
    await general(event, context())
    expect(calls).toEqual(['specific', 'general'])
  })

  it('sends records without a route to the source no-match route', async () => {
    const fallback = vi.fn()
    const app = router({ sns: { '*': fallback } })
    await app(loadEvent('sns/base'), context())
    expect(fallback).toHaveBeenCalledTimes(1)
    expect(fallback.mock.calls[0]?.[1]).toMatchObject({ route: { key: '*' } })
  })

  it('fails the invocation with an error naming the routing key when no route matches', async () => {
    const app = router({ sqs: {} })
    await expect(app(loadEvent('sqs/base'), context())).rejects.toMatchObject({
      code: 'NO_ROUTE',
      message: "No route for sqs routing key 'my-queue'",
    })
  })

  it('fails the invocation on the first failure without partial batch responses', async () => {
    const handled: string[] = []
    const app = router({
      sqs: {
        q: (record) => {
          handled.push(record.body)
          failOn('b')(record.body)
        },
      },
    })
    const event = sqsEvent(['q', '1', 'a'], ['q', '2', 'b'], ['q', '3', 'c'])
    await expect(app(event, context())).rejects.toThrow('cannot handle b')
    expect(handled).toEqual(['a', 'b'])
  })

  it('treats an error Result as a failure and throws a non-Error failure as an AppError', async () => {
    const app = router({ sqs: { q: (record) => (record.body === 'x' ? err('bad') : ok(1)) } })
    await expect(app(sqsEvent(['q', '1', 'x']), context())).rejects.toMatchObject({
      statusCode: 500,
    })
    expect(await app(sqsEvent(['q', '1', 'y']), context())).toBeUndefined()
  })

  it('fails the invocation for sources without partial batch support even when it is on', async () => {
    const app = router(
      {
        sns: {
          ExampleTopic: () => {
            throw new BadRequestError('no')
          },
        },
      },
      { partialBatch: true, logger: false },
    )
    await expect(app(loadEvent('sns/base'), context())).rejects.toThrow('no')
  })

  it('answers an unrecognised event with a 400 error, or the unknown handler', async () => {
    const event = loadEvent('s3/object-iam-user')
    await expect(router({})(event, context())).rejects.toMatchObject({
      statusCode: 400,
      code: 'UNRECOGNISED_EVENT',
    })
    const unknown = vi.fn(() => 'handled')
    expect(await router({}, { unknown })(event, context())).toBe('handled')
  })

  it('does not mistake an unknown event with an object body for a pre-parsed HTTP body', async () => {
    await expect(router({})({ body: { a: 1 } }, context())).rejects.toMatchObject({
      code: 'UNRECOGNISED_EVENT',
    })
  })

  it('refuses a record route that is neither a function, { record } nor { batch }', () => {
    expect(() => router({ sqs: { q: { handler: () => 1 } as never } })).toThrow(RouteTableError)
    expect(() => router({ sqs: { q: 5 as never } })).toThrow(/must be a function/)
    const policy = { name: 'p', evaluate: () => ({ ok: true as const, value: undefined }) }
    expect(() =>
      router({ sqs: { q: { record: () => 1, options: { policies: [policy] } } } }),
    ).toThrow("The sqs route 'q' declares policies: policies apply to HTTP routes only")
    expect(router({ sqs: { q: { record: () => 1, options: { policies: [] } } } })).toBeTypeOf(
      'function',
    )
  })
})

describe('partial batch responses', () => {
  const options = { partialBatch: true, logger: false } as const

  it('report failed SQS messages by messageId, no-match ones included', async () => {
    const app = router({ sqs: { q: (record) => failOn('bad')(record.body) } }, options)
    const event = sqsEvent(
      ['q', 'm1', 'ok'],
      ['q', 'm2', 'bad'],
      ['nowhere', 'm3', 'ok'],
      ['q', 'm4', 'ok'],
    )
    expect(await app(event, context())).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }],
    })
  })

  it('answer an empty list when every record succeeded', async () => {
    const app = router({ sqs: { q: () => undefined } }, options)
    expect(await app(sqsEvent(['q', 'm1', 'ok']), context())).toEqual({ batchItemFailures: [] })
  })

  it('report every record of a failed batch route', async () => {
    const app = router({ sqs: { q: { batch: () => err(new Error('all down')) } } }, options)
    expect(await app(sqsEvent(['q', 'm1', 'a'], ['q', 'm2', 'b']), context())).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }],
    })
  })

  it('stop a FIFO queue at its first failure and report every message after it', async () => {
    const handled: string[] = []
    const app = router(
      {
        sqs: {
          'q.fifo': (record) => {
            handled.push(record.messageId)
            failOn('bad')(record.body)
          },
          'r.fifo': () => undefined,
        },
      },
      options,
    )
    const event = sqsEvent(
      ['q.fifo', 'm1', 'ok'],
      ['q.fifo', 'm2', 'bad'],
      ['q.fifo', 'm3', 'ok'],
      ['r.fifo', 'm4', 'ok'],
    )
    expect(await app(event, context())).toEqual({
      batchItemFailures: [
        { itemIdentifier: 'm2' },
        { itemIdentifier: 'm3' },
        { itemIdentifier: 'm4' },
      ],
    })
    expect(handled).toEqual(['m1', 'm2'])
  })

  it('report failed Kinesis records by sequence number', async () => {
    const app = router({ kinesis: { clicks: (record) => failOn('bad')(record.data) } }, options)
    const event = kinesisEvent(
      ['clicks', '100', 'ok'],
      ['clicks', '101', 'bad'],
      ['clicks', '102', 'ok'],
    )
    // A shard is ordered: 102 is not processed ahead of 101's retry, and is reported with it.
    expect(await app(event, context())).toEqual({
      batchItemFailures: [{ itemIdentifier: '101' }, { itemIdentifier: '102' }],
    })
  })

  it('report failed DynamoDB stream records by sequence number', async () => {
    const app = router(
      { dynamodb: { Orders: (record) => failOn('2')((record.keys.Id as { N: string }).N) } },
      options,
    )
    const event = dynamoEvent(['Orders', '111', '1'], ['Orders', '222', '2'], ['Audit', '333', '3'])
    expect(await app(event, context())).toEqual({
      batchItemFailures: [{ itemIdentifier: '222' }, { itemIdentifier: '333' }],
    })
  })

  it('report failed Kafka records by topic-partition and offset', async () => {
    const seen: KafkaRecord[] = []
    const app = router(
      {
        kafka: {
          orders: (record) => {
            seen.push(record)
            failOn('bad')(record.value)
          },
        },
      },
      options,
    )
    const event = kafkaEvent(
      ['orders', 0, 15, 'ok'],
      ['orders', 0, 16, 'bad'],
      ['orders', 1, 7, 'bad'],
    )
    expect(await app(event, context())).toEqual({
      batchItemFailures: [
        { itemIdentifier: { partition: 'orders-0', offset: 16 } },
        { itemIdentifier: { partition: 'orders-1', offset: 7 } },
      ],
    })
    expect(seen).toHaveLength(3)
  })

  it('log each failure with the configured logger', async () => {
    const logger = spyLogger()
    const app = router(
      { sqs: { q: (record) => failOn('bad')(record.body) } },
      { partialBatch: true, logger },
    )
    await app(sqsEvent(['q', 'm1', 'bad'], ['q', 'm2', 'bad']), context())
    expect(logger.error).toHaveBeenCalledTimes(2)
    expect(logger.error).toHaveBeenCalledWith('record failed', expect.any(Error))
  })
})

describe('ordered sources (FIFO queues, streams, Kafka partitions)', () => {
  const options = { partialBatch: true, logger: false } as const
  /** Routes SQS messages by their body, so that one FIFO batch splits across several routes. */
  const byBody = { ...options, keys: { sqs: (record: SqsRecord) => record.body } }
  /** An order app: 'created' messages succeed (and are recorded), 'paid' ones fail. */
  const orderApp = (partialBatch = true) => {
    const processed: string[] = []
    const app = router(
      {
        sqs: {
          created: (record) => {
            processed.push(record.messageId)
          },
          paid: (record) => {
            throw new Error(`payment service down for ${record.messageId}`)
          },
        },
      },
      { ...byBody, partialBatch },
    )
    return { app, processed }
  }

  it('stops a FIFO batch split by a custom key at its first failure and reports every later message', async () => {
    const { app, processed } = orderApp()
    const event = sqsEvent(
      ['orders.fifo', 'm1', 'created'],
      ['orders.fifo', 'm2', 'paid'],
      ['orders.fifo', 'm3', 'created'],
    )
    expect(await app(event, context())).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }],
    })
    expect(processed).toEqual(['m1'])
  })

  it('runs the messages of a FIFO batch in batch order across routes', async () => {
    const seen: string[] = []
    const push = (record: SqsRecord) => {
      seen.push(`${record.body}:${record.messageId}`)
    }
    const app = router({ sqs: { created: push, paid: { record: push } } }, byBody)
    const event = sqsEvent(
      ['orders.fifo', 'm1', 'created'],
      ['orders.fifo', 'm2', 'paid'],
      ['orders.fifo', 'm3', 'created'],
    )
    expect(await app(event, context())).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual(['created:m1', 'paid:m2', 'created:m3'])
  })

  it('hands a FIFO batch route each consecutive run of its key, with that route on the context', async () => {
    const calls: string[] = []
    const batch =
      (name: string) =>
      (request: { records: readonly SqsRecord[] }, ctx: { route: { key: string } }) => {
        calls.push(`${name}@${ctx.route.key}:${request.records.map((r) => r.messageId).join(',')}`)
      }
    const app = router(
      { sqs: { a: { batch: batch('a') }, b: { batch: batch('b') } } },
      { ...byBody, partialBatch: false },
    )
    const event = sqsEvent(
      ['q.fifo', 'm1', 'a'],
      ['q.fifo', 'm2', 'a'],
      ['q.fifo', 'm3', 'b'],
      ['q.fifo', 'm4', 'a'],
    )
    expect(await app(event, context())).toBeUndefined()
    expect(calls).toEqual(['a@a:m1,m2', 'b@b:m3', 'a@a:m4'])
  })

  it('does not call a FIFO route after a failed run and reports the run and everything after it', async () => {
    const later = vi.fn()
    const app = router(
      {
        sqs: {
          a: { batch: () => err(new Error('down')) },
          b: { batch: later },
          c: later,
        },
      },
      byBody,
    )
    const event = sqsEvent(
      ['q.fifo', 'm1', 'a'],
      ['q.fifo', 'm2', 'a'],
      ['q.fifo', 'm3', 'b'],
      ['q.fifo', 'm4', 'nowhere'],
      ['q.fifo', 'm5', 'c'],
    )
    expect(await app(event, context())).toEqual({
      batchItemFailures: ['m1', 'm2', 'm3', 'm4', 'm5'].map((id) => ({ itemIdentifier: id })),
    })
    expect(later).not.toHaveBeenCalled()
  })

  it('fails a FIFO invocation without partial batch responses before any later message runs', async () => {
    const { app, processed } = orderApp(false)
    const event = sqsEvent(
      ['orders.fifo', 'm1', 'created'],
      ['orders.fifo', 'm2', 'paid'],
      ['orders.fifo', 'm3', 'created'],
    )
    await expect(app(event, context())).rejects.toThrow('payment service down for m2')
    expect(processed).toEqual(['m1'])
  })

  it('keeps grouping a standard queue by key, processing messages after a failure', async () => {
    const { app, processed } = orderApp()
    const event = sqsEvent(
      ['orders', 'm1', 'created'],
      ['orders', 'm2', 'paid'],
      ['orders', 'm3', 'created'],
    )
    expect(await app(event, context())).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] })
    expect(processed).toEqual(['m1', 'm3'])
  })

  it('processes Kinesis records split by a custom key in shard order, up to the first failure', async () => {
    const processed: string[] = []
    const app = router(
      {
        kinesis: {
          click: (record) => {
            processed.push(record.sequenceNumber)
          },
          view: () => {
            throw new Error('cannot handle a view')
          },
        },
      },
      { ...options, keys: { kinesis: (record) => record.data } },
    )
    const event = kinesisEvent(
      ['clicks', '100', 'click'],
      ['clicks', '101', 'view'],
      ['clicks', '102', 'click'],
    )
    expect(await app(event, context())).toEqual({
      batchItemFailures: [{ itemIdentifier: '101' }, { itemIdentifier: '102' }],
    })
    expect(processed).toEqual(['100'])
  })

  it('processes DynamoDB stream records split by a custom key in shard order', async () => {
    const seen: string[] = []
    const app = router(
      {
        dynamodb: {
          odd: (record) => {
            seen.push(`odd:${record.sequenceNumber}`)
          },
          even: (record) => {
            seen.push(`even:${record.sequenceNumber}`)
          },
        },
      },
      {
        ...options,
        keys: {
          dynamodb: (record) => (Number((record.keys.Id as { N: string }).N) % 2 ? 'odd' : 'even'),
        },
      },
    )
    const event = dynamoEvent(
      ['Orders', '111', '1'],
      ['Orders', '222', '2'],
      ['Orders', '333', '3'],
    )
    expect(await app(event, context())).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual(['odd:111', 'even:222', 'odd:333'])
  })

  it('stops only the Kafka partition of a failure and reports its later records', async () => {
    const seen: string[] = []
    const batches: string[] = []
    const app = router(
      {
        kafka: {
          single: (record) => {
            seen.push(`${record.partition}/${record.offset}`)
            failOn('single-bad')(record.value)
          },
          bulk: {
            batch: (request) => {
              batches.push(request.records.map((r) => `${r.partition}/${r.offset}`).join(','))
            },
          },
        },
      },
      { ...options, keys: { kafka: (record) => record.value.split('-')[0] as string } },
    )
    const event = kafkaEvent(
      ['orders', 0, 15, 'single-ok'],
      ['orders', 0, 16, 'single-bad'],
      ['orders', 0, 17, 'single-ok'],
      ['orders', 0, 18, 'bulk'],
      ['orders', 1, 7, 'single-ok'],
      ['orders', 1, 8, 'bulk'],
    )
    expect(await app(event, context())).toEqual({
      batchItemFailures: [16, 17, 18].map((offset) => ({
        itemIdentifier: { partition: 'orders-0', offset },
      })),
    })
    expect(seen).toEqual(['0/15', '0/16', '1/7'])
    expect(batches).toEqual(['1/8'])
  })
})
