/**
 * The store's refresh claim when the claimant's token request fails: it is released, and its
 * holder may claim again, so that nobody waits out the whole claim. Time is virtual: `sleep`
 * moves the manual clock and records how long the client waited.
 */
import { err, ok } from 'metis-app/result'
import { dynamoDbTokenStore, memoryTokenStore, type TokenStore } from 'metis-app/self-token'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type Dynalite, startDynalite } from '../support/dynalite.ts'
import {
  type Answer,
  answerOf,
  opaqueTokens,
  startTokenServer,
  type TokenServer,
  virtualFleet,
} from './support.ts'

const TABLE = 'claims'
const MIN = 60_000
let server: TokenServer
let dynamo: Dynalite

beforeAll(async () => {
  ;[server, dynamo] = await Promise.all([startTokenServer(), startDynalite()])
  await dynamo.createTable(TABLE)
})
afterAll(async () => {
  await Promise.all([server.stop(), dynamo.stop()])
})
beforeEach(() => server.reset())

/** The first `failures` requests answer 500, the next ones tokens. */
const failingFirst =
  (failures: number) =>
  (n: number): Answer =>
    n <= failures ? { status: 500, body: '' } : opaqueTokens()(n)

const stores: [string, () => TokenStore][] = [
  ['the memory store', () => memoryTokenStore()],
  ['the DynamoDB store', () => dynamoDbTokenStore({ client: dynamo.client, tableName: TABLE })],
]

describe.each(stores)('a failed refresh with %s', (_, makeStore) => {
  // A key per test: the DynamoDB table outlives each test.
  let key = 0
  const fresh = () => ({ store: makeStore(), storeKey: `failed-${++key}` })

  it('releases the claim, so that the failing instance asks again at once on its next get()', async () => {
    server.answer(failingFirst(1))
    const { clock, instance } = virtualFleet(server, fresh())
    const a = instance()
    expect(await answerOf(a.client)).toBe('TOKEN_ENDPOINT_ERROR')
    clock.advance(100)
    expect(await answerOf(a.client)).toBe('token-2')
    expect(a.waits).toEqual([])
    expect(server.count()).toBe(2)
  })

  it('lets another cold instance ask at once, instead of waiting out the claim', async () => {
    server.answer(failingFirst(1))
    const { clock, instance } = virtualFleet(server, fresh())
    const a = instance()
    const b = instance()
    expect(await answerOf(a.client)).toBe('TOKEN_ENDPOINT_ERROR')
    clock.advance(100)
    expect(await answerOf(b.client)).toBe('token-2')
    expect(b.waits).toEqual([])
  })

  it('releases the claim of an early refresh that failed, so another instance refreshes at its own point', async () => {
    const { clock, instance } = virtualFleet(server, fresh())
    const a = instance()
    const b = instance({ random: () => 0.99 })
    expect(await answerOf(a.client)).toBe('token-1')
    expect(await answerOf(b.client)).toBe('token-1')
    server.answer(failingFirst(2))
    // a refreshes at 10:00 - 0:10 - 1:00 = 8:50 and fails, holding the claim for its request;
    // b's point (7:51) has passed too, but b serves no call before a has failed.
    clock.advance(8 * MIN + 50_000)
    expect(await answerOf(a.client)).toBe('token-1')
    await a.client.settled()
    expect(server.count()).toBe(2)
    clock.advance(1_000)
    expect(await answerOf(b.client)).toBe('token-1')
    await b.client.settled()
    expect(server.count()).toBe(3)
    expect(await answerOf(b.client)).toBe('token-3')
  })
})

describe('the claimant', () => {
  it('re-claims a claim it holds itself, when its store cannot release it', async () => {
    const memory = memoryTokenStore()
    const withoutRelease: TokenStore = {
      read: (key) => memory.read(key),
      write: (key, token) => memory.write(key, token),
      claim: (key, claim) => memory.claim(key, claim),
    }
    server.answer(failingFirst(1))
    const { clock, instance } = virtualFleet(server, { store: withoutRelease })
    const a = instance()
    expect(await answerOf(a.client)).toBe('TOKEN_ENDPOINT_ERROR')
    clock.advance(100)
    expect(await answerOf(a.client)).toBe('token-2')
    expect(a.waits).toEqual([])
    expect(server.count()).toBe(2)
  })

  it('stops waiting for another claimant as soon as it releases the claim, and asks itself', async () => {
    const store = memoryTokenStore()
    const { clock, instance } = virtualFleet(server, { store })
    await store.claim('k', {
      now: clock.now(),
      until: clock.now() + 60_000,
      replaces: 0,
      claimant: 'x',
    })
    const waits: number[] = []
    const b = instance({
      sleep: async (ms) => {
        waits.push(ms)
        clock.advance(ms)
        if (waits.length === 2) await store.release('k', 'x')
      },
    })
    expect(await answerOf(b.client)).toBe('token-1')
    expect(waits).toEqual([50, 100])
    expect(server.count()).toBe(1)
  })

  it('warns and goes on when the store cannot release the claim', async () => {
    const memory = memoryTokenStore()
    const store = (release: TokenStore['release']): TokenStore => ({
      read: (key) => memory.read(key),
      write: (key, token) => memory.write(key, token),
      claim: (key, claim) => memory.claim(key, claim),
      release,
    })
    server.answer(() => ({ status: 500, body: '' }))
    for (const release of [
      async () => err(new Error('throttled')),
      () => Promise.reject(new Error('down')),
    ]) {
      memory.clear()
      const { instance } = virtualFleet(server, { store: store(release) })
      const a = instance()
      expect(await answerOf(a.client)).toBe('TOKEN_ENDPOINT_ERROR')
      expect(a.logger.warnings.map((w) => w.extra[0])).toEqual([
        { operation: 'release', error: expect.any(String) },
      ])
    }
  })

  it('releases only a claim the caller holds, in the memory store', async () => {
    const store = memoryTokenStore()
    expect(await store.release('k', 'a')).toEqual(ok(false))
    await store.claim('k', { now: 0, until: 100, replaces: 0, claimant: 'a' })
    expect(await store.claim('k', { now: 10, until: 110, replaces: 0, claimant: 'b' })).toEqual(
      ok(false),
    )
    expect(await store.claim('k', { now: 10, until: 110, replaces: 0, claimant: 'a' })).toEqual(
      ok(true),
    )
    expect(await store.release('k', 'b')).toEqual(ok(false))
    expect(await store.release('k', 'a')).toEqual(ok(true))
    expect(await store.claim('k', { now: 20, until: 120, replaces: 0, claimant: 'b' })).toEqual(
      ok(true),
    )
  })
})
