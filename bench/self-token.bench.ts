/**
 * Per-invocation cost of the selfToken middleware with a warm token, against a bare Middy handler
 * in the same run: lazy (the accessor only), lazy with the handler reading the token, and eager
 * (the token read in `before`). The token comes from a loopback endpoint once, before timing.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { type SelfTokenContext, selfToken, selfTokenClient } from '../src/self-token/index.ts'
import { compare } from './support/compare.ts'

let requests = 0
const server = createServer((_req, res) => {
  requests += 1
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(
    JSON.stringify({ access_token: `token-${requests}`, token_type: 'Bearer', expires_in: 3600 }),
  )
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const tokenEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`

const client = selfTokenClient({ tokenEndpoint, clientId: 'bench', clientSecret: 'bench-secret' })
const warm = await client.get()
if (!warm.ok) throw warm.error

type Ctx = Context & SelfTokenContext
// The middleware sets `selfToken` on it; the cast gives the handler's context type up front.
const context = { getRemainingTimeInMillis: () => 10_000 } as Ctx
const event = {}

const bare = middy().handler(async () => 'ok')
const lazy = middy<unknown, string, Error, Ctx>()
  .use(selfToken(client))
  .handler(async () => 'ok')
const lazyRead = middy<unknown, string, Error, Ctx>()
  .use(selfToken(client))
  .handler(async (_event, ctx) => (await ctx.selfToken.get()).accessToken)
const eager = middy<unknown, string, Error, Ctx>()
  .use(selfToken(client, { eager: true }))
  .handler(async () => 'ok')

await compare('self-token: middleware with a warm token', 'bare middy handler', [
  { name: 'bare middy handler', fn: () => bare(event, context) },
  { name: 'selfToken lazy, token unused', fn: () => lazy(event, context) },
  { name: 'selfToken lazy, handler reads token', fn: () => lazyRead(event, context) },
  { name: 'selfToken eager', fn: () => eager(event, context) },
  { name: 'client.get() alone (warm)', fn: () => client.get() },
])
console.log(`token requests during the run: ${requests} (1 = the warm-up only)`)
server.close()
