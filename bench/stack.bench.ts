/**
 * The whole stack per invocation: a bare handler, @middy/core alone, and every metis-app
 * middleware a service stacks (observer, responder, guard, request builder, router, PIP with a
 * repeated token, PDP with a route activity policy, lazy self token), all in one run, on a real
 * HTTP API v2 event carrying a bearer token; and, to tell the two apart, the same stack without
 * the observer, and Powertools' own three middlewares alone. Log lines and EMF go to a no-op sink.
 */
import { readFileSync } from 'node:fs'
import { Logger } from '@aws-lambda-powertools/logger'
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { Metrics } from '@aws-lambda-powertools/metrics'
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware'
import { Tracer } from '@aws-lambda-powertools/tracer'
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware'
import middy from '@middy/core'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { activity, pdp, pip, tokenRequired } from '../src/auth/index.ts'
import { envEstablished, handlerGuard } from '../src/guard/index.ts'
import { observer } from '../src/observer/index.ts'
import { requestBuilder } from '../src/request/index.ts'
import { responder } from '../src/response/index.ts'
import { router } from '../src/router/index.ts'
import { selfToken } from '../src/self-token/index.ts'
import { compare } from './support/compare.ts'

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

const ISSUER = 'https://id.metis.bench'
const AUDIENCE = 'https://api.metis.bench'
const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }
const now = Math.floor(Date.now() / 1000)
const token = await new SignJWT({ activities: ['orders:order:read'] })
  .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
  .setIssuer(ISSUER)
  .setAudience(AUDIENCE)
  .setSubject('bench')
  .setIssuedAt(now)
  .setExpirationTime(now + 3600)
  .sign(privateKey)

const sample = JSON.parse(
  readFileSync(
    new URL('../tests/fixtures/events/apigw-http/no-auth.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown> & { requestContext: { http: Record<string, unknown> } }
const event = () => ({
  ...sample,
  rawPath: '/orders/42',
  headers: { ...(sample.headers as object), authorization: `Bearer ${token}` },
  requestContext: {
    ...sample.requestContext,
    http: { ...sample.requestContext.http, method: 'GET', path: '/orders/42' },
  },
})
const context = {
  functionName: 'bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:bench',
  memoryLimitInMB: '128',
  awsRequestId: 'bench',
  getRemainingTimeInMillis: () => 30_000,
} as never

const answer = {
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  body: '{"id":"42"}',
}
const bare = async (_event: unknown) => answer
const middyAlone = middy().handler(bare)

const app = router({
  http: [
    {
      method: 'GET',
      path: '/orders/{id}',
      options: { policies: [tokenRequired(), activity('orders:order:read')] },
      handler: (request) => ({ id: request.params.id }),
    },
  ],
})
/** Every metis-app middleware but the observer: what metis-app itself adds. */
const withoutObserver = () =>
  middy()
    .use(responder({ logger: false }))
    .use(handlerGuard(envEstablished(['BENCH_ENV'])))
    .use(requestBuilder())
    .use(app.middleware())
    .use(pip({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [jwk] } }))
    .use(pdp())
    .use(selfToken({ tokenEndpoint: 'http://127.0.0.1:9/token', clientId: 'c', clientSecret: 's' }))
    .handler(app)
const lean = withoutObserver()
const powertools = new Logger({ serviceName: 'bench' })
const metrics = new Metrics({ namespace: 'bench', serviceName: 'bench' })
const tracer = new Tracer({ serviceName: 'bench', enabled: false })
const powertoolsAlone = middy()
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics))
  .use(injectLambdaContext(powertools))
  .handler(bare)
const full = middy()
  .use(observer({ serviceName: 'bench', metricsNamespace: 'bench' }))
  .use(responder({ logger: false }))
  .use(handlerGuard(envEstablished(['BENCH_ENV'])))
  .use(requestBuilder())
  .use(app.middleware())
  .use(pip({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [jwk] } }))
  .use(pdp())
  .use(selfToken({ tokenEndpoint: 'http://127.0.0.1:9/token', clientId: 'c', clientSecret: 's' }))
  .handler(app)

const check = (await full(event() as never, context)) as { statusCode: number; body: string }
if (check.statusCode !== 200) throw new Error(`the full stack answered ${JSON.stringify(check)}`)

await compare('the whole stack per invocation', '@middy/core alone', [
  { name: 'bare handler', fn: () => bare(event()) },
  { name: '@middy/core alone', fn: () => middyAlone(event() as never, context) },
  { name: 'metis-app: all but the observer', fn: () => lean(event() as never, context) },
  { name: "Powertools' three middlewares", fn: () => powertoolsAlone(event() as never, context) },
  { name: 'metis-app: every middleware', fn: () => full(event() as never, context) },
])
