import { describe, expectTypeOf, it } from 'vitest'
import type {
  BedrockAgentRequest,
  CloudWatchLogRecord,
  FirehoseRecord,
  SqsRecord,
  WebSocketRequest,
} from '../../src/request/index.ts'
import {
  type ResolvedRoute,
  type RouterContext,
  route,
  router,
  type StandardSchemaV1,
} from '../../src/router/index.ts'

declare const Order: StandardSchemaV1<unknown, { sku: string; qty: number }>
declare const Id: StandardSchemaV1<unknown, { id: number }>

describe('router types', () => {
  it('gives a route handler the outputs of its schemas', () => {
    route({
      method: 'POST',
      path: '/orders/{id}',
      options: { validate: { body: Order, params: Id } },
      handler: (request) => {
        expectTypeOf(request.input.body).toEqualTypeOf<{ sku: string; qty: number }>()
        expectTypeOf(request.params).toEqualTypeOf<{ id: number }>()
        expectTypeOf(request.input.query).toEqualTypeOf<Readonly<Record<string, string>>>()
        return null
      },
    })
  })

  it('gives routes without schemas string params and an unknown body', () => {
    router({
      http: [
        {
          method: 'GET',
          path: '/x/{id}',
          handler: (request, context) => {
            expectTypeOf(request.params).toEqualTypeOf<Readonly<Record<string, string>>>()
            expectTypeOf(request.input.body).toBeUnknown()
            expectTypeOf(context).toEqualTypeOf<RouterContext>()
            expectTypeOf(context.route).toEqualTypeOf<ResolvedRoute>()
            return null
          },
        },
      ],
    })
  })

  it('types record routes by their source', () => {
    router({
      sqs: {
        orders: (record) => {
          expectTypeOf(record).toEqualTypeOf<SqsRecord>()
        },
        batch: {
          batch: (request) => {
            expectTypeOf(request.records).toEqualTypeOf<readonly SqsRecord[]>()
          },
        },
      },
    })
  })

  it('gives the routes of the new sources their own typed records and requests', () => {
    router({
      logs: { '*': (event) => expectTypeOf(event).toEqualTypeOf<CloudWatchLogRecord>() },
      firehose: { '*': (record) => expectTypeOf(record).toEqualTypeOf<FirehoseRecord>() },
      websocket: { $connect: (request) => expectTypeOf(request).toEqualTypeOf<WebSocketRequest>() },
      bedrock: { '*': (request) => expectTypeOf(request).toEqualTypeOf<BedrockAgentRequest>() },
    })
    // @ts-expect-error a single-event route is a function, not { record }
    router({ cognito: { x: { record: () => undefined } } })
  })
})
