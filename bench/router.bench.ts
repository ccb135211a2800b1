/**
 * Resolve-and-dispatch per request at 10, 100, 1,000 and 10,000 routes: metis-app's router
 * against @middy/http-router and the Powertools event-handler HTTP router, with the same routes in
 * the same run. Half the routes are static (`/res0`), half dynamic (`/res1/{id}`); each request is
 * a GET of the last-declared dynamic route, as a real REST v1 event (the apigw-rest sample), inside
 * Middy with @middy/http-json-body-parser and @middy/http-error-handler for every router.
 *
 * Targets: at 10 routes no slower than @middy/http-router; at 1,000 routes at least 20x faster
 * than it; ours at 10,000 routes within 1.5x of ours at 10.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Router } from '@aws-lambda-powertools/event-handler/http'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import httpJsonBodyParser from '@middy/http-json-body-parser'
import httpRouter from '@middy/http-router'
import type { Context } from 'aws-lambda'
import { type HttpRoute, router } from '../src/router/index.ts'
import { compare, type Row } from './support/compare.ts'

type Json = Record<string, unknown>

const sample = JSON.parse(
  readFileSync(
    new URL('../tests/fixtures/events/apigw-rest/no-auth.json', import.meta.url),
    'utf8',
  ),
) as Json

const eventFor = (path: string): Json => ({
  ...sample,
  httpMethod: 'GET',
  path,
  resource: path,
  body: null,
  isBase64Encoded: false,
  pathParameters: null,
})

const context = {
  awsRequestId: 'bench',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context

/** The same Middy stack around every router. */
const stack = (handler: (event: never, context: Context) => unknown) =>
  middy()
    .use(httpJsonBodyParser({ disableContentTypeError: true }))
    .use(httpErrorHandler({ logger: false }))
    .handler(handler as never) as unknown as (event: unknown, context: Context) => Promise<unknown>

/** The Middy stack with a handler that routes nothing: what every row above pays regardless. */
const floor = stack(() => ({ statusCode: 200, body: '{"id":"42"}' }))

const build = (size: number) => {
  const middyRoutes: { method: 'GET'; path: string; handler: (event: Json) => unknown }[] = []
  const ours: HttpRoute[] = []
  const powertools = new Router()
  for (let i = 0; i < size; i++) {
    const dynamic = i % 2 === 1
    const path = dynamic ? `/res${i}/{id}` : `/res${i}`
    middyRoutes.push({
      method: 'GET',
      path,
      handler: (event) => ({
        statusCode: 200,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ id: (event.pathParameters as Json | null)?.id ?? null }),
      }),
    })
    ours.push({ method: 'GET', path, handler: (request) => ({ id: request.params.id ?? null }) })
    powertools.get(dynamic ? `/res${i}/:id` : `/res${i}`, (reqCtx) => ({
      id: reqCtx.params.id ?? null,
    }))
  }
  const last = size % 2 === 0 ? size - 1 : size - 2
  return {
    path: `/res${last}/42`,
    middy: stack(httpRouter(middyRoutes as never) as never),
    powertools: stack(((event: never, ctx: Context) => powertools.resolve(event, ctx)) as never),
    ours: stack(router({ http: ours }, { logger: false }) as never),
  }
}

const check = async (
  name: string,
  handler: (e: unknown, c: Context) => Promise<unknown>,
  path: string,
) => {
  const response = (await handler(eventFor(path), context)) as { statusCode: number; body: string }
  if (response.statusCode !== 200 || !response.body.includes('42')) {
    throw new Error(`${name} did not answer ${path}: ${JSON.stringify(response)}`)
  }
}

/** Times one table size; prints its table and hands its rows to the parent process. */
const runSize = async (size: number): Promise<void> => {
  const routers = build(size)
  await check('@middy/http-router', routers.middy, routers.path)
  await check('powertools', routers.powertools, routers.path)
  await check('metis-app', routers.ours, routers.path)
  const event = () => eventFor(routers.path)
  const rows = await compare(
    `${size} routes: GET ${routers.path}`,
    '@middy/http-router',
    [
      { name: '@middy/http-router', fn: () => routers.middy(event(), context) },
      { name: 'powertools event-handler', fn: () => routers.powertools(event(), context) },
      { name: 'metis-app router', fn: () => routers.ours(event(), context) },
      { name: '(floor: the same stack, no router)', fn: () => floor(event(), context) },
    ],
    { time: size >= 1_000 ? 1_500 : 2_000, warmupTime: 500 },
  )
  console.log(`${ROWS}${JSON.stringify(rows)}`)
}

const ROWS = 'ROWS:'
const SIZES = [10, 100, 1_000, 10_000]

/**
 * Each size runs in its own process, so that one size's tables, garbage and JIT state (the peers
 * at 10,000 routes leave much of both) do not weigh on the next size's figures.
 */
const runAll = (): void => {
  const results = new Map<number, Row[]>()
  for (const size of SIZES) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), String(size)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    if (child.status !== 0) throw new Error(`the ${size}-route run failed`)
    const lines = child.stdout.split('\n')
    process.stdout.write(lines.filter((line) => !line.startsWith(ROWS)).join('\n'))
    const rows = lines.find((line) => line.startsWith(ROWS))?.slice(ROWS.length) ?? '[]'
    results.set(size, JSON.parse(rows) as Row[])
  }
  const row = (size: number, name: string) => results.get(size)?.find((r) => r.name === name) as Row
  const ours = (size: number) => row(size, 'metis-app router')
  const peer = (size: number) => row(size, '@middy/http-router')
  console.log('\n## Targets')
  console.table([
    {
      target: 'at 10 routes, no slower than @middy/http-router',
      measured: `${ours(10).ratio.toFixed(2)}x of it`,
      met: ours(10).ratio <= 1,
    },
    {
      target: 'at 1,000 routes, >= 20x faster than @middy/http-router',
      measured: `${(peer(1_000).meanUs / ours(1_000).meanUs).toFixed(1)}x faster`,
      met: peer(1_000).meanUs / ours(1_000).meanUs >= 20,
    },
    {
      target: 'ours at 10,000 within 1.5x of ours at 10',
      measured: `${(ours(10_000).meanUs / ours(10).meanUs).toFixed(2)}x`,
      met: ours(10_000).meanUs / ours(10).meanUs <= 1.5,
    },
  ])
}

const size = Number(process.argv[2])
if (SIZES.includes(size)) await runSize(size)
else runAll()
