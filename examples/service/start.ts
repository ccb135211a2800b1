/**
 * `npm start`: the example orders service on the local server, with zero AWS and nothing to
 * configure. It starts, all on 127.0.0.1:
 * - an identity provider (`oidc-provider`, in-process) that issues client-credentials JWTs;
 * - the downstream inventory API (a second metis-app service on the local server);
 * - the orders service, whose configuration points at both.
 * Then it prints the URL and `curl` commands with freshly issued tokens; the API page (Swagger UI)
 * is at `/docs`.
 */
import { type LocalServer, serve } from 'metis-app/local'
import { type OidcProvider, startOidcProvider } from '../../tests/support/oidc.ts'
import { inventoryHandler } from './inventory.ts'

/** The activities a token carries, by the scopes it was granted. */
export const activitiesFor = (scope: string | undefined): string[] => {
  const scopes = new Set((scope ?? '').split(' '))
  const activities: string[] = []
  if (scopes.has('orders:read')) activities.push('orders:order:read')
  if (scopes.has('orders:write')) activities.push('orders:order:create')
  if (scopes.has('inventory:read')) activities.push('inventory:stock:read')
  return activities
}

/** Everything `npm start` runs. */
export interface ExampleStack {
  readonly idp: OidcProvider
  readonly inventory: LocalServer
  readonly orders: LocalServer
  /** A token that may read orders but not create them. */
  readerToken(): Promise<string>
  /** A token that may read and create orders. */
  writerToken(): Promise<string>
  stop(): Promise<void>
}

/** Starts the identity provider, the inventory API and the orders service. */
export const startExample = async (options: { port?: number } = {}): Promise<ExampleStack> => {
  const idp = await startOidcProvider({
    audience: 'https://api.metis.local',
    scopes: ['orders:read', 'orders:write', 'inventory:read'],
    accessTokenTtl: 600,
    extraClaims: (scope) => ({ activities: activitiesFor(scope) }),
  })
  const trust = { issuer: idp.issuer, audience: idp.audience, jwksUri: idp.jwksUri }
  const inventory = await serve(inventoryHandler(trust), { port: 0, functionName: 'inventory' })

  Object.assign(process.env, {
    ISSUER: idp.issuer,
    AUDIENCE: idp.audience,
    JWKS_URI: idp.jwksUri,
    TOKEN_ENDPOINT: idp.tokenEndpoint,
    CLIENT_ID: idp.clientId,
    CLIENT_SECRET: idp.clientSecret,
    INVENTORY_URL: inventory.url,
    POWERTOOLS_TRACE_ENABLED: process.env.POWERTOOLS_TRACE_ENABLED ?? 'false',
    POWERTOOLS_DEV: process.env.POWERTOOLS_DEV ?? 'true',
  })
  // The handler reads its configuration when it is built, as a Lambda container would.
  const { createHandler } = await import('./handler.ts')
  // The API page at /docs reads the document the service itself serves at /openapi.json.
  const orders = await serve(createHandler(), {
    port: options.port ?? 3000,
    functionName: 'orders',
    docs: true,
  })

  return {
    idp,
    inventory,
    orders,
    readerToken: () => idp.getToken('orders:read'),
    writerToken: () => idp.getToken('orders:read orders:write'),
    stop: async () => {
      await orders.close()
      await inventory.close()
      await idp.stop()
    },
  }
}

/** The text `npm start` prints: where the service is and what to try. */
export const instructions = (url: string, reader: string, writer: string): string => `
metis-app example: the orders service is listening on ${url}
API page (try the routes with the reader token below): ${url}/docs

Try it:
  # allowed: read an order (the service calls the inventory API with its own token)
  curl -s ${url}/orders/42 -H 'authorization: Bearer ${reader}'

  # forbidden (403): this token may read orders but not create them
  curl -s -X POST ${url}/orders -H 'content-type: application/json' -H 'authorization: Bearer ${reader}' -d '{"sku":"42"}'

  # allowed (201): a token that may create orders
  curl -s -i -X POST ${url}/orders -H 'content-type: application/json' -H 'authorization: Bearer ${writer}' -d '{"sku":"42"}'

  # unauthenticated (401), unknown path (404), wrong method (405)
  curl -s -i ${url}/orders/42
  curl -s ${url}/nothing-here
  curl -s -i -X DELETE ${url}/orders/42

  # any event file through a handler, with the metis-app command (here from source)
  npm run invoke -- examples/request/handler.ts tests/fixtures/events/s3/base.json

Tokens expire in 10 minutes. Press Ctrl+C to stop.
`

/* v8 ignore start -- the command-line entry point; the tests call startExample() */
if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 3000)
  const stack = await startExample({ port })
  console.log(instructions(stack.orders.url, await stack.readerToken(), await stack.writerToken()))
  const stop = () => {
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
/* v8 ignore stop */
