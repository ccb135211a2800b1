/**
 * The README's "Circuit breaker" block inside the handler it belongs to: the breaker and the ky
 * client at module scope, the call in an invocation that has the observer's context.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import middy from '@middy/core'
import ky from 'ky'
import {
  CircuitOpenError,
  circuitBreaker,
  dynamoDbCircuitStore,
  kyWithBreaker,
} from 'metis-app/circuit'
import { observer } from 'metis-app/observer'

const breaker = circuitBreaker({
  name: 'inventory',
  store: dynamoDbCircuitStore({
    client: new DynamoDBClient({}),
    tableName: process.env.STATE_TABLE!,
  }),
  timeout: 2_000,
})
const inventory = kyWithBreaker(
  ky.create({ prefix: 'https://inventory.internal', retry: 0 }),
  breaker,
)

const loadStock = (sku: string, options: { signal: AbortSignal }) =>
  inventory.get(`stock/${sku}`, options).json<{ sku: string; count: number }>()
const cachedStock = (sku: string) => ({ sku, count: 0, cached: true })

export const handler = middy<{ sku: string }>()
  .use(observer({ serviceName: 'orders' }))
  .handler(async (event, context) => {
    const { sku } = event
    // in the handler:
    const result = await breaker.execute((signal) => loadStock(sku, { signal }), {
      remainingTime: () => context.getRemainingTimeInMillis() - 200,
      observer: context.observer, // state changes logged and counted when the observer is stacked
    })
    if (!result.ok && result.error instanceof CircuitOpenError) return cachedStock(sku)
    return result.ok ? result.value : { sku, count: 0, cached: false }
  })
