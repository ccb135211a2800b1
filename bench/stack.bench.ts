/**
 * The whole stack per invocation, as a user feels it: the example service's stack (observer,
 * responder, guard, request builder, router with 100 routes, PIP + PDP with a route activity
 * policy, self token warm) against the stack a user assembles by hand today (`@middy/core` +
 * `@middy/http-router` + `http-json-body-parser` + `http-error-handler` + Powertools'
 * `injectLambdaContext`, `captureLambdaHandler`, `logMetrics`, and `jose.jwtVerify` in the route
 * handler), on the same HTTP API v2 event, the same 100 routes and the same kind of RS256 key.
 *
 * Three cases: a repeated token, a new token every time (a pool larger than the PIP's
 * verified-token cache, cycled), and no authentication (a route without policies, against the
 * peer's route that does not call jose). Log lines and EMF go to a no-op sink (they are still
 * formatted); tracing is off. Lambda hands every invocation a new context object; so does this
 * bench.
 *
 * Each side runs in its own Node process, as each would be deployed: the peer imports Powertools
 * Tracer, which loads the X-Ray SDK and its async hooks (every promise of the process then pays
 * for them, tracing on or off); the example's observer never loads the tracer with tracing off.
 * The parent runs the two processes in turn for several rounds (the order reversed every other
 * round) and prints the median of the rounds. `STACK_SIDE=peer|ours` runs one side once.
 *
 * Targets (issue 10): repeated token <= 0.2x the peer, new token <= 0.7x, no authentication
 * <= 0.7x of the peer without jose. Run: `node bench/stack.bench.ts`.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import middy from '@middy/core'
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose'
import { compare, summarize, type Task } from './support/compare.ts'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const TIME = Number(process.env.BENCH_TIME ?? 300)
const SIDE = process.env.STACK_SIDE

const PEER = 'peer: middy + http-router + Powertools + jose'
const PEER_ANON = 'peer: middy + http-router + Powertools (no jose)'
const OURS = 'metis-app: the example stack'
const CASES = [
  { title: 'stack: repeated token', peer: PEER, target: 0.2 },
  { title: 'stack: a new token every time', peer: PEER, target: 0.7 },
  { title: 'stack: no authentication', peer: PEER_ANON, target: 0.7 },
] as const
type Figures = Record<string, Record<string, { meanUs: number; p99Us: number }>>

if (SIDE === undefined) {
  // The parent: each side in its own process, in turn, ROUNDS times; then the medians.
  const runSide = (side: 'peer' | 'ours') =>
    new Promise<Figures>((resolve, reject) => {
      const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
        env: { ...process.env, STACK_SIDE: side },
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      let out = ''
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
      })
      child.on('error', reject)
      child.on('close', (code) => {
        const line = out.split('\n').find((l) => l.startsWith('RESULT '))
        if (code !== 0 || line === undefined) reject(new Error(`the ${side} side failed (${code})`))
        else resolve(JSON.parse(line.slice('RESULT '.length)) as Figures)
      })
    })
  const rounds: Figures[] = []
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = round % 2 === 0 ? (['peer', 'ours'] as const) : (['ours', 'peer'] as const)
    const figures: Figures = {}
    for (const side of order) {
      for (const [title, tasks] of Object.entries(await runSide(side))) {
        figures[title] = { ...figures[title], ...tasks }
      }
    }
    rounds.push(figures)
  }
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b)
    return sorted[Math.floor(sorted.length / 2)] as number
  }
  for (const c of CASES) {
    const names = Object.keys(rounds[0]?.[c.title] ?? {})
    const of = (name: string, field: 'meanUs' | 'p99Us') =>
      median(rounds.map((r) => r[c.title]?.[name]?.[field] ?? Number.NaN))
    const base = of(c.peer, 'meanUs')
    console.log(`\n## ${c.title} (median of ${ROUNDS} rounds, each side in its own process)`)
    console.table(
      names.map((name) => ({
        task: name,
        'mean (us)': of(name, 'meanUs').toFixed(2),
        'p99 (us)': of(name, 'p99Us').toFixed(2),
        ratio: `${(of(name, 'meanUs') / base).toFixed(2)}x`,
        'rounds (us)': rounds.map((r) => r[c.title]?.[name]?.meanUs.toFixed(1)).join(' '),
      })),
    )
    summarize({
      measure: `per invocation, ${c.title.slice('stack: '.length)}`,
      peer: c.peer,
      ours: of(OURS, 'meanUs'),
      theirs: base,
      unit: 'us',
      target: c.target,
    })
  }
  process.exit(0)
}

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

// --- the stacks, each side's modules loaded only in its own process -----------------------------
type Handler = (event: never, context: never) => Promise<unknown>
const bare = async (event: PeerEvent) => json(answer(event.pathParameters?.id))

/** Powertools' three middlewares, as their documentation stacks them (tracer disabled). */
const powertoolsTrio = async () => {
  const [logger, loggerMw, metrics, metricsMw, tracer, tracerMw] = await Promise.all([
    import('@aws-lambda-powertools/logger'),
    import('@aws-lambda-powertools/logger/middleware'),
    import('@aws-lambda-powertools/metrics'),
    import('@aws-lambda-powertools/metrics/middleware'),
    import('@aws-lambda-powertools/tracer'),
    import('@aws-lambda-powertools/tracer/middleware'),
  ])
  return [
    loggerMw.injectLambdaContext(new logger.Logger({ serviceName: 'bench' })),
    tracerMw.captureLambdaHandler(new tracer.Tracer({ serviceName: 'bench', enabled: false })),
    metricsMw.logMetrics(new metrics.Metrics({ namespace: 'bench', serviceName: 'bench' }), {
      captureColdStartMetric: true,
    }),
  ] as const
}

/** The example service's stack; `observe: false` leaves the observer out, 'trio' puts
 * Powertools' three middlewares in its place. */
const oursStack = async (observe: Record<string, unknown> | false | 'trio') => {
  const [auth, guard, observerPart, request, response, routerPart, selfTokenPart] =
    await Promise.all([
      import('../src/auth/index.ts'),
      import('../src/guard/index.ts'),
      import('../src/observer/index.ts'),
      import('../src/request/index.ts'),
      import('../src/response/index.ts'),
      import('../src/router/index.ts'),
      import('../src/self-token/index.ts'),
    ])
  const routes = RESOURCES.flatMap((resource) =>
    ACTIONS.map(([method, suffix, action]) => ({
      method,
      path: `/${resource}${suffix}`,
      ...(resource === 'catalog'
        ? {}
        : {
            options: {
              policies: [
                auth.tokenRequired(),
                auth.activity(`orders:${resource.slice(0, -1)}:${action}`),
              ],
            },
          }),
      handler: (r: { params: Record<string, string> }) => answer(r.params.id),
    })),
  ) as import('../src/router/index.ts').HttpRoute<object>[]
  if (routes.length !== 100) throw new Error('100 routes expected')
  // The self token, warm: a client whose token endpoint answered once, as after a container's
  // first call out (a test double answers; the handler does not ask for the token here).
  const tokenClient = selfTokenPart.selfTokenClient({
    tokenEndpoint: 'https://id.metis.bench/token',
    clientId: 'orders',
    clientSecret: 'secret',
    fetch: async () =>
      new Response(
        JSON.stringify({ access_token: 'self', token_type: 'Bearer', expires_in: 3600 }),
        { headers: { 'content-type': 'application/json' } },
      ),
  })
  if (!(await tokenClient.get()).ok) throw new Error('the self token did not warm')
  const app = routerPart.router({ http: routes })
  let stack = middy()
  if (observe === 'trio') for (const mw of await powertoolsTrio()) stack = stack.use(mw as never)
  else if (observe !== false) {
    stack = stack.use(
      observerPart.observer({ serviceName: 'bench', metricsNamespace: 'bench', ...observe }),
    ) as never
  }
  return stack
    .use(response.responder({ logger: false }))
    .use(guard.handlerGuard(guard.envEstablished(['BENCH_ENV'])))
    .use(request.requestBuilder())
    .use(auth.pip({ issuer: ISSUER, audience: AUDIENCE, jwks, algorithms: [ALG] }))
    .use(selfTokenPart.selfToken(tokenClient))
    .handler(app as never) as unknown as Handler
}

const peerStack = async () => {
  const [trio, errors, body, routing] = await Promise.all([
    powertoolsTrio(),
    import('@middy/http-error-handler'),
    import('@middy/http-json-body-parser'),
    import('@middy/http-router'),
  ])
  let stack = middy()
  for (const mw of trio) stack = stack.use(mw as never)
  return stack
    .use(errors.default({ logger: false }))
    .use(body.default({ disableContentTypeError: true }))
    .handler(routing.default(peerRoutes as never) as never) as unknown as Handler
}

const MIDDY_ALONE = '@middy/core alone'
const stacks: [string, Handler][] =
  SIDE === 'peer'
    ? [
        [PEER, await peerStack()],
        [
          "metis-app, Powertools' three (Tracer loaded) instead of the observer",
          await oursStack('trio'),
        ],
        [`${MIDDY_ALONE}, X-Ray SDK loaded`, middy().handler(bare as never) as Handler],
      ]
    : [
        [OURS, await oursStack({ tracing: false })],
        ['metis-app, request lines off', await oursStack({ tracing: false, logRequests: false })],
        ['metis-app without the observer', await oursStack(false)],
        [MIDDY_ALONE, middy().handler(bare as never) as Handler],
      ]

// --- every stack answers as it should before it is timed ----------------------------------------
const expectStatus = async (name: string, handler: Handler, event: unknown, status: number) => {
  const response = (await handler(event as never, lambdaContext())) as { statusCode?: number }
  if (response?.statusCode !== status) {
    throw new Error(`${name} answered ${JSON.stringify(response)}, not ${status}`)
  }
}
for (const [name, handler] of stacks) {
  if (name.startsWith(MIDDY_ALONE)) continue
  await expectStatus(name, handler, repeated(), 200)
  await expectStatus(name, handler, fresh(), 200)
  await expectStatus(name, handler, anonymous(), 200)
  await expectStatus(name, handler, flat(httpEvent('/orders/42', undefined)), 401)
}

const events = { 'stack: repeated token': repeated, 'stack: a new token every time': fresh }
const figures: Figures = {}
for (const c of CASES) {
  const event = events[c.title as keyof typeof events] ?? anonymous
  const tasks: Task[] = stacks.map(([name, handler]) => ({
    name: name === PEER ? c.peer : name,
    fn: () => handler(event() as never, lambdaContext()),
  }))
  if (SIDE !== 'peer') tasks.push({ name: 'bare handler', fn: () => bare(event() as never) })
  const rows = await compare(`${c.title}, ${SIDE} side`, tasks[0]?.name as string, tasks, {
    time: TIME,
  })
  figures[c.title] = Object.fromEntries(
    rows.map((r) => [r.name, { meanUs: r.meanUs, p99Us: r.p99Us }]),
  )
}
process.stdout.write(`RESULT ${JSON.stringify(figures)}\n`)
