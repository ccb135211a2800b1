/**
 * The cached token near its end while another instance holds the refresh claim: it is kept until
 * its usable end (expiry less the clock skew), never after. Time is virtual.
 */
import { ok } from 'metis-app/result'
import { memoryTokenStore, type SelfTokenOptions, type TokenStore } from 'metis-app/self-token'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  answerOf,
  opaqueTokens,
  startTokenServer,
  type TokenServer,
  virtualFleet,
} from './support.ts'

let server: TokenServer

beforeAll(async () => {
  server = await startTokenServer()
})
afterAll(() => server.stop())
beforeEach(() => server.reset())

/** A shared store in which another instance holds the refresh claim, and never lets go of it. */
const claimedByAnother = (): TokenStore => {
  const memory = memoryTokenStore()
  return {
    read: (key) => memory.read(key),
    write: (key, token) => memory.write(key, token),
    claim: async () => ok(false),
  }
}

describe('a claim held by another instance near the end of the cached token', () => {
  /**
   * Tokens of 60 s without skew: usable until t0 + 60 s, refreshed from t0 + 54 s (random 0). At
   * t0 + 58 s the refresh finds the claim taken and keeps the cached token.
   */
  const nearEnd = async (extra: Partial<SelfTokenOptions> = {}) => {
    server.answer(opaqueTokens(60))
    const { clock, instance } = virtualFleet(server, {
      store: claimedByAnother(),
      clockSkewMs: 0,
      ...extra,
    })
    const a = instance()
    // Cold, it waits out the claim first: the token is received, at t0, after that.
    expect(await answerOf(a.client)).toBe('token-1')
    const t0 = clock.now()
    clock.set(t0 + 58_000)
    expect(await answerOf(a.client)).toBe('token-1')
    expect(server.count()).toBe(1)
    return { a, clock, t0 }
  }

  it('does not hand out the cached token after its end (the default 5 s refreshRetryDelayMs would reach 63 s)', async () => {
    const { a, clock, t0 } = await nearEnd()
    clock.set(t0 + 62_000)
    const result = await a.client.get()
    expect(result.ok && result.value.accessToken).toBe('token-2')
    expect(result.ok && result.value.expiresAt).toBeGreaterThan(clock.now())
  })

  it('stops serving the cached token exactly at its usable end, even with a long refreshRetryDelayMs', async () => {
    const { a, clock, t0 } = await nearEnd({ refreshRetryDelayMs: 60_000 })
    clock.set(t0 + 59_999)
    expect(await answerOf(a.client)).toBe('token-1')
    clock.set(t0 + 60_000)
    expect(await answerOf(a.client)).toBe('token-2')
  })
})

it('never serves a cached token past its usable end, even with a random source outside [0, 1)', async () => {
  const { clock, instance } = virtualFleet(server, { random: () => -3 })
  const a = instance()
  expect(await answerOf(a.client)).toBe('token-1')
  clock.advance(10 * 60_000 - 10_000)
  expect(await answerOf(a.client)).toBe('token-2')
})
