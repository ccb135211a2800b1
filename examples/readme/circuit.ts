/**
 * The "docs/circuit.md" example block inside the handler it belongs to: the breaker and the ky
 * client at module scope, the call in an invocation that has the observer's context. The two are
 * alternatives: `inventory` goes through the breaker by itself, and `breaker.execute` protects any
 * other async call (here plain `ky`, whose `HTTPError` carries the status the breaker classifies;
 * a call through `inventory` inside it would go through the breaker twice).
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
    // biome-ignore lint/style/noNonNullAssertion: the page's text; requireEnv() in a real service
    tableName: process.env.STATE_TABLE!,
  }),
  timeoutMs: 2_000,
})
const inventory = kyWithBreaker(
  ky.create({ prefix: 'https://inventory.internal', retry: 0 }),
  breaker,
)

interface Stock {
  sku: string
  count: number
}

const loadStock = (sku: string, options: { signal: AbortSignal }) =>
  ky.get(`https://inventory.internal/stock/${sku}`, { ...options, retry: 0 }).json<Stock>()
const cachedStock = (sku: string): Stock & { cached: true } => ({ sku, count: 0, cached: true })

/** Reads the stock through `inventory`, the ky client behind the breaker. */
export const stockOf = (sku: string) => inventory.get(`stock/${sku}`).json<Stock>()

export const handler = middy<{ sku: string }>()
  .use(observer({ serviceName: 'orders' }))
  .handler(async (event, context) => {
    const { sku } = event
    // or any async call, in a handler:
    const result = await breaker.execute((signal) => loadStock(sku, { signal }), {
      remainingTime: () => context.getRemainingTimeInMillis() - 200,
      observer: context.observer, // state changes logged and counted when the observer is stacked
    })
    if (!result.ok && result.error instanceof CircuitOpenError) return cachedStock(sku)
    return result.ok ? result.value : { sku, count: 0, cached: false }
  })
