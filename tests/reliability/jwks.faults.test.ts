/**
 * Fault injection at the JWKS endpoint, for the PIP: a refused connection, a reset mid-body, 500,
 * 503 with Retry-After, an answer slower than the timeout, HTML and truncated JSON. A valid token
 * is then never accepted: the PIP records `jwks-unavailable`, the PDP answers 401 (or 503 when so
 * configured), the handler does not run, and no promise is left rejected unhandled.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { pdp, pip, resetAuthCaches, tokenRequired } from '../../src/auth/index.ts'
import {
  AUDIENCE,
  bearerEvent,
  claimsAt,
  ISSUER,
  makeKey,
  runStack,
  sign,
  startJwksServer,
  type TestKey,
} from '../auth/support.ts'
import {
  type FaultyServer,
  HTTP_FAULTS,
  startFaultyServer,
  watchUnhandledRejections,
} from './support/faults.ts'
import { tally } from './support/figures.ts'
import { registerSecret } from './support/hygiene.ts'

let key: TestKey
let token: string

beforeAll(async () => {
  key = await makeKey('RS256')
  token = await sign(key, claimsAt(Math.floor(Date.now() / 1000)))
  registerSecret(token)
})

watchUnhandledRejections()

let server: FaultyServer | undefined
afterEach(async () => {
  resetAuthCaches()
  await server?.stop()
  server = undefined
})
afterAll(() => resetAuthCaches())

describe('the JWKS endpoint failing, for the PIP', () => {
  it.each(HTTP_FAULTS)(
    'never accepts a valid token when the JWKS endpoint is "%s"',
    async (fault) => {
      server = await startFaultyServer(fault, '/jwks')
      const trust = { issuer: ISSUER, audience: AUDIENCE, jwksUri: server.url, jwksTimeoutMs: 300 }
      for (const onJwksUnavailable of [401, 503] as const) {
        resetAuthCaches()
        const run = await runStack(
          [pip({ ...trust, onJwksUnavailable }), pdp(tokenRequired())],
          bearerEvent(token),
        )
        expect(run.handlerRan).toBe(false)
        expect(run.response.statusCode).toBe(onJwksUnavailable)
        expect((run.context.auth as { reason: string }).reason).toBe('jwks-unavailable')
        expect(run.response.body ?? '').not.toContain(token)
      }
      tally('fault', `JWKS endpoint: ${fault}`, 2)
    },
  )

  it('verifies the same token once the endpoint serves the key set (the baseline)', async () => {
    const jwks = await startJwksServer([key.publicJwk])
    try {
      const run = await runStack(
        [pip({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url }), pdp(tokenRequired())],
        bearerEvent(token),
      )
      expect(run.handlerRan).toBe(true)
    } finally {
      await jwks.stop()
    }
  })
})
