/**
 * Refresh behind the answer: while the cached token is usable, `get()` answers it at once and the
 * early refresh runs behind; only a caller with no usable token waits on the refresh, and only it
 * gets the refresh's error. The token endpoint hangs for real (a loopback server that never
 * answers); the breaker's per-attempt timeouts run on a manual schedule and the clock is virtual.
 */
import { circuitBreaker } from 'metis-app/circuit'
import { memoryTokenStore, type SelfTokenOptions, selfTokenClient } from 'metis-app/self-token'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  answerOf,
  atOnce,
  manualClock,
  manualSchedule,
  opaqueTokens,
  recordingLogger,
  startTokenServer,
  type TokenServer,
  watch,
} from './support.ts'

let server: TokenServer

beforeAll(async () => {
  server = await startTokenServer()
})
afterAll(() => server.stop())
beforeEach(() => server.reset())

/** The first request answers a token of `expiresIn` seconds; every later one hangs. */
const hangingAfterFirst = (expiresIn: number) => (n: number) =>
  n === 1 ? opaqueTokens(expiresIn)(n) : ('hang' as const)

/**
 * A client behind the README's breaker (3 s per attempt, two retries), all on one virtual clock:
 * the breaker's backoff moves it, and `timers.fire()` ends the oldest hanging attempt 3 s later.
 */
const setup = (extra: Partial<SelfTokenOptions> = {}, clock = manualClock()) => {
  const timers = manualSchedule(clock)
  const logger = recordingLogger()
  const breaker = circuitBreaker({
    name: 'idp',
    timeoutMs: 3_000,
    retry: { retries: 2 },
    failureThreshold: 10,
    clock: clock.now,
    random: () => 0.5,
    sleep: async (ms) => clock.advance(ms),
    schedule: timers.schedule,
  })
  const client = selfTokenClient({
    tokenEndpoint: server.url,
    clientId: 'orders',
    clientSecret: 'top-secret',
    breaker,
    clock: clock.now,
    random: () => 0.5,
    logger,
    ...extra,
  })
  return { clock, timers, logger, client, t0: clock.now() }
}

describe('a hung token endpoint while the cached token is usable', () => {
  it('answers the cached token at once (8 s token, get() at 5.05 s) and fails only a caller that comes after its usable end', async () => {
    server.answer(hangingAfterFirst(8))
    const { clock, timers, client, t0 } = setup()
    expect(await answerOf(client)).toBe('token-1')
    // 8 s token, skew 2 s: usable until 6 s, refreshed from 4.5 s (random 0.5).
    clock.set(t0 + 5_050)
    expect(await atOnce(answerOf(client))).toBe('token-1')
    await server.arrived(2)
    clock.set(t0 + 5_500)
    expect(await atOnce(answerOf(client))).toBe('token-1')

    timers.fire() // attempt 1 times out at 8.5 s; the backoff (50 ms) starts attempt 2
    await server.arrived(3)
    // Past 6 s this instance holds no usable token: its caller waits on the refresh.
    const waiting = answerOf(client)
    const late = watch(waiting)
    timers.fire()
    await server.arrived(4)
    expect(late.settled).toBe(false)
    timers.fire()
    expect(await waiting).toBe('TOKEN_ENDPOINT_TIMEOUT')
    expect(clock.now() - t0).toBe(5_500 + 3 * 3_000 + 50 + 100)
    expect(server.count()).toBe(4)
  })

  it('with a 40 s token, gives the error of a refresh that outlives it only to the caller that has no usable token', async () => {
    server.answer(hangingAfterFirst(40))
    const { clock, timers, client, t0, logger } = setup({
      store: memoryTokenStore(),
      storeKey: 'k',
    })
    expect(await answerOf(client)).toBe('token-1')
    // 40 s token, skew 10 s: usable until 30 s, refreshed from 22.5 s.
    clock.set(t0 + 25_000)
    const answers = [await atOnce(answerOf(client))]
    await server.arrived(2)
    timers.fire() // 28 s
    await server.arrived(3)
    answers.push(await atOnce(answerOf(client)))
    timers.fire() // 31.05 s: the token's usable end has passed
    await server.arrived(4)
    const waiting = answerOf(client)
    expect(await atOnce(waiting)).toBe('still waiting')
    timers.fire() // 34.15 s: the third attempt times out
    expect(await waiting).toBe('TOKEN_ENDPOINT_TIMEOUT')
    expect(answers).toEqual(['token-1', 'token-1'])
    expect(logger.warnings).toEqual([])
  })
})

it('answers a token from the store that is due for refresh but usable at once, and renews it behind', async () => {
  server.answer(() => 'hang')
  const store = memoryTokenStore()
  const clock = manualClock()
  const now = clock.now()
  // 60 s lifetime, usable until now + 5 s, due since now - 4 s.
  await store.write('k', {
    accessToken: 'stored',
    tokenType: 'Bearer',
    issuedAt: now - 45_000,
    expiresAt: now + 15_000,
  })
  const client = selfTokenClient({
    tokenEndpoint: server.url,
    clientId: 'orders',
    clientSecret: 'top-secret',
    store,
    storeKey: 'k',
    retries: 0,
    clock: clock.now,
    random: () => 0.5,
  })
  const first = watch(answerOf(client))
  await server.arrived(1)
  expect(first).toEqual({ settled: true, value: 'stored' })
  expect(await atOnce(answerOf(client))).toBe('stored')
  expect(server.count()).toBe(1)
})

describe('a token from the store, due for refresh here too', () => {
  /** A store holding a 60 s token that is due for refresh, usable for `usableMs` more. */
  const storeWith = async (now: number, usableMs: number) => {
    const store = memoryTokenStore()
    // 60 s lifetime, skew 10 s, refreshed from 9 s (random 0.5) before its usable end.
    await store.write('k', {
      accessToken: 'stored',
      tokenType: 'Bearer',
      issuedAt: now + usableMs + 10_000 - 60_000,
      expiresAt: now + usableMs + 10_000,
    })
    return store
  }

  it('is answered at once while usable; a caller after its usable end waits for the refresh behind it', async () => {
    server.answer(() => 'hang')
    const clock = manualClock()
    const store = await storeWith(clock.now(), 5_000)
    const { timers, client } = setup({ store, storeKey: 'k' }, clock)
    const first = watch(answerOf(client))
    await server.arrived(1)
    expect(first).toEqual({ settled: true, value: 'stored' })
    timers.fire() // +3 s: still usable, from memory
    await server.arrived(2)
    expect(await atOnce(answerOf(client))).toBe('stored')
    timers.fire() // +6 s: past its usable end
    await server.arrived(3)
    const waiting = answerOf(client)
    expect(await atOnce(waiting)).toBe('still waiting')
    timers.fire()
    expect(await waiting).toBe('TOKEN_ENDPOINT_TIMEOUT')
  })

  it('is not answered once past its usable end: the caller waits for the new token', async () => {
    const clock = manualClock()
    const store = await storeWith(clock.now(), -1)
    const { client } = setup({ store, storeKey: 'k' }, clock)
    expect(await answerOf(client)).toBe('token-1')
  })
})

describe('the refresh behind the answer', () => {
  it('answers every caller past the refresh point at once, renews once, and serves the new token when it lands', async () => {
    const { clock, client, t0 } = setup()
    expect(await answerOf(client)).toBe('token-1')
    clock.set(t0 + 9 * 60_000) // 600 s tokens: refreshed from 8:20
    const answers = await atOnce(Promise.all(Array.from({ length: 20 }, () => answerOf(client))))
    expect(answers).toEqual(Array(20).fill('token-1'))
    await client.settled()
    expect(server.count()).toBe(2)
    expect(await atOnce(answerOf(client))).toBe('token-2')
  })
})

it('does not answer a token invalidated while the refresh behind it hangs, even when that refresh fails in its usable time', async () => {
  server.answer(hangingAfterFirst(600))
  const { clock, timers, client, t0 } = setup()
  expect(await answerOf(client)).toBe('token-1')
  clock.set(t0 + 9 * 60_000) // refreshed from 8:20, usable until 9:50
  expect(await atOnce(answerOf(client))).toBe('token-1')
  await server.arrived(2)
  client.invalidate() // a resource server refused token-1
  const waiting = answerOf(client)
  expect(await atOnce(waiting)).toBe('still waiting')
  timers.fire()
  await server.arrived(3)
  timers.fire()
  await server.arrived(4)
  timers.fire() // 9:09, token-1 would still be usable
  expect(await waiting).toBe('TOKEN_ENDPOINT_TIMEOUT')
})
