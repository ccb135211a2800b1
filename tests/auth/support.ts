/**
 * Test support for `metis-app/auth`: keys generated in the test, a loopback JWKS server that
 * counts its requests and can answer badly, token signing, events, and a Middy stack runner.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import middy, { type MiddlewareObj } from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import type { Context } from 'aws-lambda'
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose'

/** A signing key made in the test, with its public JWK. */
export interface TestKey {
  readonly kid: string
  readonly alg: string
  readonly privateKey: CryptoKey
  readonly publicKey: CryptoKey
  readonly publicJwk: JWK
}

/** Generates a key pair (RS256 by default) with a fresh `kid`. */
export const makeKey = async (alg = 'RS256', kid: string = randomUUID()): Promise<TestKey> => {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }
  return { kid, alg, privateKey, publicKey, publicJwk }
}

export const ISSUER = 'https://id.metis.test'
export const AUDIENCE = 'https://api.metis.test'

/** Claims of a valid token at `nowSec`, to override per test. */
export const claimsAt = (nowSec: number, extra: JWTPayload = {}): JWTPayload => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub: 'user-1',
  iat: nowSec,
  exp: nowSec + 300,
  ...extra,
})

/** Signs `claims` with `key`; `header` overrides the protected header (`kid: undefined` drops it). */
export const sign = (
  key: TestKey,
  claims: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> => {
  const protectedHeader: Record<string, unknown> = { alg: key.alg, kid: key.kid, ...header }
  if ('kid' in header && header.kid === undefined) delete protectedHeader.kid
  return new SignJWT(claims)
    .setProtectedHeader(protectedHeader as { alg: string })
    .sign(key.privateKey)
}

/** How the loopback JWKS server answers. */
export type JwksMode = 'ok' | 'html' | 'error' | 'not-a-key-set' | 'hang'

/** A loopback JWKS server. */
export interface JwksServer {
  readonly url: string
  /** Requests received so far. */
  requests(): number
  /** Replaces the served keys. */
  setKeys(keys: readonly JWK[]): void
  setMode(mode: JwksMode): void
  stop(): Promise<void>
}

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const close = async (server: Server): Promise<void> => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}

/** Starts a JWKS server on 127.0.0.1 (ephemeral port) serving `keys`. */
export const startJwksServer = async (keys: readonly JWK[]): Promise<JwksServer> => {
  let served: JSONWebKeySet = { keys: [...keys] }
  let mode: JwksMode = 'ok'
  let count = 0
  const server = createServer((_req, res) => {
    count += 1
    if (mode === 'html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in</body></html>')
      return
    }
    if (mode === 'hang') return
    if (mode === 'not-a-key-set') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":"none"}')
      return
    }
    if (mode === 'error') {
      res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway')
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served))
  })
  const base = await listen(server)
  return {
    url: `${base}/jwks`,
    requests: () => count,
    setKeys(next) {
      served = { keys: [...next] }
    },
    setMode(next) {
      mode = next
    },
    stop: () => close(server),
  }
}

/** A URL on which nothing listens (a server started and stopped). */
export const deadUrl = async (): Promise<string> => {
  const server = createServer()
  const base = await listen(server)
  await close(server)
  return `${base}/jwks`
}

/** A small JSON server (a userinfo endpoint) answering with `answer`, counting requests. */
export const startJsonServer = async (
  answer: (authorization: string | undefined) => { status: number; body: string },
): Promise<{ url: string; requests(): number; stop(): Promise<void> }> => {
  let count = 0
  const server = createServer((req, res) => {
    count += 1
    const { status, body } = answer(req.headers.authorization)
    res.writeHead(status, { 'content-type': 'application/json' }).end(body)
  })
  const base = await listen(server)
  return { url: `${base}/userinfo`, requests: () => count, stop: () => close(server) }
}

const baseEvent = JSON.parse(
  readFileSync(new URL('../fixtures/events/apigw-http/no-auth.json', import.meta.url), 'utf8'),
) as { headers: Record<string, string> } & Record<string, unknown>

/** A real HTTP API v2 event with `headers` instead of the sample's own `authorization`. */
export const httpEvent = (
  headers: Record<string, string> = {},
  extra: Record<string, unknown> = {},
) => {
  const { authorization: _dropped, ...rest } = baseEvent.headers
  return { ...structuredClone(baseEvent), headers: { ...rest, ...headers }, ...extra }
}

/** An event whose Authorization header is `Bearer <token>`. */
export const bearerEvent = (token: string) => httpEvent({ authorization: `Bearer ${token}` })

/** The Lambda context of the tests. */
export const lambdaContext = (): Context =>
  ({
    awsRequestId: randomUUID(),
    functionName: 'auth-test',
    getRemainingTimeInMillis: () => 30_000,
  }) as unknown as Context

// Middlewares of any event, result and context: runStack stacks them as a user would.
// biome-ignore lint/suspicious/noExplicitAny: Middy's own bound for a middleware of any shape
type AnyMiddleware = MiddlewareObj<any, any, any, any, any>

/** What a run of the stack produced. */
export interface Run {
  readonly response: { statusCode: number; headers: Record<string, string>; body?: string }
  readonly handlerRan: boolean
  readonly context: Record<string, unknown>
}

/**
 * Runs `httpErrorHandler()` + `middlewares` + a handler that answers 200, and reports whether the
 * handler ran, the response, and the context the handler saw.
 */
export const runStack = async (
  middlewares: readonly AnyMiddleware[],
  event: unknown,
): Promise<Run> => {
  let handlerRan = false
  let seen: Record<string, unknown> = {}
  const stack = middy().use(httpErrorHandler({ logger: false }))
  for (const middleware of middlewares) stack.use(middleware)
  const handler = stack.handler(async (_event: unknown, context: Context) => {
    handlerRan = true
    seen = context as unknown as Record<string, unknown>
    return { statusCode: 200, body: 'ran' }
  })
  const context = lambdaContext()
  const response = (await handler(event, context)) as Run['response']
  return {
    response,
    handlerRan,
    context: handlerRan ? seen : (context as unknown as Record<string, unknown>),
  }
}
