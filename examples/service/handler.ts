/**
 * The example "orders" service: every metis-app part in one Lambda handler.
 *
 * - observer: Powertools logger, tracer and metrics, with a request end line for every failure
 *   (and every invocation at DEBUG);
 * - responder: every outcome and error becomes a response of the event's shape;
 * - guard: the configuration must be there before anything runs;
 * - request builder and router: HTTP routes and an S3 route in one table;
 * - PIP and PDP: bearer JWTs verified against the identity provider's JWKS, an activity policy per
 *   route;
 * - self token and circuit breaker: the service's own token, to call the inventory API through a
 *   breaker;
 * - openapi: the API's OpenAPI 3.1 document at `GET /openapi.json` (the API page of `npm start`
 *   at `/docs` reads it; `npx metis-app openapi examples/service/handler.ts --export createApp`
 *   prints it).
 *
 * Configuration comes from the environment (see `REQUIRED_ENV`); `npm start` sets it for a local
 * run against an embedded identity provider.
 */
import middy from '@middy/core'
import type { KyInstance } from 'ky'
import { type AuthContext, activity, pip, tokenRequired } from 'metis-app/auth'
import { circuitBreaker, kyWithBreaker } from 'metis-app/circuit'
import { BadGatewayError, UnprocessableEntityError } from 'metis-app/errors'
import { envEstablished, handlerGuard } from 'metis-app/guard'
import { type ObserverContext, observer } from 'metis-app/observer'
import { withOpenApi } from 'metis-app/openapi'
import { requestBuilder } from 'metis-app/request'
import { created, responder } from 'metis-app/response'
import { router } from 'metis-app/router'
import { type SelfTokenContext, selfToken } from 'metis-app/self-token'

/** The environment the service needs. */
export const REQUIRED_ENV = [
  'ISSUER',
  'AUDIENCE',
  'JWKS_URI',
  'TOKEN_ENDPOINT',
  'CLIENT_ID',
  'CLIENT_SECRET',
  'INVENTORY_URL',
] as const

const env = (name: (typeof REQUIRED_ENV)[number]): string => process.env[name] ?? ''

// The JSON Schemas of the answers, for the OpenAPI document (the request body has no validator:
// the route checks its sku itself).
const HEALTH = {
  type: 'object',
  required: ['status'],
  properties: { status: { const: 'ok' } },
} as const
const ORDER = {
  type: 'object',
  required: ['id', 'sku'],
  properties: { id: { type: 'string' }, sku: { type: 'string' } },
} as const
const ORDER_STOCK = {
  type: 'object',
  required: ['id', 'inStock', 'available'],
  properties: {
    id: { type: 'string' },
    inStock: { type: 'boolean' },
    available: { type: 'integer' },
  },
} as const

/** What the inventory API answers. */
interface Stock {
  sku: string
  available: number
}

/** What the middlewares of the handler put on the context, which the routes read. */
type ServiceContext = AuthContext & ObserverContext & SelfTokenContext

/** The routes of the service; their configuration is read on first use, from the environment. */
export const createApp = () => {
  const inventoryBreaker = circuitBreaker({ name: 'inventory', timeoutMs: 2_000 })
  // Created on the first call out, then reused: ky probes the fetch API when it is imported, which
  // makes Node load its HTTP client (about 20 ms), so a container that never calls the inventory
  // (health checks, S3 events) does not pay for it at start.
  let inventory: Promise<KyInstance> | undefined
  const inventoryClient = () =>
    (inventory ??= import('ky').then(
      ({ default: ky }) =>
        kyWithBreaker(
          ky.create({ prefix: env('INVENTORY_URL'), retry: 0, timeout: false }),
          inventoryBreaker,
        ),
      (error: unknown) => {
        inventory = undefined // the next call tries again
        throw error
      },
    ))
  const orders: Record<string, unknown>[] = []

  const app = router<ServiceContext>({
    // The context type goes to withOpenApi too: it types the routes it is given.
    http: withOpenApi<ServiceContext>(
      [
        {
          method: 'GET',
          path: '/health',
          options: {
            summary: 'Whether the service is up',
            tags: ['health'],
            responses: { '200': { schema: HEALTH, example: { status: 'ok' } } },
          },
          handler: () => ({ status: 'ok' }),
        },
        {
          method: 'GET',
          path: '/orders/{id}',
          options: {
            policies: [tokenRequired(), activity('orders:order:read')],
            summary: 'An order and its stock, from the inventory API',
            tags: ['orders'],
            example: { params: { id: '42' } },
            responses: {
              '200': { schema: ORDER_STOCK, example: { id: '42', inStock: true, available: 7 } },
            },
          },
          handler: async (request, context) => {
            const id = String(request.params.id)
            const token = await context.selfToken.authorization()
            const response = await (await inventoryClient()).get(
              `stock/${encodeURIComponent(id)}`,
              {
                headers: { authorization: token },
                throwHttpErrors: false,
              },
            )
            if (!response.ok) throw new BadGatewayError(`Inventory answered ${response.status}`)
            const stock = (await response.json()) as Stock
            return { id, inStock: stock.available > 0, available: stock.available }
          },
        },
        {
          method: 'POST',
          path: '/orders',
          options: {
            policies: [tokenRequired(), activity('orders:order:create')],
            summary: 'Places an order',
            tags: ['orders'],
            jsonBody: 'required',
            example: { body: { sku: '42' } },
            responses: {
              '201': {
                description: 'The order, at its Location',
                schema: ORDER,
                example: { id: '1', sku: '42' },
                headers: { Location: { description: 'The path of the new order' } },
              },
              '422': {
                description: 'The body has no sku',
                contentType: 'application/problem+json',
              },
            },
          },
          handler: (request) => {
            const body = request.json as { sku?: unknown } | undefined
            if (typeof body?.sku !== 'string') {
              throw new UnprocessableEntityError('An order needs a sku')
            }
            const order = { id: String(orders.length + 1), sku: body.sku }
            orders.push(order)
            return created(order, `/orders/${order.id}`)
          },
        },
      ],
      { info: { title: 'orders', version: '1.0.0', description: 'The example orders service' } },
    ),
    s3: {
      uploads: (record, context) => {
        context.observer.logger.info('upload received', { bucket: record.bucket, key: record.key })
        return { key: record.key }
      },
    },
  })
  return app
}

/** Builds the handler from the environment (once per container, as Lambda would). */
export const createHandler = () => {
  const obs = observer({ serviceName: 'orders', metricsNamespace: 'shop' })
  const app = createApp()
  return middy()
    .use(obs)
    .use(responder())
    .use(handlerGuard(envEstablished([...REQUIRED_ENV])))
    .use(requestBuilder())
    .use(pip({ issuer: env('ISSUER'), audience: env('AUDIENCE'), jwksUri: env('JWKS_URI') }))
    .use(
      selfToken({
        tokenEndpoint: env('TOKEN_ENDPOINT'),
        clientId: env('CLIENT_ID'),
        clientSecret: env('CLIENT_SECRET'),
        scope: 'inventory:read',
      }),
    )
    .handler(app)
}
