/**
 * Cold start, as a deployed function feels it. For each handler: the esbuild bundle (bundle,
 * minify, ESM, node22, `@aws-sdk/*` external as the Lambda runtime ships it), then the time a
 * fresh Node process takes to load that bundle (the median of 10 processes' wall time, minus the
 * median of `node -e 0`, and the import measured inside the process), and for the full handlers
 * the first invocation after the import.
 *
 * Handlers: each metis-app subpath used alone with `@middy/core`; `@middy/core` +
 * `@middy/http-router` (the peer of the router); the full example service (`examples/service`)
 * against the full peer stack a user assembles today (Middy's router, JSON body parser and error
 * handler, Powertools' logger, tracer and metrics middlewares, jose); the example again with
 * Powertools Tracer kept out of the bundle (the observer loads it only when tracing is on, so a
 * function that does not trace marks it external: how a user keeps the X-Ray SDK out); the peer's
 * features alone (observer, responder, request builder, router, PIP + PDP: no self token, no
 * outbound call), tracer kept out; and the library's own code for all parts (every third-party
 * package external) against 25 KB.
 *
 * Reads the built `dist/` (`npm run bench` builds first). Run: `node bench/cold-start.bench.ts`.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { startAwsJsonServer } from '../tests/support/aws-json-server.ts'
import { summarize } from './support/compare.ts'

const run = promisify(execFile)
const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 10)
const root = fileURLToPath(new URL('../', import.meta.url))
// Inside the project, so that `metis-app/<part>` resolves to this package (self-reference).
const dir = mkdtempSync(join(root, '.cold-start-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))

// --- the identity provider's JWKS on loopback, for the first authenticated invocation ----------
const ISSUER = 'https://id.metis.bench'
const AUDIENCE = 'https://api.metis.bench'
const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] }
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks))
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
const nowSec = Math.floor(Date.now() / 1000)
const token = await new SignJWT({ activities: ['orders:order:create'] })
  .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
  .setIssuer(ISSUER)
  .setAudience(AUDIENCE)
  .setSubject('bench')
  .setIssuedAt(nowSec)
  .setExpirationTime(nowSec + 3600)
  .sign(privateKey)
// --- SSM on loopback, for the parameters handlers' first invocation ------------------------------
const aws = await startAwsJsonServer()
for (const [name, value] of [
  ['/orders/db/url', 'postgres://db.internal/orders'],
  ['/orders/db/pool/max', '10'],
  ['/orders/inventory/url', 'https://inventory.internal'],
  ['/orders/region', 'eu-west-1'],
  ['/orders/timeout-ms', '2000'],
]) {
  aws.putParameter(name as string, value as string)
}
const childEnv = {
  PATH: process.env.PATH ?? '',
  ISSUER,
  AUDIENCE,
  JWKS_URI: `${base}/jwks`,
  TOKEN_ENDPOINT: `${base}/token`,
  CLIENT_ID: 'orders',
  CLIENT_SECRET: 'secret',
  INVENTORY_URL: `${base}/`,
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_SERVICE_NAME: 'orders',
  POWERTOOLS_METRICS_NAMESPACE: 'shop',
  // Both parameters handlers' SDK clients read SSM on loopback.
  AWS_ENDPOINT_URL: aws.url,
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
}

// --- the handlers -------------------------------------------------------------------------------
const example = JSON.stringify(join(root, 'examples/service/handler.ts'))
const PARTS: Record<string, string> = {
  result: `import { tryAsync } from 'metis-app/result'
export const handler = middy().handler(async () => tryAsync(async () => 'ok')())`,
  errors: `import { NotFoundError } from 'metis-app/errors'
export const handler = middy().handler(async () => { throw new NotFoundError() })`,
  request: `import { requestBuilder } from 'metis-app/request'
export const handler = middy().use(requestBuilder()).handler(async (_e, c) => c.request.kind)`,
  router: `import { router } from 'metis-app/router'
export const handler = middy().handler(router({ http: [{ method: 'GET', path: '/x', handler: () => 'ok' }] }))`,
  // The router again, serving its own OpenAPI document at GET /openapi.json (written on the first
  // request): what metis-app/openapi adds to a function's bundle and start.
  openapi: `import { router } from 'metis-app/router'
import { withOpenApi } from 'metis-app/openapi'
export const handler = middy().handler(router({ http: withOpenApi([{ method: 'GET', path: '/x', handler: () => 'ok' }], { info: { title: 'x', version: '1' } }) }))`,
  response: `import { responder } from 'metis-app/response'
export const handler = middy().use(responder()).handler(async () => 'ok')`,
  guard: `import { envEstablished, handlerGuard } from 'metis-app/guard'
export const handler = middy().use(handlerGuard(envEstablished(['A']))).handler(async () => 'ok')`,
  auth: `import { pip, pdp, tokenRequired } from 'metis-app/auth'
export const handler = middy().use(pip({ issuer: 'i', audience: 'a', jwksUri: 'https://x/jwks' })).use(pdp(tokenRequired())).handler(async () => 'ok')`,
  circuit: `import { circuitBreaker } from 'metis-app/circuit'
const breaker = circuitBreaker({ name: 'x' })
export const handler = middy().handler(async () => breaker.execute(async () => 'ok'))`,
  parameters: `import { parameters } from 'metis-app/parameters'
export const handler = middy()
  .use(parameters({ paths: '/orders', maxAgeMs: 300000 }))
  .handler(async (_e, c) => ({ statusCode: c.parameters.db?.url ? 200 : 500 }))`,
  'self-token': `import { selfToken } from 'metis-app/self-token'
export const handler = middy().use(selfToken({ tokenEndpoint: 'https://x/token', clientId: 'c', clientSecret: 's' })).handler(async () => 'ok')`,
  observer: `import { observer } from 'metis-app/observer'
export const handler = middy().use(observer({ serviceName: 's', tracing: false })).handler(async () => 'ok')`,
}
const ROUTER_PEER = '@middy/core + @middy/http-router'
const FULL_PEER = 'peer: the full stack by hand'
const FULL_OURS = 'metis-app: the example service'
// The observer loads Powertools Tracer (and the X-Ray SDK) only when tracing is on, so a function
// that does not trace can leave the package out of its bundle: esbuild \`--external\`.
const TRACER_OUT = 'metis-app: the example service, tracer kept out'
// The peer's features only (no self token, no circuit, no outbound call), tracer kept out.
const LIKE_FOR_LIKE = "metis-app: the peer's features, tracer kept out"
const NO_TRACER = ['@aws-lambda-powertools/tracer', '@aws-lambda-powertools/tracer/*']
// The same job both ways: every parameter under /orders (recursive, decrypted) on the context,
// cached 5 minutes; the first invocation loads them from SSM on loopback.
const PARAMS_OURS = 'metis-app/parameters'
const PARAMS_PEER = '@middy/core + @middy/ssm'

const entries: Record<string, string> = {
  '@middy/core alone': `import middy from '@middy/core'
export const handler = middy().handler(async () => ({ statusCode: 200 }))`,
  [ROUTER_PEER]: `import middy from '@middy/core'
import httpRouter from '@middy/http-router'
export const handler = middy().handler(httpRouter([{ method: 'GET', path: '/x', handler: async () => ({ statusCode: 200 }) }]))`,
  ...Object.fromEntries(
    Object.entries(PARTS).map(([part, source]) => [
      `metis-app/${part}`,
      `import middy from '@middy/core'\n${source}`,
    ]),
  ),
  [PARAMS_PEER]: `import middy from '@middy/core'
import ssm from '@middy/ssm'
export const handler = middy()
  .use(ssm({ fetchData: { orders: '/orders/' }, setToContext: true, cacheExpiry: 300000 }))
  .handler(async (_e, c) => ({ statusCode: c.orders.db_url ? 200 : 500 }))`,
  [FULL_PEER]: `import middy from '@middy/core'
import httpRouter from '@middy/http-router'
import httpJsonBodyParser from '@middy/http-json-body-parser'
import httpErrorHandler from '@middy/http-error-handler'
import { Logger } from '@aws-lambda-powertools/logger'
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { Metrics } from '@aws-lambda-powertools/metrics'
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware'
import { Tracer } from '@aws-lambda-powertools/tracer'
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware'
import { createRemoteJWKSet, jwtVerify } from 'jose'
const logger = new Logger()
const metrics = new Metrics()
const tracer = new Tracer()
const keys = createRemoteJWKSet(new URL(process.env.JWKS_URI))
const fail = (statusCode) => Object.assign(new Error('denied'), { statusCode, expose: true })
const authorize = async (event, activity) => {
  const header = event.headers?.authorization
  if (!header?.startsWith('Bearer ')) throw fail(401)
  const { payload } = await jwtVerify(header.slice(7), keys, { issuer: process.env.ISSUER, audience: process.env.AUDIENCE }).catch(() => { throw fail(401) })
  if (!payload.activities?.includes(activity)) throw fail(403)
}
const orders = []
export const handler = middy()
  .use(injectLambdaContext(logger)).use(captureLambdaHandler(tracer)).use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(httpErrorHandler()).use(httpJsonBodyParser({ disableContentTypeError: true }))
  .handler(httpRouter([
    { method: 'GET', path: '/health', handler: async () => ({ statusCode: 200, body: JSON.stringify({ status: 'ok' }) }) },
    { method: 'GET', path: '/orders/{id}', handler: async (event) => { await authorize(event, 'orders:order:read'); return { statusCode: 200, body: JSON.stringify({ id: event.pathParameters.id }) } } },
    { method: 'POST', path: '/orders', handler: async (event) => {
      await authorize(event, 'orders:order:create')
      if (typeof event.body?.sku !== 'string') throw fail(422)
      const order = { id: String(orders.length + 1), sku: event.body.sku }
      orders.push(order)
      return { statusCode: 201, headers: { location: '/orders/' + order.id }, body: JSON.stringify(order) }
    } },
  ]))`,
  [FULL_OURS]: `import { createHandler } from ${example}
export const handler = createHandler()`,
  [TRACER_OUT]: `import { createHandler } from ${example}
export const handler = createHandler()`,
  [LIKE_FOR_LIKE]: `import middy from '@middy/core'
import { pip, activity, tokenRequired } from 'metis-app/auth'
import { observer } from 'metis-app/observer'
import { requestBuilder } from 'metis-app/request'
import { created, responder } from 'metis-app/response'
import { router } from 'metis-app/router'
const env = process.env
const orders = []
const app = router({ http: [
  { method: 'GET', path: '/health', handler: () => ({ status: 'ok' }) },
  { method: 'GET', path: '/orders/{id}', options: { policies: [tokenRequired(), activity('orders:order:read')] }, handler: (r) => ({ id: r.params.id }) },
  { method: 'POST', path: '/orders', options: { policies: [tokenRequired(), activity('orders:order:create')] }, handler: (r) => {
    const order = { id: String(orders.length + 1), sku: r.json.sku }
    orders.push(order)
    return created(order, '/orders/' + order.id)
  } },
] })
export const handler = middy()
  .use(observer()).use(responder())
  .use(requestBuilder())
  .use(pip({ issuer: env.ISSUER, audience: env.AUDIENCE, jwksUri: env.JWKS_URI }))
  .handler(app)`,
}
const OWN_CODE = `import * as a from 'metis-app/result'
import * as b from 'metis-app/errors'
import * as c from 'metis-app/request'
import * as d from 'metis-app/router'
import * as e from 'metis-app/response'
import * as f from 'metis-app/guard'
import * as g from 'metis-app/auth'
import * as h from 'metis-app/circuit'
import * as i from 'metis-app/self-token'
import * as j from 'metis-app/observer'
export default [a, b, c, d, e, f, g, h, i, j]`
const THIRD_PARTY = [
  '@middy/*',
  '@aws-lambda-powertools/*',
  '@aws-sdk/*',
  'jose',
  'ky',
  'aws-lambda',
]

// The self token reads its client secret through Powertools' parameters only when asked to (a
// dynamic import); a single-file bundle would inline that module and hoist its `@aws-sdk/*`
// imports to the top, loading the SSM and Secrets Manager clients at start. Kept external, as a
// user keeps it (or bundles with `splitting: true`); see BENCHMARKS.md.
const LAMBDA_EXTERNAL = [
  '@aws-sdk/*',
  '@aws-lambda-powertools/parameters',
  '@aws-lambda-powertools/parameters/*',
]

const bundle = async (name: string, source: string, external = LAMBDA_EXTERNAL) => {
  const entry = join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.entry.mjs`)
  const outfile = entry.replace(/\.entry\.mjs$/, '.bundle.mjs')
  writeFileSync(entry, source)
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    external,
    // Some CommonJS dependencies (the X-Ray SDK) call require(): give the ESM bundle one.
    banner: {
      js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
    },
    // Not the project's tsconfig: its `paths` would bundle src/; a user's build reads dist/.
    tsconfigRaw: {},
    logLevel: 'silent',
    metafile: true,
  })
  const bytes = Object.values(result.metafile.outputs)[0]?.bytes ?? 0
  return { outfile, kb: bytes / 1024 }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

/** Wall time of a fresh `node <args>` process, in ms. */
const wall = async (args: string[]) => {
  const start = performance.now()
  await run(process.execPath, args, { cwd: dir, env: childEnv })
  return performance.now() - start
}

// Imports the bundle, then (if given an event) invokes it once; prints both times.
const RUNNER = join(dir, 'runner.mjs')
writeFileSync(
  RUNNER,
  `const t0 = performance.now()
const { handler } = await import(process.argv[2])
const t1 = performance.now()
let status
if (process.argv[3]) {
  const context = { functionName: 'orders', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders', memoryLimitInMB: '128', awsRequestId: 'cold', logGroupName: 'g', logStreamName: 's', getRemainingTimeInMillis: () => 30000 }
  status = (await handler(JSON.parse(process.argv[3]), context))?.statusCode
}
const t2 = performance.now()
process.stdout.write('\\nRESULT ' + JSON.stringify({ importMs: t1 - t0, firstMs: t2 - t1, status }) + '\\n')
process.exit(0)`,
)
const sample = (method: string, path: string, body?: unknown, auth = false) =>
  JSON.stringify({
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: {
      host: 'api.metis.bench',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(auth ? { authorization: `Bearer ${token}` } : {}),
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.metis.bench',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: 'cold',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 0,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
  })
const HEALTH = sample('GET', '/health')
const CREATE = sample('POST', '/orders', { sku: 'sku-1' }, true)

const inProcess = async (outfile: string, event?: string) => {
  const { stdout } = await run(process.execPath, [RUNNER, outfile, ...(event ? [event] : [])], {
    cwd: dir,
    env: childEnv,
  })
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT ')) ?? 'RESULT {}'
  return JSON.parse(line.slice('RESULT '.length)) as {
    importMs: number
    firstMs: number
    status?: number
  }
}

// --- measure ------------------------------------------------------------------------------------
const nodeAlone: number[] = []

interface Figure {
  name: string
  kb: number
  startMs: number
  importMs: number
  firstHealthMs?: number
  firstAuthMs?: number
}
const figures: Figure[] = []
const FULL = new Set([FULL_PEER, FULL_OURS, TRACER_OUT, LIKE_FOR_LIKE])
for (const [name, source] of Object.entries(entries)) {
  const tracerOut = name === TRACER_OUT || name === LIKE_FOR_LIKE
  const { outfile, kb } = await bundle(
    name,
    source,
    tracerOut ? [...LAMBDA_EXTERNAL, ...NO_TRACER] : LAMBDA_EXTERNAL,
  )
  const starts: number[] = []
  const imports: number[] = []
  for (let i = 0; i < RUNS; i += 1) {
    // Paired with a `node -e 0` right before it: a shared machine's load then hits both alike.
    const alone = await wall(['-e', '0'])
    nodeAlone.push(alone)
    starts.push((await wall([outfile])) - alone)
    imports.push((await inProcess(outfile)).importMs)
  }
  const figure: Figure = { name, kb, startMs: median(starts), importMs: median(imports) }
  if (FULL.has(name)) {
    const health: number[] = []
    const auth: number[] = []
    for (let i = 0; i < RUNS; i += 1) {
      const h = await inProcess(outfile, HEALTH)
      const a = await inProcess(outfile, CREATE)
      if (h.status !== 200 || a.status !== 201) {
        throw new Error(`${name}: first invocations answered ${h.status} and ${a.status}`)
      }
      health.push(h.firstMs)
      auth.push(a.firstMs)
    }
    figure.firstHealthMs = median(health)
    figure.firstAuthMs = median(auth)
  }
  if (name === PARAMS_OURS || name === PARAMS_PEER) {
    const first: number[] = []
    for (let i = 0; i < RUNS; i += 1) {
      const h = await inProcess(outfile, HEALTH)
      if (h.status !== 200) throw new Error(`${name}: first invocation answered ${h.status}`)
      first.push(h.firstMs)
    }
    figure.firstHealthMs = median(first)
  }
  figures.push(figure)
}
server.close()
await aws.stop()

const byName = (name: string) => figures.find((f) => f.name === name) as Figure
const routerPeer = byName(ROUTER_PEER)
const baseline = median(nodeAlone)
console.log(
  `\n## cold start: bundle and load (esbuild minified ESM, node22; median of ${RUNS} fresh processes; node -e 0 = ${baseline.toFixed(1)} ms, "start" = wall time minus the paired node -e 0)`,
)
console.table(
  figures.map((f) => ({
    handler: f.name,
    KB: f.kb.toFixed(1),
    'start (ms)': f.startMs.toFixed(1),
    'import (ms)': f.importMs.toFixed(1),
    'first GET /health (ms)': f.firstHealthMs?.toFixed(1) ?? '',
    'first POST /orders + JWKS (ms)': f.firstAuthMs?.toFixed(1) ?? '',
  })),
)

const own = await bundle('own code', OWN_CODE, THIRD_PARTY)
console.log(
  `\n## the library's own code, all parts (third-party packages external): ${own.kb.toFixed(1)} KB minified (target <= 25 KB)`,
)

const peer = byName(FULL_PEER)
const ours = byName(FULL_OURS)
const router = byName('metis-app/router')
const lines = [
  {
    measure: 'cold: router + @middy/core bundle',
    peer: ROUTER_PEER,
    ours: router.kb,
    theirs: routerPeer.kb,
    unit: 'KB',
    target: 1,
  },
  {
    measure: 'cold: router + @middy/core, added to process start',
    peer: ROUTER_PEER,
    ours: router.startMs,
    theirs: routerPeer.startMs,
    unit: 'ms',
  },
  {
    measure: 'cold: full bundle',
    peer: FULL_PEER,
    ours: ours.kb,
    theirs: peer.kb,
    unit: 'KB',
    target: 0.8,
  },
  {
    measure: 'cold: full import (in process)',
    peer: FULL_PEER,
    ours: ours.importMs,
    theirs: peer.importMs,
    unit: 'ms',
    target: 0.8,
  },
  {
    measure: 'cold: full, added to process start',
    peer: FULL_PEER,
    ours: ours.startMs,
    theirs: peer.startMs,
    unit: 'ms',
    target: 0.8,
  },
  ...[TRACER_OUT, LIKE_FOR_LIKE].flatMap((name) => {
    const variant = byName(name)
    const label = name === TRACER_OUT ? 'full, tracer kept out' : "peer's features, tracer kept out"
    return [
      { measure: `cold: ${label}, bundle`, peer: FULL_PEER, ours: variant.kb, theirs: peer.kb },
      {
        measure: `cold: ${label}, import (in process)`,
        peer: FULL_PEER,
        ours: variant.importMs,
        theirs: peer.importMs,
      },
    ].map((line) => ({ ...line, unit: line.measure.endsWith('bundle') ? 'KB' : 'ms', target: 0.8 }))
  }),
  {
    measure: 'cold: first GET /health after import',
    peer: FULL_PEER,
    ours: ours.firstHealthMs ?? Number.NaN,
    theirs: peer.firstHealthMs ?? Number.NaN,
    unit: 'ms',
  },
  {
    measure: 'cold: first POST /orders with token + JWKS fetch',
    peer: FULL_PEER,
    ours: ours.firstAuthMs ?? Number.NaN,
    theirs: peer.firstAuthMs ?? Number.NaN,
    unit: 'ms',
  },
  {
    measure: "cold: library's own code",
    peer: '25 KB target',
    ours: own.kb,
    theirs: 25,
    unit: 'KB',
    target: 1,
  },
]
const paramsOurs = byName(PARAMS_OURS)
const paramsPeer = byName(PARAMS_PEER)
lines.push(
  {
    measure: 'cold: parameters + @middy/core bundle',
    peer: PARAMS_PEER,
    ours: paramsOurs.kb,
    theirs: paramsPeer.kb,
    unit: 'KB',
  },
  {
    measure: 'cold: parameters + @middy/core, import (in process)',
    peer: PARAMS_PEER,
    ours: paramsOurs.importMs,
    theirs: paramsPeer.importMs,
    unit: 'ms',
  },
  {
    measure: 'cold: parameters, first invocation (loads /orders from SSM)',
    peer: PARAMS_PEER,
    ours: paramsOurs.firstHealthMs ?? Number.NaN,
    theirs: paramsPeer.firstHealthMs ?? Number.NaN,
    unit: 'ms',
  },
  // @middy/ssm loads the SDK and starts fetching at import; ours on the first invocation: the sum
  // is what a cold invocation that needs the values waits.
  {
    measure: 'cold: parameters, import + first invocation',
    peer: PARAMS_PEER,
    ours: paramsOurs.importMs + (paramsOurs.firstHealthMs ?? Number.NaN),
    theirs: paramsPeer.importMs + (paramsPeer.firstHealthMs ?? Number.NaN),
    unit: 'ms',
  },
)
for (const line of lines) summarize(line)
