/**
 * Fault injection at the identity provider's token endpoint, for the self token: a refused
 * connection, a reset mid-body, 500, 503 with Retry-After, an answer slower than the timeout, HTML
 * and truncated JSON. Each ends in the documented `TokenError`, the invocation answers its status
 * without the secret, a still-valid token is served instead when there is one, the circuit breaker
 * counts the failures, and no promise is left rejected unhandled.
 */
import { randomUUID } from 'node:crypto'
import { inspect } from 'node:util'
import middy from '@middy/core'
import { afterEach, describe, expect, it } from 'vitest'
import { circuitBreaker } from '../../src/circuit/index.ts'
import { responder } from '../../src/response/index.ts'
import {
  memoryTokenStore,
  type SelfTokenContext,
  type SelfTokenOptions,
  selfToken,
  selfTokenClient,
  type TokenErrorCode,
} from '../../src/self-token/index.ts'
import { lambdaContext, loadEvent } from '../support/events.ts'
import {
  type FaultyServer,
  HTTP_FAULTS,
  type HttpFault,
  recordingLogger,
  startFaultyServer,
  watchUnhandledRejections,
} from './support/faults.ts'
import { tally } from './support/figures.ts'
import { registerSecret } from './support/hygiene.ts'

const SECRET = `cs-${randomUUID()}`
const STILL_VALID = `opaque-${randomUUID()}`
registerSecret(SECRET, STILL_VALID)

const TIMEOUT = 300

/** The documented outcome of each fault: the TokenError code, its status, whether it is retried. */
const DOCUMENTED: Record<HttpFault, { code: TokenErrorCode; status: number; retryable: boolean }> =
  {
    refused: { code: 'TOKEN_ENDPOINT_UNREACHABLE', status: 503, retryable: true },
    'reset mid-body': { code: 'TOKEN_ENDPOINT_UNREACHABLE', status: 503, retryable: true },
    '500': { code: 'TOKEN_ENDPOINT_ERROR', status: 502, retryable: true },
    '503 with Retry-After': { code: 'TOKEN_ENDPOINT_ERROR', status: 502, retryable: true },
    'slow past the timeout': { code: 'TOKEN_ENDPOINT_TIMEOUT', status: 504, retryable: true },
    HTML: { code: 'TOKEN_INVALID_RESPONSE', status: 502, retryable: false },
    'truncated JSON': { code: 'TOKEN_INVALID_RESPONSE', status: 502, retryable: false },
  }

watchUnhandledRejections()

let server: FaultyServer | undefined
afterEach(async () => {
  await server?.stop()
  server = undefined
})

const options = (url: string, extra: Partial<SelfTokenOptions> = {}): SelfTokenOptions => ({
  tokenEndpoint: url,
  clientId: 'orders',
  clientSecret: SECRET,
  timeoutMs: TIMEOUT,
  retries: 1,
  sleep: async () => undefined,
  ...extra,
})

/** An orders handler that needs its own token for every request. */
const ordersHandler = (source: SelfTokenOptions) =>
  middy<unknown, unknown, Error, SelfTokenContext>()
    .use(responder({ logger: false }))
    .use(selfToken(source))
    .handler(async (_event, context) => ({
      forwarded: (await context.selfToken.authorization()).length,
    }))

const expectNoSecret = (text: string): void => {
  expect(text).not.toContain(SECRET)
  expect(text).not.toContain(Buffer.from(`orders:${SECRET}`).toString('base64'))
  expect(text).not.toContain(STILL_VALID)
}

describe('the token endpoint failing, for the self token', () => {
  it.each(HTTP_FAULTS)('answers "%s" with the documented TokenError and status', async (fault) => {
    server = await startFaultyServer(fault, '/oauth2/token')
    const documented = DOCUMENTED[fault]
    const logger = recordingLogger()
    const client = selfTokenClient(options(server.url, { logger }))
    const result = await client.get()
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe(documented.code)
    expect(result.error.statusCode).toBe(documented.status)
    expect(result.error.retryable).toBe(documented.retryable)
    // retried once when retryable, never otherwise (a refused connection never reaches the
    // server), nor after a Retry-After (120 s) longer than the time left
    const attempts = documented.retryable && fault !== '503 with Retry-After' ? 2 : 1
    expect(server.requests()).toBe(fault === 'refused' ? 0 : attempts)
    expectNoSecret(inspect(result.error, { depth: 10 }) + logger.text())

    const response = (await ordersHandler(options(server.url))(
      loadEvent('apigw-http/no-auth'),
      lambdaContext() as never,
    )) as { statusCode: number; body: string }
    expect(response.statusCode).toBe(documented.status)
    expect(JSON.parse(response.body)).toEqual({
      type: 'about:blank',
      title: expect.any(String),
      status: documented.status,
    })
    expectNoSecret(response.body)
    tally('fault', `token endpoint: ${fault}`, 2)
  })

  it.each(HTTP_FAULTS)(
    'serves the still-valid token when a refresh meets "%s", with a warning',
    async (fault) => {
      server = await startFaultyServer(fault, '/oauth2/token')
      const now = Date.now()
      const store = memoryTokenStore()
      await store.write('orders-token', {
        accessToken: STILL_VALID,
        tokenType: 'Bearer',
        issuedAt: now - 590_000,
        expiresAt: now + 30_000,
      })
      const logger = recordingLogger()
      const client = selfTokenClient(
        options(server.url, { store, storeKey: 'orders-token', logger, clock: () => now }),
      )
      const result = await client.get()
      expect(result.ok && result.value.accessToken).toBe(STILL_VALID)
      // The token is answered at once; the refresh that fails runs behind that answer.
      await client.settled()
      expect(logger.lines.map((line) => line.message)).toContain(
        'self-token refresh failed; the cached token is still valid and is used',
      )
      expectNoSecret(logger.text())
      tally('fault', `token endpoint: ${fault}, with a still-valid token`, 1)
    },
  )

  it.each(HTTP_FAULTS)(
    'opens the circuit after three "%s" failures and stops calling the endpoint',
    async (fault) => {
      server = await startFaultyServer(fault, '/oauth2/token')
      const breaker = circuitBreaker({ name: `idp-${fault}`, retry: false, failureThreshold: 3 })
      const client = selfTokenClient(options(server.url, { breaker }))
      const codes: string[] = []
      for (let i = 0; i < 4; i++) {
        const result = await client.get()
        codes.push(result.ok ? 'ok' : String(result.error.code))
      }
      expect(codes.slice(0, 3)).toEqual(Array(3).fill(DOCUMENTED[fault].code))
      expect(codes[3]).toBe('TOKEN_CIRCUIT_OPEN')
      expect(server.requests()).toBe(fault === 'refused' ? 0 : 3)
      tally('fault', `token endpoint: ${fault}, behind a circuit breaker`, 4)
    },
  )
})
