/**
 * The downstream "inventory" API of the example: a second metis-app service that the orders
 * service calls with its self token. It accepts only tokens that carry the
 * `inventory:stock:read` activity.
 */
import middy from '@middy/core'
import { activity, pip, tokenRequired } from 'metis-app/auth'
import { requestBuilder } from 'metis-app/request'
import { responder } from 'metis-app/response'
import { router } from 'metis-app/router'

/** Where the inventory API finds its identity provider. */
export interface InventoryConfig {
  issuer: string
  audience: string
  jwksUri: string
}

const stock: Record<string, number> = { '42': 7, '7': 0 }

/** Builds the inventory handler. */
export const inventoryHandler = (config: InventoryConfig) => {
  const app = router({
    http: [
      {
        method: 'GET',
        path: '/stock/{sku}',
        handler: (request) => {
          const sku = String(request.params.sku)
          return { sku, available: stock[sku] ?? 0 }
        },
        options: { policies: [tokenRequired(), activity('inventory:stock:read')] },
      },
    ],
  })
  return middy()
    .use(responder({ logger: false }))
    .use(requestBuilder())
    .use(pip(config))
    .handler(app)
}
