/**
 * A second function of the end-to-end suite's app: one that calls out through a circuit breaker
 * kept in memory, as most users of `metis-app/circuit` do. The app does not install
 * `@aws-sdk/client-dynamodb` (it has no DynamoDB store), so bundling this file with the README's
 * recipe proves that the part does not need the DynamoDB SDK unless its store is used.
 */
import middy from '@middy/core'
import { circuitBreaker } from 'metis-app/circuit'
import { observer } from 'metis-app/observer'

const breaker = circuitBreaker({ name: 'inventory', timeoutMs: 2_000 })

export const handler = middy()
  .use(observer({ serviceName: 'inventory' }))
  .handler(async (_event: unknown, context) => {
    const stock = await breaker.execute(async () => ({ available: 3 }), {
      observer: context.observer,
    })
    return stock.ok ? stock.value : { available: 0 }
  })
