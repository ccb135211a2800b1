import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type ServiceInputTypes,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb'
import {
  type CircuitBreaker,
  type CircuitChange,
  CircuitOpenError,
  CircuitStoreError,
  circuitBreaker,
  type DynamoDbCircuitStoreOptions,
  dynamoDbCircuitStore,
} from 'metis-app/circuit'
import { ok } from 'metis-app/result'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { countCommands, type Dynalite, startDynalite } from '../support/dynalite.ts'
import { boom, manualClock, manualTimers, recorder } from './helpers.ts'

const MINUTE = 60_000
const TABLE = 'circuits'

let dynamo: Dynalite
const clients: DynamoDBClient[] = []

beforeAll(async () => {
  dynamo = await startDynalite()
  await dynamo.createTable(TABLE)
})

afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})

afterAll(() => dynamo.stop())

/** One Lambda "container": its own client (with counted calls), store and breaker. */
const container = (
  name: string,
  clock: ReturnType<typeof manualClock>,
  options: {
    store?: Partial<DynamoDbCircuitStoreOptions>
    breaker?: Partial<Parameters<typeof circuitBreaker>[0]>
  } = {},
) => {
  const client = new DynamoDBClient(dynamo.clientConfig)
  clients.push(client)
  const calls = countCommands(client)
  const store = dynamoDbCircuitStore({ client, tableName: TABLE, ...options.store })
  const breaker = circuitBreaker({
    name,
    store,
    clock: clock.now,
    retry: false,
    ...options.breaker,
  })
  return { client, calls, store, breaker }
}

const rawItem = async (pk: string) =>
  (await dynamo.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk } } }))).Item

/** The item's bucket counters (`f<start>`), by start. */
const bucketsOf = (item: Record<string, { N?: string }> | undefined) =>
  Object.fromEntries(
    Object.entries(item ?? {})
      .filter(([attribute]) => /^f\d+$/.test(attribute))
      .map(([attribute, value]) => [Number(attribute.slice(1)), Number(value.N)]),
  )

/** The circuit as a container that shares nothing with the test's containers reads it. */
const storedSnapshot = (name: string, now: number) =>
  dynamoDbCircuitStore({ client: dynamo.client, tableName: TABLE }).read(name, now)

let circuitNumber = 0
/** A circuit name no other test uses (they share one table). */
const fresh = (label: string) => `${label}-${++circuitNumber}`

describe('dynamoDbCircuitStore: one circuit shared by many containers', () => {
  it('lets two containers see each other’s failures and the open state', async () => {
    const clock = manualClock()
    const name = fresh('two')
    const a = container(name, clock)
    const b = container(name, clock)
    await a.breaker.execute(boom)
    await b.breaker.execute(boom)
    await a.breaker.execute(boom)
    expect((await a.breaker.snapshot()).state).toBe('open')
    clock.advance(1_000) // b's cache interval ends
    expect(await b.breaker.snapshot()).toMatchObject({ state: 'open', failures: 3 })
    let called = false
    const refused = await b.breaker.execute(async () => {
      called = true
    })
    expect(called).toBe(false)
    expect((refused as { error: unknown }).error).toBeInstanceOf(CircuitOpenError)
  })

  it('elects exactly one prober among ten containers, and its success closes the circuit for all', async () => {
    const clock = manualClock()
    const name = fresh('ten')
    const containers = Array.from({ length: 10 }, () =>
      container(name, clock, { breaker: { failureThreshold: 10 } }),
    )
    for (const c of containers) await c.breaker.execute(boom)
    clock.advance(1_000)
    for (const c of containers) expect((await c.breaker.snapshot()).state).toBe('open')
    clock.advance(5 * MINUTE)
    let probes = 0
    const results = await Promise.all(
      containers.map((c) =>
        c.breaker.execute(async () => {
          probes++
          return 'recovered'
        }),
      ),
    )
    expect(probes).toBe(1)
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(
      results.filter((r) => !r.ok && (r as { error: unknown }).error instanceof CircuitOpenError),
    ).toHaveLength(9)
    clock.advance(1_000)
    for (const c of containers) expect((await c.breaker.snapshot()).state).toBe('closed')
  })

  it('records exactly the 50 failures of 50 concurrent calls across ten containers (no lost update)', async () => {
    const clock = manualClock()
    const name = fresh('fifty')
    const { logger, lines } = recorder()
    const waits: number[] = []
    const containers = Array.from({ length: 10 }, () =>
      container(name, clock, {
        breaker: { failureThreshold: 1_000, logger },
        store: { sleep: async (ms) => void waits.push(ms) },
      }),
    )
    let failures = 0
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (containers[i % 10] as { breaker: CircuitBreaker }).breaker.execute(async () => {
          failures++
          throw new Error('dependency down')
        }),
      ),
    )
    expect(failures).toBe(50)
    expect(await storedSnapshot(name, clock.now())).toMatchObject({ state: 'closed', failures: 50 })
    const item = await rawItem(`CIR#${name}`)
    expect(Object.values(bucketsOf(item))).toEqual([50])
    // Counting is an atomic add: no conditional write, no conflict, no wait, no fallback.
    expect(item?.version?.N).toBe('0')
    expect(waits).toEqual([])
    expect(lines.filter((l) => l.level === 'warn')).toEqual([])
    // Calls that fail together in one container share a write: at most one write per failure.
    const writes = containers.flatMap((c) => c.calls).filter((n) => n === 'UpdateItemCommand')
    expect(writes.length).toBeLessThanOrEqual(50)
  })

  it('opens the circuit once when concurrent counts in two containers both reach the threshold', async () => {
    const clock = manualClock()
    const name = fresh('both-open')
    const rule = { failureThreshold: 2, window: 5 * MINUTE }
    const a = container(name, clock)
    const b = container(name, clock)
    const send = b.client.send.bind(b.client) as (c: unknown, o?: unknown) => Promise<unknown>
    let openGate: () => void = () => undefined
    const gate = new Promise<void>((resolve) => (openGate = resolve))
    let reached: () => void = () => undefined
    const heldOpen = new Promise<void>((resolve) => (reached = resolve))
    let updates = 0
    b.client.send = (async (command: unknown, options?: unknown) => {
      // b's second write is its attempt to open the circuit: hold it until a opened it.
      if (command instanceof UpdateItemCommand && ++updates === 2) {
        reached()
        await gate
      }
      return send(command, options)
    }) as typeof b.client.send
    expect((await a.store.countFailure(name, clock.now(), rule)).current.failures).toBe(1)
    const late = b.store.countFailure(name, clock.now(), rule)
    await heldOpen
    const first = await a.store.countFailure(name, clock.now(), rule)
    expect(first.previous.state).toBe('closed')
    expect(first.current).toMatchObject({ state: 'open', failures: 3, version: 1 })
    openGate()
    // b counted its failure, lost the race to open, and reports a that it found open (no change).
    const second = await late
    expect(second.previous).toEqual(second.current)
    expect(second.current).toMatchObject({ state: 'open', failures: 3, version: 1 })
  })

  it('does not count a failure on a circuit that another container opened meanwhile', async () => {
    const clock = manualClock()
    const name = fresh('opened-meanwhile')
    const rule = { failureThreshold: 1, window: 5 * MINUTE }
    const a = container(name, clock)
    const b = container(name, clock)
    expect((await b.store.read(name, clock.now())).state).toBe('closed') // b caches "closed"
    await a.store.countFailure(name, clock.now(), rule)
    const update = await b.store.countFailure(name, clock.now(), rule)
    expect(update.previous).toEqual(update.current)
    expect(update.current).toMatchObject({ state: 'open', failures: 1 })
    expect(Object.values(bucketsOf(await rawItem(`CIR#${name}`)))).toEqual([1])
  })

  it('lets another container take over when the prober dies holding its lease', async () => {
    const clock = manualClock()
    const name = fresh('lease')
    const options = { breaker: { failureThreshold: 1, probeLeaseMs: 10_000 } }
    const dead = container(name, clock, options)
    const alive = container(name, clock, options)
    await dead.breaker.execute(boom)
    clock.advance(5 * MINUTE)
    // The dead container wins the election and freezes mid-probe.
    await new Promise<void>((probing) => {
      void dead.breaker.execute(() => {
        probing()
        return new Promise(() => undefined)
      })
    })
    expect((await rawItem(`CIR#${name}`))?.state?.S).toBe('half-open')
    clock.advance(1_000)
    const refused = await alive.breaker.execute(async () => 'too early')
    expect((refused as { error: CircuitOpenError }).error.state).toBe('half-open')
    clock.advance(10_000)
    expect(await alive.breaker.execute(async () => 'probed')).toEqual(ok('probed'))
    expect((await rawItem(`CIR#${name}`))?.state?.S).toBe('closed')
  })
})

describe('dynamoDbCircuitStore: cost', () => {
  it('reads at most once per cache interval and writes nothing for successes on a closed circuit', async () => {
    const clock = manualClock()
    const c = container(fresh('cost'), clock)
    for (let i = 0; i < 1_000; i++) {
      await c.breaker.execute(async () => i)
      clock.advance(2) // 1,000 calls over 2 s
    }
    expect(c.calls.filter((n) => n === 'GetItemCommand')).toHaveLength(2)
    expect(c.calls.filter((n) => n === 'PutItemCommand')).toHaveLength(0)
  })

  it('shares one read among concurrent calls when the cache is cold', async () => {
    const clock = manualClock()
    const c = container(fresh('coalesce'), clock)
    await Promise.all(Array.from({ length: 20 }, () => c.breaker.execute(async () => 'ok')))
    expect(c.calls).toEqual(['GetItemCommand'])
  })

  it('counts a failure with one write (an atomic add) when the cache is fresh', async () => {
    const clock = manualClock()
    const c = container(fresh('one-write'), clock)
    await c.breaker.execute(async () => 'warm the cache')
    c.calls.length = 0
    await c.breaker.execute(boom)
    expect(c.calls).toEqual(['UpdateItemCommand'])
  })

  it('opens the circuit with the failure that reaches the threshold: the add, then one conditional write', async () => {
    const clock = manualClock()
    const name = fresh('open-cost')
    const c = container(name, clock, { breaker: { failureThreshold: 2 } })
    await c.breaker.execute(boom)
    c.calls.length = 0
    await c.breaker.execute(boom)
    expect(c.calls).toEqual(['UpdateItemCommand', 'UpdateItemCommand'])
    expect(await rawItem(`CIR#${name}`)).toMatchObject({
      state: { S: 'open' },
      openedAt: { N: String(clock.now()) },
      version: { N: '1' },
    })
  })

  it('writes the failures of concurrent calls in one container together', async () => {
    const clock = manualClock()
    const name = fresh('batch')
    const c = container(name, clock, { breaker: { failureThreshold: 100 } })
    await c.breaker.execute(async () => 'warm the cache')
    c.calls.length = 0
    await Promise.all(Array.from({ length: 5 }, () => c.breaker.execute(boom)))
    expect(c.calls.filter((n) => n === 'UpdateItemCommand').length).toBeLessThanOrEqual(2)
    expect((await storedSnapshot(name, clock.now())).failures).toBe(5)
  })
})

describe('dynamoDbCircuitStore: items', () => {
  it('keys items CIR#<name> after the prefix, counting in a bucket attribute, with a TTL in epoch seconds', async () => {
    const clock = manualClock()
    const name = fresh('key')
    const c = container(name, clock, { store: { keyPrefix: 'orders#', ttlMs: 3_600_000 } })
    await c.breaker.execute(boom)
    const item = await rawItem(`orders#CIR#${name}`)
    // The default window (5 min) in 10 buckets of 30 s: the bucket that holds the clock's time.
    const bucket = Math.floor(clock.now() / 30_000) * 30_000
    expect(item).toEqual({
      pk: { S: `orders#CIR#${name}` },
      state: { S: 'closed' },
      [`f${bucket}`]: { N: '1' },
      counted: { N: '1' },
      window: { N: String(5 * MINUTE) },
      version: { N: '0' },
      expiresAt: { N: String(Math.ceil(clock.now() / 1000) + 3_600) },
    })
  })

  it('counts a failure while its bucket started within the window', async () => {
    const clock = manualClock() // 20 s into a bucket of 30 s
    const name = fresh('window')
    const c = container(name, clock, { breaker: { failureThreshold: 3 } })
    await c.breaker.execute(boom)
    await c.breaker.execute(boom)
    const bucket = Math.floor(clock.now() / 30_000) * 30_000
    // The bucket started 20 s before the failures: they count for 5 min less those 20 s.
    clock.advance(5 * MINUTE - 20_000 - 1)
    expect(await storedSnapshot(name, clock.now())).toMatchObject({
      failures: 2,
      windowStart: bucket,
    })
    clock.advance(1)
    expect((await storedSnapshot(name, clock.now())).failures).toBe(0)
    // The next failure starts over, and drops the counter that has left the window.
    await c.breaker.execute(boom)
    expect(await c.breaker.snapshot()).toMatchObject({ state: 'closed', failures: 1 })
    expect(Object.keys(bucketsOf(await rawItem(`CIR#${name}`)))).toEqual([
      String(Math.floor(clock.now() / 30_000) * 30_000),
    ])
  })

  it('counts in as many buckets per window as asked', async () => {
    const clock = manualClock()
    const name = fresh('buckets')
    const c = container(name, clock, { store: { buckets: 3 }, breaker: { windowMs: 60_000 } })
    await c.breaker.execute(boom)
    expect(Object.keys(bucketsOf(await rawItem(`CIR#${name}`)))).toEqual([
      String(Math.floor(clock.now() / 20_000) * 20_000),
    ])
  })

  it('treats an expired item as a fresh closed circuit, even before DynamoDB deletes it', async () => {
    const clock = manualClock()
    const name = fresh('expired')
    const c = container(name, clock, { store: { ttlMs: 60_000 } })
    await c.breaker.execute(boom)
    await c.breaker.execute(boom)
    clock.advance(61_000)
    expect(await c.breaker.snapshot()).toMatchObject({ state: 'closed', failures: 0, version: 0 })
    await c.breaker.execute(boom)
    // Reset to a fresh closed circuit (its old counter removed, though still in the window), then counted.
    const item = await rawItem(`CIR#${name}`)
    expect(item).toMatchObject({ state: { S: 'closed' }, version: { N: '1' } })
    expect(Object.values(bucketsOf(item))).toEqual([1])
    expect((await storedSnapshot(name, clock.now())).failures).toBe(1)
  })

  it('reads an item of the earlier layout: its count goes on for its window, then ends', async () => {
    const clock = manualClock()
    const old = (name: string, windowStart: number) =>
      dynamo.client.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: {
            pk: { S: `CIR#${name}` },
            state: { S: 'closed' },
            failures: { N: '2' },
            windowStart: { N: String(windowStart) },
            openedAt: { N: '0' },
            leaseUntil: { N: '0' },
            probeSuccesses: { N: '0' },
            version: { N: '5' },
            expiresAt: { N: '99999999999' },
          },
        }),
      )
    const recent = fresh('old-recent')
    await old(recent, clock.now() - MINUTE)
    const a = container(recent, clock)
    expect(await a.breaker.snapshot()).toMatchObject({ state: 'closed', failures: 2, version: 5 })
    await a.breaker.execute(boom)
    expect(await a.breaker.snapshot()).toMatchObject({ state: 'open', failures: 3, version: 6 })
    const stale = fresh('old-stale')
    await old(stale, clock.now() - 5 * MINUTE)
    const b = container(stale, clock)
    await b.breaker.execute(boom)
    expect(await storedSnapshot(stale, clock.now())).toMatchObject({ state: 'closed', failures: 1 })
  })

  it('treats an unreadable item as a fresh closed circuit', async () => {
    const clock = manualClock()
    const name = fresh('garbage')
    await dynamo.client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          pk: { S: `CIR#${name}` },
          state: { S: 'melted' },
          version: { N: '7' },
          expiresAt: { N: '99999999999' },
        },
      }),
    )
    const c = container(name, clock)
    expect(await c.breaker.snapshot()).toMatchObject({ state: 'closed', version: 7 })
    await c.breaker.execute(boom)
    const item = await rawItem(`CIR#${name}`)
    expect(item).toMatchObject({ state: { S: 'closed' }, version: { N: '8' } })
    expect(Object.values(bucketsOf(item))).toEqual([1])
  })

  it('reads missing or malformed numbers as 0', async () => {
    const clock = manualClock()
    const name = fresh('sparse')
    await dynamo.client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          pk: { S: `CIR#${name}` },
          state: { S: 'closed' },
          failures: { S: 'three' },
          version: { N: '3' },
          expiresAt: { N: '99999999999' },
        },
      }),
    )
    const c = container(name, clock)
    expect(await c.breaker.snapshot()).toMatchObject({
      state: 'closed',
      failures: 0,
      windowStart: 0,
      version: 3,
    })
  })

  it('keeps what a write taught the cache when an older read answers after it', async () => {
    const clock = manualClock()
    const name = fresh('slow-read')
    const c = container(name, clock)
    const send = c.client.send.bind(c.client) as (
      command: unknown,
      options?: unknown,
    ) => Promise<unknown>
    let openGate: () => void = () => undefined
    const gate = new Promise<void>((resolve) => (openGate = resolve))
    let first = true
    c.client.send = (async (command: unknown, options?: unknown) => {
      const answer = await send(command, options)
      if (first && command instanceof GetItemCommand) {
        first = false
        await gate // the answer was read before the write below, and arrives after it
      }
      return answer
    }) as typeof c.client.send
    const slowRead = c.store.read(name, clock.now())
    await c.store.update(name, clock.now(), (current) => ({ ...current, failures: 1 }))
    openGate()
    expect((await slowRead).version).toBe(0)
    expect(await c.store.read(name, clock.now())).toMatchObject({ failures: 1, version: 1 })
  })

  it('forgets its cached snapshots on clearCache, so that the next read asks DynamoDB', async () => {
    const clock = manualClock()
    const name = fresh('clear')
    const c = container(name, clock)
    await c.store.read(name, clock.now())
    await c.store.read(name, clock.now())
    expect(c.calls).toEqual(['GetItemCommand'])
    c.store.clearCache()
    await c.store.read(name, clock.now())
    expect(c.calls).toEqual(['GetItemCommand', 'GetItemCommand'])
  })

  it('rejects a missing table name and non-positive limits', () => {
    const client = dynamo.client
    expect(() => dynamoDbCircuitStore({ client, tableName: '' })).toThrow(/tableName/)
    expect(() => dynamoDbCircuitStore({ client, tableName: 't', ttlMs: 0 })).toThrow(/ttlMs/)
    expect(() => dynamoDbCircuitStore({ client, tableName: 't', buckets: 0 })).toThrow(/buckets/)
    expect(() => dynamoDbCircuitStore({ client, tableName: 't', buckets: 2.5 })).toThrow(
      /buckets must be a positive integer/,
    )
  })

  it('re-applies a change when a failure was counted since its cached read', async () => {
    const clock = manualClock()
    const name = fresh('counted-since')
    const a = container(name, clock)
    const b = container(name, clock)
    expect((await a.store.read(name, clock.now())).failures).toBe(0) // a caches 0 failures
    await b.store.countFailure(name, clock.now(), { failureThreshold: 3, window: 5 * MINUTE })
    a.calls.length = 0
    const update = await a.store.update(name, clock.now(), (current) => ({
      ...current,
      probeSuccesses: current.failures,
    }))
    // The write on the cached state was refused (b's count came in between): read, re-applied.
    expect(a.calls).toEqual(['UpdateItemCommand', 'GetItemCommand', 'UpdateItemCommand'])
    expect(update.previous.failures).toBe(1)
    expect(await storedSnapshot(name, clock.now())).toMatchObject({
      failures: 1,
      probeSuccesses: 1,
      version: 1,
    })
  })
})

describe('dynamoDbCircuitStore: faults', () => {
  type Send = (
    command: ServiceInputTypes,
    options?: { abortSignal?: AbortSignal },
  ) => Promise<unknown>
  const breakSend = (client: DynamoDBClient, send: Send) => {
    client.send = send as unknown as typeof client.send
  }

  it('keeps calls working with a warning when DynamoDB throttles', async () => {
    const clock = manualClock()
    const { logger, lines } = recorder()
    const c = container(fresh('throttled'), clock, { breaker: { logger, failureThreshold: 2 } })
    breakSend(c.client, async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })
    })
    expect(await c.breaker.execute(async () => 'served')).toEqual(ok('served'))
    await c.breaker.execute(boom)
    await c.breaker.execute(boom)
    const refused = await c.breaker.execute(async () => 'x')
    expect((refused as { error: unknown }).error).toBeInstanceOf(CircuitOpenError)
    const warning = lines.find((l) => l.level === 'warn')
    expect(warning?.extra[0]).toMatchObject({ operation: 'read', error: 'DynamoDB read failed' })
  })

  it('keeps counting locally with a warning when only writes fail', async () => {
    const clock = manualClock()
    const { logger, lines } = recorder()
    const c = container(fresh('write-throttled'), clock, {
      breaker: { logger, failureThreshold: 1 },
    })
    const send = c.client.send.bind(c.client) as (command: unknown) => Promise<unknown>
    breakSend(c.client, async (command) => {
      if (command instanceof UpdateItemCommand) {
        throw Object.assign(new Error('Throughput exceeds the current capacity'), {
          name: 'ProvisionedThroughputExceededException',
        })
      }
      return send(command)
    })
    await c.breaker.execute(boom)
    expect(lines.find((l) => l.level === 'warn')?.extra[0]).toMatchObject({ operation: 'update' })
    const refused = await c.breaker.execute(async () => 'x')
    expect((refused as { error: unknown }).error).toBeInstanceOf(CircuitOpenError)
  })

  it('keeps calls working when DynamoDB does not answer, aborting the request after requestTimeout', async () => {
    const clock = manualClock()
    const { schedule, timers } = manualTimers()
    const { logger, lines } = recorder()
    const c = container(fresh('hung'), clock, {
      store: { requestTimeoutMs: 250, schedule },
      breaker: { logger },
    })
    let aborted = false
    let sent: () => void = () => undefined
    const reached = new Promise<void>((resolve) => (sent = resolve))
    breakSend(c.client, (_command, options) => {
      sent()
      return new Promise((_resolve, reject) =>
        options?.abortSignal?.addEventListener('abort', () => {
          aborted = true
          reject(new Error('aborted'))
        }),
      )
    })
    const pending = c.breaker.execute(async () => 'served anyway')
    await reached
    expect(timers[0]?.ms).toBe(250)
    timers[0]?.fire()
    expect(await pending).toEqual(ok('served anyway'))
    expect(aborted).toBe(true)
    expect(lines.find((l) => l.level === 'warn')?.extra[0]).toMatchObject({
      operation: 'read',
      error: 'DynamoDB did not answer within 250 ms',
    })
  })

  it('asks a DynamoDB that does not answer once per cacheTtl, not on every call', async () => {
    const clock = manualClock()
    const { schedule, timers } = manualTimers()
    const { logger, lines } = recorder()
    const c = container(fresh('hung-calls'), clock, {
      store: { requestTimeoutMs: 1_000, schedule },
      breaker: { logger },
    })
    let sends = 0
    let sent: () => void = () => undefined
    breakSend(c.client, (_command, options) => {
      sends++
      sent()
      return new Promise((_resolve, reject) =>
        options?.abortSignal?.addEventListener('abort', () => reject(new Error('aborted'))),
      )
    })
    const first = c.breaker.execute(async () => 'first')
    await new Promise<void>((resolve) => (sent = resolve))
    clock.advance(1_000)
    timers[0]?.fire()
    expect(await first).toEqual(ok('first'))
    // Within cacheTtl of the failure: answered at once from local state, DynamoDB not asked.
    clock.advance(999)
    const second = c.breaker.execute(async () => 'second')
    await new Promise((resolve) => setImmediate(resolve))
    expect(sends).toBe(1)
    expect(await second).toEqual(ok('second'))
    clock.advance(1)
    const third = c.breaker.execute(async () => 'third')
    await new Promise((resolve) => setImmediate(resolve))
    expect(sends).toBe(2)
    timers[1]?.fire()
    expect(await third).toEqual(ok('third'))
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1)
  })

  it('gives up after maxAttempts conflicting writes with a store error', async () => {
    const clock = manualClock()
    const name = fresh('conflicts')
    const c = container(name, clock, { store: { maxAttempts: 2, sleep: async () => undefined } })
    const send = c.client.send.bind(c.client) as (command: unknown) => Promise<unknown>
    breakSend(c.client, async (command) => {
      if (command instanceof UpdateItemCommand) {
        throw Object.assign(new Error('conflict'), { name: 'ConditionalCheckFailedException' })
      }
      return send(command)
    })
    const update = c.store.update(name, clock.now(), (current) => ({
      ...current,
      failures: current.failures + 1,
    }))
    await expect(update).rejects.toBeInstanceOf(CircuitStoreError)
    await expect(update).rejects.toThrow(/2 conflicting writes/)
    // A count refused on a circuit that reads closed each time is retried, as far as maxAttempts.
    const count = c.store.countFailure(name, clock.now(), { failureThreshold: 3, window: MINUTE })
    await expect(count).rejects.toThrow(/2 conflicting writes/)
  })

  it('gives up opening the circuit after maxAttempts conflicting writes, the failure counted', async () => {
    const clock = manualClock()
    const name = fresh('open-conflicts')
    const waits: number[] = []
    const c = container(name, clock, {
      store: { maxAttempts: 2, sleep: async (ms) => void waits.push(ms), random: () => 0.5 },
    })
    const send = c.client.send.bind(c.client) as (command: unknown) => Promise<unknown>
    breakSend(c.client, async (command) => {
      // Every attempt to open is refused, as if another container changed the state each time.
      if (
        command instanceof UpdateItemCommand &&
        command.input.UpdateExpression?.includes(':open')
      ) {
        throw Object.assign(new Error('conflict'), { name: 'ConditionalCheckFailedException' })
      }
      return send(command)
    })
    const count = c.store.countFailure(name, clock.now(), { failureThreshold: 1, window: MINUTE })
    await expect(count).rejects.toThrow(/2 conflicting writes/)
    expect(waits).toEqual([10])
    expect(await storedSnapshot(name, clock.now())).toMatchObject({ state: 'closed', failures: 1 })
  })

  it('re-reads before deciding there is nothing to write on a stale cached state', async () => {
    const clock = manualClock()
    const name = fresh('stale')
    const a = container(name, clock, { breaker: { failureThreshold: 1 } })
    const b = container(name, clock)
    await a.breaker.execute(boom)
    clock.advance(5 * MINUTE)
    expect((await b.breaker.snapshot()).state).toBe('open') // b caches "open"
    await a.breaker.execute(async () => 'the probe closes it')
    const countIfClosed: CircuitChange = (current) =>
      current.state === 'closed' ? { ...current, failures: current.failures + 1 } : undefined
    const update = await b.store.update(name, clock.now(), countIfClosed)
    expect(update.current).toMatchObject({ state: 'closed', failures: 1 })
  })
})
