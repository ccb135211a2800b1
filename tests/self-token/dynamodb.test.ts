import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb'
import { ok } from 'metis-app/result'
import {
  dynamoDbTokenStore,
  type SelfToken,
  selfTokenClient,
  type TokenStore,
} from 'metis-app/self-token'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type Dynalite, startDynalite } from '../support/dynalite.ts'
import {
  manualClock,
  opaqueTokens,
  recordingLogger,
  startTokenServer,
  type TokenServer,
} from './support.ts'

const TABLE = 'tokens'
let dynamo: Dynalite
let server: TokenServer

beforeAll(async () => {
  ;[dynamo, server] = await Promise.all([startDynalite(), startTokenServer()])
  await dynamo.createTable(TABLE)
})
afterAll(async () => {
  await Promise.all([dynamo.stop(), server.stop()])
})
beforeEach(() => server.reset())

const token = (accessToken: string, expiresAt: number, scope?: string): SelfToken => ({
  accessToken,
  tokenType: 'Bearer',
  expiresAt,
  issuedAt: expiresAt - 600_000,
  ...(scope === undefined ? {} : { scope }),
})

/** A small deterministic random source per instance (mulberry32). */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
}

describe('dynamoDbTokenStore', () => {
  it('writes one item per key and reads it back, with a TTL attribute in epoch seconds', async () => {
    const store = dynamoDbTokenStore({ client: dynamo.client, tableName: TABLE, keyPrefix: 'svc#' })
    expect(await store.read('round-trip')).toEqual(ok(undefined))
    expect(await store.write('round-trip', token('abc', 1_700_000_600_500, 'a b'))).toEqual(
      ok(true),
    )
    expect(await store.read('round-trip')).toEqual(ok(token('abc', 1_700_000_600_500, 'a b')))
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'svc#TOK#round-trip' } } }),
    )
    expect(Item?.expiresAt).toEqual({ N: '1700000601' })
  })

  it('keeps the newest token: a conditional write refuses a token that expires earlier', async () => {
    const store = dynamoDbTokenStore({ client: dynamo.client, tableName: TABLE })
    expect(await store.write('newest', token('later', 2_000_000))).toEqual(ok(true))
    expect(await store.write('newest', token('earlier', 1_000_000))).toEqual(ok(false))
    expect(await store.write('newest', token('same', 2_000_000))).toEqual(ok(false))
    const read = await store.read('newest')
    expect(read.ok && read.value?.accessToken).toBe('later')
    expect(await store.write('newest', token('even-later', 3_000_000))).toEqual(ok(true))
  })

  it('answers no token for an item that is not one', async () => {
    await dynamo.client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: { pk: { S: 'TOK#junk' }, accessToken: { N: '1' } },
      }),
    )
    const store = dynamoDbTokenStore({ client: dynamo.client, tableName: TABLE })
    expect(await store.read('junk')).toEqual(ok(undefined))
  })

  it('answers error Results for a missing table and for DynamoDB not answering in time', async () => {
    const missing = dynamoDbTokenStore({ client: dynamo.client, tableName: 'no-such-table' })
    expect((await missing.read('k')).ok).toBe(false)
    expect((await missing.write('k', token('x', 1))).ok).toBe(false)

    server.answer(() => 'hang')
    const hanging = dynamoDbTokenStore({
      client: new DynamoDBClient({ ...dynamo.clientConfig, endpoint: server.url }),
      tableName: TABLE,
      requestTimeoutMs: 100,
    })
    const started = Date.now()
    expect((await hanging.read('k')).ok).toBe(false)
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('records the claimant: refuses another instance, lets the holder claim again, and releases only for the holder', async () => {
    const store = dynamoDbTokenStore({ client: dynamo.client, tableName: TABLE })
    const claim = (now: number, claimant: string) =>
      store.claim?.('claimed', { now, until: now + 10_000, replaces: 0, claimant })
    expect(await store.release?.('claimed', 'a')).toEqual(ok(false))
    expect(await claim(0, 'a')).toEqual(ok(true))
    expect(await claim(1_000, 'b')).toEqual(ok(false))
    expect(await claim(2_000, 'a')).toEqual(ok(true))
    expect(await store.release?.('claimed', 'b')).toEqual(ok(false))
    expect(await claim(3_000, 'b')).toEqual(ok(false))
    expect(await store.release?.('claimed', 'a')).toEqual(ok(true))
    expect(await claim(4_000, 'b')).toEqual(ok(true))
    // A released claim on a key with no token yet leaves no token behind.
    expect(await store.release?.('claimed', 'b')).toEqual(ok(true))
    expect(await store.read('claimed')).toEqual(ok(undefined))
    expect(await store.write('claimed', token('after', 5_000))).toEqual(ok(true))
  })

  it('answers an error Result when a release cannot reach the table', async () => {
    const missing = dynamoDbTokenStore({ client: dynamo.client, tableName: 'no-such-table' })
    expect((await missing.release?.('k', 'a'))?.ok).toBe(false)
  })

  it.each([[{ tableName: '' }], [{ tableName: TABLE, requestTimeoutMs: 0 }]])(
    'refuses %o at creation',
    (options) => {
      expect(() => dynamoDbTokenStore({ client: dynamo.client, ...options })).toThrow(TypeError)
    },
  )

  it('lets a client go on with its memory, warning without the token, when the table is unavailable', async () => {
    const logger = recordingLogger()
    const client = selfTokenClient({
      tokenEndpoint: server.url,
      clientId: 'orders',
      clientSecret: 'top-secret',
      store: dynamoDbTokenStore({ client: dynamo.client, tableName: 'no-such-table' }),
      logger,
    })
    const first = await client.get()
    expect(first.ok && first.value.accessToken).toBe('token-1')
    expect((await client.get()).ok).toBe(true)
    expect(server.count()).toBe(1)
    expect(logger.warnings.map((w) => (w.extra[0] as { operation: string }).operation)).toEqual([
      'read',
      'claim',
      'write',
    ])
    expect(JSON.stringify(logger.warnings)).not.toContain('token-1')
  })
})

describe('10 instances sharing the DynamoDB store', () => {
  /**
   * 1,000 invocations over 30 minutes (three 10-minute token lifetimes): 100 rounds, 18 s apart,
   * in which each of 10 instances (10 clients, each with its own memory and DynamoDB client, as
   * 10 containers) serves one invocation, all 10 at once. Requests are counted at the endpoint.
   */
  const simulate = async (shared: boolean): Promise<number> => {
    server.reset()
    server.answer(opaqueTokens(600))
    const clock = manualClock()
    const key = `fleet-${shared}-${Date.now()}`
    const instances = Array.from({ length: 10 }, (_, i) => {
      const store: TokenStore | undefined = shared
        ? dynamoDbTokenStore({ client: new DynamoDBClient(dynamo.clientConfig), tableName: TABLE })
        : undefined
      return selfTokenClient({
        tokenEndpoint: server.url,
        clientId: 'orders',
        clientSecret: 'top-secret',
        storeKey: key,
        clock: clock.now,
        random: seeded(i + 1),
        ...(store === undefined ? {} : { store }),
      })
    })
    let served = 0
    for (let round = 0; round < 100; round++) {
      const results = await Promise.all(instances.map((instance) => instance.get()))
      for (const result of results) {
        expect(result.ok).toBe(true)
        if (result.ok) expect(result.value.expiresAt).toBeGreaterThan(clock.now())
        served += 1
      }
      clock.advance(18_000)
    }
    expect(served).toBe(1_000)
    return server.count()
  }

  it('sends about one token request per token lifetime, against one per instance per lifetime without the store', async () => {
    const withStore = await simulate(true)
    const without = await simulate(false)
    console.log(
      `[self-token] token requests per 1,000 invocations across 10 instances over 3 token lifetimes (30 min, 10-min tokens): ` +
        `${withStore} with the DynamoDB store (floor 3: ~1 per lifetime), ${without} without it (10 memories)`,
    )
    // Refreshes land at about 8 minutes into a 10-minute lifetime, so 30 minutes take 4 tokens:
    // the cold fleet's first one (one instance claims it, the 9 others wait for it in the store)
    // and one per refresh (one instance claims each, the others keep the old token meanwhile).
    expect(withStore).toBeGreaterThanOrEqual(3)
    expect(withStore).toBeLessThanOrEqual(5)
    expect(without).toBeGreaterThanOrEqual(30)
  })
})
