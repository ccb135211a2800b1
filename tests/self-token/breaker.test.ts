import { circuitBreaker } from 'metis-app/circuit'
import { err } from 'metis-app/result'
import { type SelfTokenOptions, selfTokenClient, type TokenBreaker } from 'metis-app/self-token'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type OidcProvider, startOidcProvider } from '../support/oidc.ts'
import { manualClock, startTokenServer, type TokenServer } from './support.ts'

let server: TokenServer
let idp: OidcProvider

beforeAll(async () => {
  ;[server, idp] = await Promise.all([startTokenServer(), startOidcProvider()])
})
afterAll(async () => {
  await Promise.all([server.stop(), idp.stop()])
})
beforeEach(() => server.reset())

const noWait = async () => {}

/** A fresh client (an empty memory, as in a new container) on a shared breaker. */
const client = (breaker: TokenBreaker, extra: Partial<SelfTokenOptions> = {}) =>
  selfTokenClient({
    tokenEndpoint: server.url,
    clientId: 'orders',
    clientSecret: 'top-secret',
    breaker,
    retries: 5, // ignored: with a breaker, the breaker's retry policy applies
    ...extra,
  })

describe('the token endpoint behind the circuit breaker', () => {
  it('opens after the failure threshold, sends nothing during the stand-down, and closes on a successful probe', async () => {
    const clock = manualClock()
    const breaker = circuitBreaker({
      name: 'idp',
      failureThreshold: 3,
      standDownMs: 60_000,
      retry: false,
      clock: clock.now,
    })
    server.answer(() => ({ status: 500, body: '' }))
    for (let i = 0; i < 3; i++) {
      const result = await client(breaker).get()
      expect(!result.ok && result.error.code).toBe('TOKEN_ENDPOINT_ERROR')
    }
    expect(server.count()).toBe(3)
    expect((await breaker.snapshot()).state).toBe('open')

    for (let i = 0; i < 10; i++) {
      const result = await client(breaker).get()
      expect(!result.ok && [result.error.code, result.error.statusCode]).toEqual([
        'TOKEN_CIRCUIT_OPEN',
        503,
      ])
      clock.advance(5_000)
    }
    expect(server.count()).toBe(3)

    server.reset()
    clock.advance(10_000)
    const probe = await client(breaker).get()
    expect(probe.ok && probe.value.accessToken).toBe('token-1')
    expect(server.count()).toBe(1)
    expect((await breaker.snapshot()).state).toBe('closed')
  })

  it('retries 5xx through the breaker retry policy', async () => {
    const breaker = circuitBreaker({
      name: 'idp',
      failureThreshold: 10,
      retry: { retries: 2 },
      sleep: noWait,
    })
    server.answer(() => ({ status: 502, body: '' }))
    expect((await client(breaker).get()).ok).toBe(false)
    expect(server.count()).toBe(3)
  })

  it('counts an unusable 2xx answer as a failure without retrying it', async () => {
    const breaker = circuitBreaker({ name: 'idp', retry: { retries: 2 }, sleep: noWait })
    server.answer(() => ({ status: 200, body: '<html>maintenance</html>' }))
    const result = await client(breaker).get()
    expect(!result.ok && result.error.code).toBe('TOKEN_INVALID_RESPONSE')
    expect(server.count()).toBe(1)
    expect((await breaker.snapshot()).failures).toBe(1)
  })

  it('does not retry or count a wrong secret at oidc-provider (401): the breaker stays closed', async () => {
    const breaker = circuitBreaker({
      name: 'idp',
      failureThreshold: 2,
      retry: { retries: 3 },
      sleep: noWait,
    })
    let requests = 0
    for (let i = 0; i < 5; i++) {
      const result = await selfTokenClient({
        tokenEndpoint: idp.tokenEndpoint,
        clientId: idp.clientId,
        clientSecret: 'wrong',
        breaker,
        fetch: (input, init) => {
          requests += 1
          return fetch(input, init)
        },
      }).get()
      expect(!result.ok && result.error.code).toBe('TOKEN_INVALID_CLIENT')
    }
    expect(requests).toBe(5)
    expect(await breaker.snapshot()).toMatchObject({ state: 'closed', failures: 0 })
  })

  it("answers TOKEN_ENDPOINT_TIMEOUT when the breaker's timeout ends a hanging request", async () => {
    const breaker = circuitBreaker({ name: 'idp', timeoutMs: 100, retry: false })
    server.answer(() => 'hang')
    const result = await client(breaker).get()
    expect(!result.ok && [result.error.code, result.error.statusCode]).toEqual([
      'TOKEN_ENDPOINT_TIMEOUT',
      504,
    ])
    expect((await breaker.snapshot()).failures).toBe(1)
  })

  it('maps any other error from a breaker of your own to TOKEN_ENDPOINT_UNREACHABLE', async () => {
    const own: TokenBreaker = { execute: async () => err(new Error('bulkhead full')) }
    const result = await client(own).get()
    expect(!result.ok && [result.error.code, result.error.retryable]).toEqual([
      'TOKEN_ENDPOINT_UNREACHABLE',
      true,
    ])
    expect(server.count()).toBe(0)
  })
})
