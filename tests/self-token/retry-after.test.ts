/**
 * `Retry-After` on a 429 or 503 from the token endpoint (delta seconds or an HTTP-date): the next
 * attempt waits as long as it asks when that fits in the time left (the invocation's remaining
 * time, which the middleware passes, and the refresh claim), and not at all when it does not.
 * A real loopback endpoint answers; the clock is virtual and `sleep` records every wait.
 */
import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { circuitBreaker } from 'metis-app/circuit'
import {
  type SelfTokenContext,
  type SelfTokenOptions,
  selfToken,
  selfTokenClient,
} from 'metis-app/self-token'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { lambdaContext } from '../support/events.ts'
import {
  type Answer,
  answerOf,
  manualClock,
  opaqueTokens,
  startTokenServer,
  type TokenServer,
} from './support.ts'

let server: TokenServer

beforeAll(async () => {
  server = await startTokenServer()
})
afterAll(() => server.stop())
beforeEach(() => server.reset())

/** An answer that asks for a wait. */
const busy = (status: number, retryAfter: string): Answer => ({
  status,
  body: '',
  headers: { 'retry-after': retryAfter },
})

/** The first `count` requests answer `answer`, the next ones tokens. */
const first =
  (count: number, answer: (n: number) => Answer) =>
  (n: number): Answer =>
    n <= count ? answer(n) : opaqueTokens()(n)

/** A client on a virtual clock whose `sleep` moves it and records the wait. */
const setup = (extra: Partial<SelfTokenOptions> = {}) => {
  const clock = manualClock()
  const waits: number[] = []
  const client = selfTokenClient({
    tokenEndpoint: server.url,
    clientId: 'orders',
    clientSecret: 'top-secret',
    retries: 2,
    clock: clock.now,
    random: () => 0.5,
    sleep: async (ms) => {
      waits.push(ms)
      clock.advance(ms)
    },
    ...extra,
  })
  return { clock, waits, client }
}

const plenty = { remainingTime: () => 30_000 }

describe('Retry-After from the token endpoint', () => {
  it('waits the seconds a 429 asks for before the next attempt', async () => {
    server.answer(first(1, () => busy(429, '1')))
    const { client, waits } = setup()
    const result = await client.get(plenty)
    expect(result.ok && result.value.accessToken).toBe('token-2')
    expect(waits).toEqual([1_000])
  })

  it('waits until the HTTP-date a 503 names, each time it answers', async () => {
    const { client, waits, clock } = setup()
    server.answer(first(2, () => busy(503, new Date(clock.now() + 2_000).toUTCString())))
    const result = await client.get(plenty)
    expect(result.ok && result.value.accessToken).toBe('token-3')
    expect(waits).toEqual([2_000, 2_000])
  })

  it('does not retry when the wait would end past the deadline, and says how long it asked', async () => {
    server.answer(() => busy(429, '3'))
    const { client, waits } = setup()
    const result = await client.get({ remainingTime: () => 2_000 })
    expect(!result.ok && [result.error.code, result.error.retryAfterMs]).toEqual([
      'TOKEN_RATE_LIMITED',
      3_000,
    ])
    expect(server.count()).toBe(1)
    expect(waits).toEqual([])
  })

  it('takes a deadline as an epoch ms too', async () => {
    server.answer(first(1, () => busy(503, '2')))
    const { client, clock, waits } = setup()
    const tight = await client.get({ deadline: clock.now() + 1_999 })
    expect(!tight.ok && tight.error.code).toBe('TOKEN_ENDPOINT_ERROR')
    server.reset()
    server.answer(first(1, () => busy(503, '2')))
    const roomy = await client.get({ deadline: clock.now() + 2_001 })
    expect(roomy.ok).toBe(true)
    expect(waits).toEqual([2_000])
  })

  it('without a deadline, waits no longer than the refresh claim', async () => {
    server.answer(() => busy(503, '120'))
    const long = setup()
    expect(await answerOf(long.client)).toBe('TOKEN_ENDPOINT_ERROR')
    expect(server.count()).toBe(1)
    server.reset()
    server.answer(first(1, () => busy(503, '1')))
    const short = setup({ refreshClaimMs: 1_500 })
    expect(await answerOf(short.client)).toBe('token-2')
    expect([long.waits, short.waits]).toEqual([[], [1_000]])
  })

  const throwing = (): number => {
    throw new Error('no context')
  }
  it.each([
    ['throws', throwing],
    ['answers NaN', () => Number.NaN],
  ])(
    'takes no deadline from a remainingTime that %s, and waits within the claim',
    async (_, remainingTime) => {
      server.answer(first(1, () => busy(429, '1')))
      const { client, waits } = setup()
      expect((await client.get({ remainingTime })).ok).toBe(true)
      expect(waits).toEqual([1_000])
    },
  )

  it('retries at most `retries` times', async () => {
    server.answer(() => busy(429, '0'))
    const { client, waits } = setup({ retries: 1 })
    expect(await answerOf(client)).toBe('TOKEN_RATE_LIMITED')
    expect(server.count()).toBe(2)
    expect(waits).toEqual([0])
  })

  it('reads only delta seconds and HTTP-dates, on 429 and 503', async () => {
    const { client, clock } = setup({ retries: 0 })
    const asked = async (answer: Answer) => {
      server.answer(() => answer)
      const result = await client.get()
      return !result.ok && result.error.retryAfterMs
    }
    expect(await asked(busy(503, '7'))).toBe(7_000)
    expect(await asked(busy(429, new Date(clock.now() - 60_000).toUTCString()))).toBe(0)
    expect(await asked(busy(503, 'soon'))).toBeUndefined()
    expect(await asked(busy(503, 'Sun, no date'))).toBeUndefined()
    expect(await asked(busy(503, '-1'))).toBeUndefined()
    expect(await asked(busy(500, '7'))).toBeUndefined()
    expect(await asked({ status: 503, body: '' })).toBeUndefined()
  })

  it('keeps the cached token until the Retry-After of a failed early refresh, not only refreshRetryDelayMs', async () => {
    const { client, clock } = setup()
    const t0 = clock.now()
    expect(await answerOf(client)).toBe('token-1')
    server.answer(() => busy(429, '30'))
    clock.set(t0 + 9 * 60_000) // 600 s tokens, refreshed from 8:20, usable until 9:50
    expect(await answerOf(client)).toBe('token-1')
    await client.settled()
    expect(server.count()).toBe(2)
    clock.set(t0 + 9 * 60_000 + 29_999)
    expect(await answerOf(client)).toBe('token-1')
    await client.settled()
    expect(server.count()).toBe(2)
    clock.set(t0 + 9 * 60_000 + 30_000)
    server.answer(opaqueTokens())
    expect(await answerOf(client)).toBe('token-1')
    await client.settled()
    expect(server.count()).toBe(3)
    expect(await answerOf(client)).toBe('token-3')
  })
})

describe('Retry-After behind the circuit breaker', () => {
  const breakerOf = (clock: ReturnType<typeof manualClock>, waits: number[]) =>
    circuitBreaker({
      name: 'idp',
      failureThreshold: 3,
      retry: { retries: 2 },
      clock: clock.now,
      random: () => 0.5,
      sleep: async (ms) => {
        waits.push(ms)
        clock.advance(ms)
      },
    })

  it('counts an answer that asks for more time than is left once, without the breaker retrying it', async () => {
    server.answer(() => busy(503, '5'))
    const breakerWaits: number[] = []
    const clock = manualClock()
    const breaker = breakerOf(clock, breakerWaits)
    const { client, waits } = setup({ clock: clock.now, breaker })
    const result = await client.get({ remainingTime: () => 2_000 })
    expect(!result.ok && result.error.code).toBe('TOKEN_ENDPOINT_ERROR')
    expect(server.count()).toBe(1)
    expect([waits, breakerWaits]).toEqual([[], []])
    expect(await breaker.snapshot()).toMatchObject({ state: 'closed', failures: 1 })
  })

  it('waits as asked between attempts through the breaker, each answer counted once', async () => {
    server.answer(first(2, () => busy(429, '1')))
    const breakerWaits: number[] = []
    const clock = manualClock()
    const breaker = breakerOf(clock, breakerWaits)
    const { client, waits } = setup({ clock: clock.now, breaker })
    expect((await client.get(plenty)).ok).toBe(true)
    expect(server.count()).toBe(3)
    expect([waits, breakerWaits]).toEqual([[1_000, 1_000], []])
    expect(await breaker.snapshot()).toMatchObject({ state: 'closed', failures: 2 })
  })
})

describe('the middleware passes the invocation its remaining time', () => {
  const invoke = (remainingMs: number) => {
    const { client, waits } = setup()
    const handler = middy<unknown, string, Error, Context & SelfTokenContext>()
      .use(selfToken(client))
      .handler(async (_event, context) => {
        const result = await context.selfToken.result()
        return result.ok ? result.value.accessToken : result.error.code
      })
    const context = lambdaContext({ getRemainingTimeInMillis: () => remainingMs })
    return { answer: handler({}, context as unknown as Context & SelfTokenContext), waits }
  }

  it('does not wait past the end of the invocation', async () => {
    server.answer(() => busy(429, '1'))
    const { answer, waits } = invoke(800)
    expect(await answer).toBe('TOKEN_RATE_LIMITED')
    expect(server.count()).toBe(1)
    expect(waits).toEqual([])
  })

  it('takes no deadline from a context without getRemainingTimeInMillis', async () => {
    server.answer(first(1, () => busy(429, '1')))
    const { client, waits } = setup()
    const handler = middy<unknown, string, Error, Context & SelfTokenContext>()
      .use(selfToken(client))
      .handler(async (_event, context) => (await context.selfToken.get()).accessToken)
    expect(await handler({}, {} as Context & SelfTokenContext)).toBe('token-2')
    expect(waits).toEqual([1_000])
  })

  it('waits when the invocation has the time', async () => {
    server.answer(first(1, () => busy(429, '1')))
    const { answer, waits } = invoke(3_000)
    expect(await answer).toBe('token-2')
    expect(waits).toEqual([1_000])
  })
})
