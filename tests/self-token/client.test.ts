import { err, ok } from 'metis-app/result'
import {
  memoryTokenStore,
  type SelfTokenClient,
  type SelfTokenOptions,
  selfTokenClient,
  TokenError,
  type TokenStore,
} from 'metis-app/self-token'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  manualClock,
  opaqueTokens,
  recordingLogger,
  startTokenServer,
  type TokenServer,
} from './support.ts'

const MIN = 60_000
let server: TokenServer

beforeAll(async () => {
  server = await startTokenServer()
})
afterAll(() => server.stop())
beforeEach(() => server.reset())

/** The clients of a test: a refresh behind an answer must land before the next test starts. */
const clients: SelfTokenClient[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.settled()))
})

/** A client on a manual clock; tokens live 600 s, so refresh happens between 7:50 and 8:50. */
const setup = (extra: Partial<SelfTokenOptions> = {}) => {
  const clock = manualClock()
  const logger = recordingLogger()
  const options: SelfTokenOptions = {
    tokenEndpoint: server.url,
    clientId: 'orders',
    clientSecret: 'top-secret',
    retries: 0,
    clock: clock.now,
    random: () => 0.5,
    logger,
    ...extra,
  }
  const client = selfTokenClient(options)
  clients.push(client)
  return { clock, logger, options, client }
}

const tokenOf = async (client: { get: ReturnType<typeof selfTokenClient>['get'] }) => {
  const result = await client.get()
  if (!result.ok) throw result.error
  return result.value.accessToken
}

describe('the memory cache', () => {
  it('requests a token once, serves it from memory until the refresh point, then refreshes behind the answer', async () => {
    const { client, clock } = setup()
    expect(await tokenOf(client)).toBe('token-1')
    clock.advance(8 * MIN) // refresh point at 10:00 - 0:10 - 1:00 - 0.5 x 1:00 = 8:20
    expect(await tokenOf(client)).toBe('token-1')
    expect(server.count()).toBe(1)
    clock.advance(20_000)
    expect(await tokenOf(client)).toBe('token-1')
    await client.settled()
    expect(server.count()).toBe(2)
    expect(await tokenOf(client)).toBe('token-2')
  })

  it('does not refresh a 10-minute token on every call with the seed-sized one-hour settings', async () => {
    const { client, clock } = setup({ expiryThresholdMs: 60 * MIN, windowWidthMs: 60 * MIN })
    for (let second = 0; second < 300; second += 10) {
      expect(await tokenOf(client)).toBe('token-1')
      clock.advance(10_000)
    }
    expect(server.count()).toBe(1)
  })

  it('requests a new token once the cached one expired, and fails when that fails', async () => {
    const { client, clock } = setup()
    await tokenOf(client)
    server.answer(() => ({ status: 500, body: '' }))
    clock.advance(10 * MIN)
    const result = await client.get()
    expect(!result.ok && result.error.code).toBe('TOKEN_ENDPOINT_ERROR')
  })

  it('answers the still-valid token when an early refresh fails, warns without the token, and retries after refreshRetryDelayMs', async () => {
    const { client, clock, logger } = setup({ refreshRetryDelayMs: 30_000 })
    await tokenOf(client)
    server.answer(() => ({ status: 503, body: '' }))
    clock.advance(9 * MIN)
    expect(await tokenOf(client)).toBe('token-1')
    await client.settled()
    expect(server.count()).toBe(2)
    expect(logger.warnings).toHaveLength(1)
    expect(JSON.stringify(logger.warnings)).not.toContain('token-1')
    expect(JSON.stringify(logger.warnings)).toContain('TOKEN_ENDPOINT_ERROR')
    clock.advance(29_000)
    expect(await tokenOf(client)).toBe('token-1')
    await client.settled()
    expect(server.count()).toBe(2)
    server.answer(opaqueTokens())
    clock.advance(1_000)
    expect(await tokenOf(client)).toBe('token-1')
    await client.settled()
    expect(await tokenOf(client)).toBe('token-3')
  })

  it('still answers the valid token when the logger it warns through throws', async () => {
    const broken = {
      ...recordingLogger(),
      warn: () => {
        throw new Error('log sink down')
      },
    }
    const { client, clock } = setup({ logger: broken })
    await tokenOf(client)
    server.answer(() => ({ status: 503, body: '' }))
    clock.advance(9 * MIN)
    expect(await tokenOf(client)).toBe('token-1')
    await client.settled()
    expect(server.count()).toBe(2)
    expect(await tokenOf(client)).toBe('token-1')
  })

  it('never hands out a token past its expiry less the clock skew', async () => {
    const { client, clock } = setup({ clockSkewMs: 30_000 })
    await tokenOf(client)
    server.answer(() => ({ status: 500, body: '' }))
    clock.advance(10 * MIN - 30_000)
    expect((await client.get()).ok).toBe(false)
  })
})

describe('single flight', () => {
  it('sends one token request for 100 concurrent callers', async () => {
    const { client } = setup()
    const results = await Promise.all(Array.from({ length: 100 }, () => client.get()))
    expect(new Set(results.map((r) => r.ok && r.value.accessToken))).toEqual(new Set(['token-1']))
    expect(server.count()).toBe(1)
  })

  it('starts one refresh behind the answers of concurrent callers at the refresh point', async () => {
    const { client, clock } = setup()
    await tokenOf(client)
    clock.advance(9 * MIN)
    const tokens = await Promise.all(Array.from({ length: 50 }, () => tokenOf(client)))
    expect(new Set(tokens)).toEqual(new Set(['token-1']))
    await client.settled()
    expect(server.count()).toBe(2)
    expect(await tokenOf(client)).toBe('token-2')
  })

  it('shares one refresh between concurrent callers that have no usable token', async () => {
    const { client, clock } = setup()
    await tokenOf(client)
    clock.advance(10 * MIN)
    const tokens = await Promise.all(Array.from({ length: 50 }, () => tokenOf(client)))
    expect(new Set(tokens)).toEqual(new Set(['token-2']))
    expect(server.count()).toBe(2)
  })
})

describe('the persistence store', () => {
  it('lets a second instance use the token the first one stored, without a request', async () => {
    const store = memoryTokenStore()
    const first = setup({ store })
    const second = setup({ store })
    expect(await tokenOf(first.client)).toBe('token-1')
    expect(await tokenOf(second.client)).toBe('token-1')
    expect(server.count()).toBe(1)
  })

  it('takes a newer token another instance stored at its own refresh point, without a request', async () => {
    const store = memoryTokenStore()
    const early = setup({ store, random: () => 1 })
    const late = setup({ store, random: () => 0 })
    await tokenOf(early.client)
    await tokenOf(late.client)
    early.clock.advance(8 * MIN)
    late.clock.advance(8 * MIN)
    expect(await tokenOf(early.client)).toBe('token-1')
    await early.client.settled()
    expect(await tokenOf(early.client)).toBe('token-2')
    late.clock.advance(50_000)
    expect(await tokenOf(late.client)).toBe('token-1')
    await late.client.settled()
    expect(await tokenOf(late.client)).toBe('token-2')
    expect(server.count()).toBe(2)
  })

  it('keeps the newest token: a write with an earlier expiry is refused', async () => {
    const store = memoryTokenStore()
    const base = { tokenType: 'Bearer' as const, issuedAt: 0 }
    expect(await store.write('k', { ...base, accessToken: 'new', expiresAt: 2 })).toEqual(ok(true))
    expect(await store.write('k', { ...base, accessToken: 'old', expiresAt: 1 })).toEqual(ok(false))
    expect((await store.read('k')).ok && (await store.read('k'))).toMatchObject({
      value: { accessToken: 'new' },
    })
    store.clear()
    expect(await store.read('k')).toEqual(ok(undefined))
  })

  it.each([
    [
      'rejects',
      {
        read: () => Promise.reject(new Error('down')),
        write: () => Promise.reject(new Error('down')),
      },
    ],
    [
      'answers errors',
      {
        read: async () => err(new Error('throttled')),
        write: async () => err(new Error('throttled')),
      },
    ],
  ])('goes on with memory and warns when the store %s', async (_, store) => {
    const { client, logger } = setup({ store: store as TokenStore })
    expect(await tokenOf(client)).toBe('token-1')
    expect(await tokenOf(client)).toBe('token-1')
    expect(server.count()).toBe(1)
    expect(logger.warnings.map((w) => w.message)).toEqual([
      "self-token store read failed; using this container's memory",
      "self-token store write failed; using this container's memory",
    ])
  })

  it('ignores and warns about a stored value that is not a token', async () => {
    const store: TokenStore = {
      read: async () => ok({ nope: 1 } as never),
      write: async () => ok(true),
    }
    const { client, logger } = setup({ store })
    expect(await tokenOf(client)).toBe('token-1')
    expect(logger.warnings[0]?.message).toBe('self-token store answered something not a token')
  })

  it('uses the client id, endpoint, scope, audience and resource as the key, or the storeKey given', async () => {
    const keys: string[] = []
    const store: TokenStore = {
      read: async (key) => {
        keys.push(key)
        return ok(undefined)
      },
      write: async () => ok(true),
    }
    await setup({ store, scope: ['a', 'b'], audience: 'aud', resource: 'r' }).client.get()
    await setup({ store, storeKey: 'mine' }).client.get()
    expect(keys).toEqual([`orders|${server.url}|a b|aud|r`, 'mine'])
  })
})

describe('invalidate and reset', () => {
  it('requests a new token after invalidate(), ignoring the refused one in the store', async () => {
    const store = memoryTokenStore()
    const { client } = setup({ store })
    await tokenOf(client)
    client.invalidate()
    expect(await tokenOf(client)).toBe('token-2')
    client.invalidate('not-the-cached-one')
    expect(await tokenOf(client)).toBe('token-2')
    expect(server.count()).toBe(2)
  })

  it('does nothing on invalidate() with no token: the next get() asks once', async () => {
    const { client } = setup()
    client.invalidate()
    expect(await tokenOf(client)).toBe('token-1')
    expect(server.count()).toBe(1)
  })

  it('forgets the token on reset(), and a request in flight then does not refill the cache', async () => {
    const { client } = setup()
    const pending = client.get()
    client.reset()
    expect(await tokenOf({ get: () => pending })).toBe('token-1')
    expect(await tokenOf(client)).toBe('token-2')
    expect(await tokenOf(client)).toBe('token-2')
  })
  it('does not let a store read in flight at reset() refill the cache either', async () => {
    let reads = 0
    const store: TokenStore = {
      read: async () =>
        ok({
          accessToken: `stored-${++reads}`,
          tokenType: 'Bearer',
          issuedAt: 0,
          expiresAt: Number.MAX_SAFE_INTEGER,
        }),
      write: async () => ok(true),
    }
    const { client } = setup({ store })
    const pending = client.get()
    client.reset()
    expect(await tokenOf({ get: () => pending })).toBe('stored-1')
    expect(await tokenOf(client)).toBe('stored-2')
    expect(await tokenOf(client)).toBe('stored-2')
  })
})

describe('credentials', () => {
  it('calls async credential functions only when a token is requested', async () => {
    let calls = 0
    const { client } = setup({
      clientSecret: async () => {
        calls += 1
        return 'from-a-vault'
      },
    })
    expect(calls).toBe(0)
    await tokenOf(client)
    await tokenOf(client)
    expect(calls).toBe(1)
    expect(
      Buffer.from(String(server.seen[0]?.headers.authorization).slice(6), 'base64').toString(),
    ).toBe('orders:from-a-vault')
  })

  it.each([
    ['tokenEndpoint', { tokenEndpoint: () => '' }],
    ['clientId', { clientId: () => Promise.reject(new Error('vault sealed')) }],
    ['clientSecret', { clientSecret: () => 42 as unknown as string }],
  ])('answers TOKEN_CREDENTIALS_ERROR naming %s when it cannot be loaded', async (name, extra) => {
    const { client } = setup(extra)
    const result = await client.get()
    expect(!result.ok && [result.error.code, result.error.statusCode]).toEqual([
      'TOKEN_CREDENTIALS_ERROR',
      500,
    ])
    expect(!result.ok && result.error.message).toContain(name)
    expect(server.count()).toBe(0)
  })

  it('answers the still-valid token when credentials fail during an early refresh', async () => {
    let fail = false
    const { client, clock } = setup({
      clientSecret: () => (fail ? Promise.reject(new Error('ssm down')) : 'top-secret'),
    })
    await tokenOf(client)
    fail = true
    clock.advance(9 * MIN)
    expect(await tokenOf(client)).toBe('token-1')
  })
})

describe('options', () => {
  it.each([[{ timeoutMs: -1 }], [{ clockSkewMs: Number.NaN }], [{ expiryThresholdMs: -5 }]])(
    'refuses %o at creation',
    (extra) => {
      expect(() => setup(extra as Partial<SelfTokenOptions>)).toThrow(TypeError)
    },
  )
})

describe('the refresh claim (one instance at a time asks the endpoint)', () => {
  it('makes a cold instance wait for the token the claimant stores, instead of asking too', async () => {
    const store = memoryTokenStore()
    const leader = setup({ store })
    // The follower's first store read happens before the leader's write; it then polls the store
    // (after 50 ms, on a real timer: the leader's request takes a few).
    const follower = setup({ store, sleep: undefined })
    const [a, b] = await Promise.all([tokenOf(leader.client), tokenOf(follower.client)])
    expect([a, b]).toEqual(['token-1', 'token-1'])
    expect(server.count()).toBe(1)
  })

  it('asks the endpoint itself when the claimant never stores a token within the claim', async () => {
    const store = memoryTokenStore()
    const clock = manualClock()
    await store.claim('orders-key', {
      now: clock.now(),
      until: clock.now() + 60_000,
      replaces: 0,
      claimant: 'another',
    })
    const waits: number[] = []
    const { client } = setup({
      store,
      storeKey: 'orders-key',
      refreshClaimMs: 3_000,
      sleep: async (ms) => {
        waits.push(ms)
      },
    })
    expect(await tokenOf(client)).toBe('token-1')
    expect(waits).toEqual([50, 100, 200, 400, 800, 1_000, 1_000])
  })

  it('keeps the usable token while another instance holds the claim, and takes its token after', async () => {
    const store = memoryTokenStore()
    const { client, clock } = setup({ store, storeKey: 'k', refreshRetryDelayMs: 2_000 })
    await tokenOf(client)
    clock.advance(9 * MIN)
    const replaces = clock.now() + MIN // the expiry of token-1, kept in the store
    await store.claim('k', {
      now: clock.now(),
      until: clock.now() + 10_000,
      replaces,
      claimant: 'another',
    })
    expect(await tokenOf(client)).toBe('token-1')
    await client.settled()
    expect(server.count()).toBe(1)
    await store.write('k', {
      accessToken: 'from-another',
      tokenType: 'Bearer',
      expiresAt: clock.now() + 10 * MIN,
      issuedAt: clock.now(),
    })
    clock.advance(1_999)
    expect(await tokenOf(client)).toBe('token-1')
    await client.settled()
    expect(await tokenOf(client)).toBe('token-1')
    clock.advance(1)
    expect(await tokenOf(client)).toBe('token-1')
    await client.settled()
    expect(await tokenOf(client)).toBe('from-another')
    expect(server.count()).toBe(1)
  })

  it('refuses a claim while another holds one, and once a newer token than the one to replace is kept', async () => {
    const store = memoryTokenStore()
    const claim = (claimant: string, now: number, replaces = 0) =>
      store.claim('k', { now, until: now + 100, replaces, claimant })
    expect(await claim('a', 0)).toEqual(ok(true))
    expect(await claim('b', 50)).toEqual(ok(false))
    expect(await claim('b', 100)).toEqual(ok(true))
    await store.write('k', { accessToken: 'n', tokenType: 'Bearer', expiresAt: 5_000, issuedAt: 0 })
    expect(await claim('c', 300, 4_000)).toEqual(ok(false))
    expect(await claim('c', 300, 5_000)).toEqual(ok(true))
  })

  it.each([
    ['answers an error', async () => err(new Error('throttled'))],
    ['rejects', () => Promise.reject(new Error('down'))],
  ])('asks the endpoint, with a warning, when the claim %s', async (_, claim) => {
    const store: TokenStore = {
      read: async () => ok(undefined),
      write: async () => ok(true),
      claim: claim as TokenStore['claim'],
    }
    const { client, logger } = setup({ store })
    expect(await tokenOf(client)).toBe('token-1')
    expect(logger.warnings.map((w) => w.message)).toEqual([
      "self-token store claim failed; using this container's memory",
    ])
  })

  it('reads a stored token without issuedAt as one that lived no time (used to its end, never early)', async () => {
    const clock = manualClock()
    const store: TokenStore = {
      read: async () => ok({ accessToken: 'stored', expiresAt: clock.now() + MIN } as never),
      write: async () => ok(true),
    }
    const { client } = setup({ store, clock: clock.now })
    expect(await tokenOf(client)).toBe('stored')
  })
})

it('answers a TokenError instead of rejecting when something it calls throws unexpectedly', async () => {
  server.answer(opaqueTokens(3_600))
  const { client } = setup({
    // Fine for the 10-minute check at creation, throwing for the hour-long token.
    expiryThresholdMs: (lifetime) => {
      if (lifetime > 10 * MIN) throw new Error('policy bug')
      return 1_000
    },
  })
  const result = await client.get()
  expect(!result.ok && result.error).toBeInstanceOf(TokenError)
  expect(!result.ok && result.error.code).toBe('TOKEN_CLIENT_ERROR')
  expect(!result.ok && (result.error.cause as Error).message).toBe('policy bug')
  expect(!result.ok && result.error.statusCode).toBe(500)
})

it('keeps only the message of something thrown that is not an Error', async () => {
  const { client } = setup({
    fetch: () => {
      throw 'socket gone'
    },
  })
  const result = await client.get()
  expect(!result.ok && (result.error.cause as Error).message).toBe('socket gone')
})

it('falls back to a newer stored token that is due for refresh too, when the refresh fails', async () => {
  const store = memoryTokenStore()
  const { client, clock } = setup({ store, storeKey: 'k' })
  await tokenOf(client)
  const start = clock.now()
  await store.write('k', {
    accessToken: 'newer-but-due',
    tokenType: 'Bearer',
    issuedAt: start - MIN,
    expiresAt: start + 10 * MIN + 30_000,
  })
  server.answer(() => ({ status: 500, body: '' }))
  clock.advance(9 * MIN)
  expect(await tokenOf(client)).toBe('token-1')
  await client.settled()
  expect(server.count()).toBe(2)
  expect(await tokenOf(client)).toBe('newer-but-due')
})
