/**
 * The whole stack per invocation, as a user feels it: the example service's stack (observer,
 * responder, guard, request builder, router with 100 routes, PIP + PDP with a route activity
 * policy, self token warm) against the stack a user assembles by hand today (`@middy/core` +
 * `@middy/http-router` + `http-json-body-parser` + `http-error-handler` + Powertools'
 * `injectLambdaContext`, `captureLambdaHandler`, `logMetrics`, and `jose.jwtVerify` in the route
 * handler), on the same HTTP API v2 event, the same 100 routes and the same RS256 key.
 *
 * Three cases: a repeated token, a new token every time (a pool larger than the PIP's
 * verified-token cache, cycled), and no authentication (a route without policies, against the
 * peer's route that does not call jose). Log lines and EMF go to a no-op sink (they are still
 * formatted); tracing is off. Each case is the median of several rounds, the task order reversed
 * every other round. Lambda hands every invocation a new context object; so does this bench.
 *
 * Targets (issue 10): repeated token <= 0.2x the peer, new token <= 0.7x, no authentication
 * <= 0.7x of the peer without jose. Run: `node bench/stack.bench.ts`.
 */
import { readFileSync } from 'node:fs'
import { Logger } from '@aws-lambda-powertools/logger'
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { Metrics } from '@aws-lambda-powertools/metrics'
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware'
import { Tracer } from '@aws-lambda-powertools/tracer'
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import httpJsonBodyParser from '@middy/http-json-body-parser'
import httpRouter from '@middy/http-router'
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose'
import { activity, pdp, pip, tokenRequired } from '../src/auth/index.ts'
import { envEstablished, handlerGuard } from '../src/guard/index.ts'
import { observer } from '../src/observer/index.ts'
import { requestBuilder } from '../src/request/index.ts'
import { responder } from '../src/response/index.ts'
import { type HttpRoute, router } from '../src/router/index.ts'
import { selfToken, selfTokenClient } from '../src/self-token/index.ts'
import { compareRounds, summarize, type Task } from './support/compare.ts'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const TIME = Number(process.env.BENCH_TIME ?? 300)

// Logs silenced: Powertools still formats every line and EMF blob; only the write is dropped.
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream)
  stream.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
    typeof chunk === 'string' &&
    (chunk.startsWith('{') || chunk.startsWith('No application metrics'))
      ? true
      : write(chunk, ...rest)) as typeof stream.write
}
process.env.POWERTOOLS_TRACE_ENABLED = 'false'
process.env.BENCH_ENV = 'set'

// --- one key, one issuer, the tokens -----------------------------------------------------------
const ISSUER = 'https://id.metis.bench'
const AUDIENCE = 'https://api.metis.bench'
const ALG = 'RS256'
const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true })
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: ALG, use: 'sig' }] }
const nowSec = Math.floor(Date.now() / 1000)
const sign = (i: number) =>
  new SignJWT({ activities: ['orders:order:read'], jti: `t-${i}` })
    .setProtectedHeader({ alg: ALG, kid: 'k1' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(`client-${i % 10}`)
    .setIssuedAt(nowSec)
    .setExpirationTime(nowSec + 3600)
    .sign(privateKey)
// Larger than the PIP's verified-token cache (1000), cycled: every one is a cache miss.
const POOL = 1500

// --- the event: a real HTTP API v2 event, flattened through JSON as Lambda hands it over -------
const sample = JSON.parse(
  readFileSync(
    new URL('../tests/fixtures/events/apigw-http/no-auth.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown> & {
  headers: Record<string, string>
  requestContext: { http: Record<string, unknown> }
}
const httpEvent = (path: string, authorization: string | undefined) => {
  const headers: Record<string, string> = { ...sample.headers }
  delete headers['content-length']
  if (authorization === undefined) delete headers.authorization
  else headers.authorization = authorization
  return {
    ...sample,
    routeKey: '$default',
    rawPath: path,
    headers,
    requestContext: {
      ...sample.requestContext,
      routeKey: '$default',
      http: { ...sample.requestContext.http, method: 'GET', path },
    },
  }
}
const tokens = await Promise.all(Array.from({ length: POOL }, (_, i) => sign(i)))
const flat = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T
const tokenEvents = flat(tokens.map((t) => httpEvent('/orders/42', `Bearer ${t}`)))
const anonymousEvent = flat(httpEvent('/catalog/42', undefined))
// Middy's JSON body parser and the router write to the event: each invocation gets its own copy.
const copy = <T>(event: T): T => ({ ...event })
let next = 0
const repeated = () => copy(tokenEvents[0])
const fresh = () => {
  next = (next + 1) % POOL
  return copy(tokenEvents[next])
}
const anonymous = () => copy(anonymousEvent)

let invocation = 0
const lambdaContext = () => {
  invocation += 1
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:bench',
    memoryLimitInMB: '128',
    awsRequestId: `req-${invocation}`,
    logGroupName: '/aws/lambda/bench',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 30_000,
  } as never
}

// --- the same 100 routes on both sides ---------------------------------------------------------
// 25 resources x (list, create, read, delete); 'orders' (in the middle) requires a token with
// orders:<resource>:<action>, 'catalog' is public. The others carry a policy, never hit.
const RESOURCES = [
  'accounts',
  'addresses',
  'baskets',
  'brands',
  'campaigns',
  'carriers',
  'catalog',
  'coupons',
  'customers',
  'deliveries',
  'invoices',
  'labels',
  'orders',
  'payments',
  'prices',
  'products',
  'promotions',
  'refunds',
  'returns',
  'reviews',
  'sellers',
  'shipments',
  'stock',
  'suppliers',
  'warehouses',
]
const ACTIONS = [
  ['GET', '', 'list'],
  ['POST', '', 'create'],
  ['GET', '/{id}', 'read'],
  ['DELETE', '/{id}', 'delete'],
] as const
const answer = (id: string | undefined) => ({ id })

type Ours = HttpRoute<object>
const ourRoutes: Ours[] = RESOURCES.flatMap((resource) =>
  ACTIONS.map(([method, suffix, action]) => ({
    method,
    path: `/${resource}${suffix}`,
    ...(resource === 'catalog'
      ? {}
      : {
          options: {
            policies: [tokenRequired(), activity(`orders:${resource.slice(0, -1)}:${action}`)],
          },
        }),
    handler: (request: { params: Record<string, string> }) => answer(request.params.id),
  })),
) as Ours[]
if (ourRoutes.length !== 100) throw new Error('100 routes expected')

const peerJwks = createLocalJWKSet(jwks)
const httpError = (statusCode: number, message: string) =>
  Object.assign(new Error(message), { statusCode, expose: true })
/** What a user writes in each protected route handler today. */
const verifyBearer = async (
  event: { headers: Record<string, string | undefined> },
  need: string,
) => {
  const header = event.headers.authorization
  if (header === undefined || !header.startsWith('Bearer ')) throw httpError(401, 'Unauthorized')
  try {
    const { payload } = await jwtVerify(header.slice(7), peerJwks, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: [ALG],
    })
    const activities = payload.activities
    if (!Array.isArray(activities) || !activities.includes(need)) throw httpError(403, 'Forbidden')
    return payload
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 403) throw error
    throw httpError(401, 'Unauthorized')
  }
}
type PeerEvent = { headers: Record<string, string | undefined>; pathParameters?: { id?: string } }
const json = (body: unknown) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
})
const peerRoutes = RESOURCES.flatMap((resource) =>
  ACTIONS.map(([method, suffix, action]) => ({
    method,
    path: `/${resource}${suffix}`,
    handler:
      resource === 'catalog'
        ? async (event: PeerEvent) => json(answer(event.pathParameters?.id))
        : async (event: PeerEvent) => {
            await verifyBearer(event, `orders:${resource.slice(0, -1)}:${action}`)
            return json(answer(event.pathParameters?.id))
          },
  })),
)

// --- the stacks ---------------------------------------------------------------------------------
const powertoolsTrio = () => {
  const logger = new Logger({ serviceName: 'bench' })
  const metrics = new Metrics({ namespace: 'bench', serviceName: 'bench' })
  const tracer = new Tracer({ serviceName: 'bench', enabled: false })
  return [
    injectLambdaContext(logger),
    captureLambdaHandler(tracer),
    logMetrics(metrics, { captureColdStartMetric: true }),
  ] as const
}
const peer = (() => {
  const [logging, tracing, metrics] = powertoolsTrio()
  return middy()
    .use(logging)
    .use(tracing)
    .use(metrics)
    .use(httpErrorHandler({ logger: false }))
    .use(httpJsonBodyParser({ disableContentTypeError: true }))
    .handler(httpRouter(peerRoutes as never) as never)
})()

// The self token, warm: a client whose token endpoint answered once, as after a container's first
// call out (a test double answers; the handler does not ask for the token in these cases).
const tokenClient = selfTokenClient({
  tokenEndpoint: 'https://id.metis.bench/token',
  clientId: 'orders',
  clientSecret: 'secret',
  fetch: async () =>
    new Response(JSON.stringify({ access_token: 'self', token_type: 'Bearer', expires_in: 3600 }), {
      headers: { 'content-type': 'application/json' },
    }),
})
if (!(await tokenClient.get()).ok) throw new Error('the self token did not warm')

type ObserverOptions = Parameters<typeof observer>[0]
/** The example service's stack; `observe: false` leaves the observer out. */
const ours = (observe: ObserverOptions | false) => {
  const app = router({ http: ourRoutes })
  const base = middy()
  const observed =
    observe === false
      ? base
      : base.use(observer({ serviceName: 'bench', metricsNamespace: 'bench', ...observe }))
  return observed
    .use(responder({ logger: false }))
    .use(handlerGuard(envEstablished(['BENCH_ENV'])))
    .use(requestBuilder())
    .use(app.middleware())
    .use(pip({ issuer: ISSUER, audience: AUDIENCE, jwks, algorithms: [ALG] }))
    .use(pdp())
    .use(selfToken(tokenClient))
    .handler(app)
}
const full = ours({ tracing: false })
const quiet = ours({ tracing: false, logRequests: false, captureColdStartMetric: true })
const lean = ours(false)
const [logging, tracing, metrics] = powertoolsTrio()
const oursWithTrio = (() => {
  const app = router({ http: ourRoutes })
  return middy()
    .use(logging)
    .use(tracing)
    .use(metrics)
    .use(responder({ logger: false }))
    .use(handlerGuard(envEstablished(['BENCH_ENV'])))
    .use(requestBuilder())
    .use(app.middleware())
    .use(pip({ issuer: ISSUER, audience: AUDIENCE, jwks, algorithms: [ALG] }))
    .use(pdp())
    .use(selfToken(tokenClient))
    .handler(app)
})()
const bare = async (event: PeerEvent) => json(answer(event.pathParameters?.id))
const middyAlone = middy().handler(bare as never)

// --- every stack answers as it should before it is timed ----------------------------------------
type Handler = (event: never, context: never) => Promise<unknown>
const expect = async (name: string, handler: Handler, event: unknown, status: number) => {
  const response = (await handler(event as never, lambdaContext())) as { statusCode?: number }
  if (response?.statusCode !== status) {
    throw new Error(`${name} answered ${JSON.stringify(response)}, not ${status}`)
  }
}
const stacks: [string, Handler][] = [
  ['peer', peer as Handler],
  ['ours', full as Handler],
  ['quiet', quiet as Handler],
  ['lean', lean as Handler],
  ['trio', oursWithTrio as Handler],
]
for (const [name, handler] of stacks) {
  await expect(name, handler, repeated(), 200)
  await expect(name, handler, fresh(), 200)
  await expect(name, handler, anonymous(), 200)
  await expect(name, handler, flat(httpEvent('/orders/42', undefined)), 401)
}

const run =
  (handler: Handler, event: () => unknown): Task['fn'] =>
  () =>
    handler(event() as never, lambdaContext())

const PEER = 'peer: middy + http-router + Powertools + jose'
const PEER_ANON = 'peer: middy + http-router + Powertools (no jose)'
const OURS = 'metis-app: the example stack'
const cases = [
  { title: 'stack: repeated token', event: repeated, peer: PEER, target: 0.2 },
  { title: 'stack: a new token every time', event: fresh, peer: PEER, target: 0.7 },
  { title: 'stack: no authentication', event: anonymous, peer: PEER_ANON, target: 0.7 },
]
for (const c of cases) {
  const rows = await compareRounds(
    c.title,
    c.peer,
    [
      { name: c.peer, fn: run(peer as Handler, c.event) },
      { name: OURS, fn: run(full as Handler, c.event) },
      { name: 'metis-app, observer without request lines', fn: run(quiet as Handler, c.event) },
      {
        name: "metis-app, Powertools' three instead of observer",
        fn: run(oursWithTrio as Handler, c.event),
      },
      { name: 'metis-app without the observer', fn: run(lean as Handler, c.event) },
      { name: '@middy/core alone', fn: run(middyAlone as Handler, c.event) },
      { name: 'bare handler', fn: () => bare(c.event() as never) },
    ],
    { rounds: ROUNDS, time: TIME },
  )
  const figure = (name: string) => rows.find((r) => r.name === name)?.meanUs ?? Number.NaN
  summarize({
    measure: `per invocation, ${c.title.slice('stack: '.length)}`,
    peer: c.peer,
    ours: figure(OURS),
    theirs: figure(c.peer),
    unit: 'us',
    target: c.target,
  })
}
