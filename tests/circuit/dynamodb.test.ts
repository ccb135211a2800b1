import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type ServiceInputTypes,
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
    const containers = Array.from({ length: 10 }, () =>
      // Default store settings, except that the backoff between conflicting writes only yields.
      container(name, clock, {
        breaker: { failureThreshold: 1_000 },
        store: { sleep: () => new Promise((resolve) => setImmediate(resolve)) },
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
    const item = await rawItem(`CIR#${name}`)
    expect(item?.failures?.N).toBe('50')
    // Calls that fail together in one container share a write: at most one version per failure.
    expect(Number(item?.version?.N)).toBeLessThanOrEqual(50)
  })

  it('lets another container take over when the prober dies holding its lease', async () => {
    const clock = manualClock()
    const name = fresh('lease')
    const options = { breaker: { failureThreshold: 1, probeLease: 10_000 } }
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

  it('counts a failure with one conditional write when the cache is fresh', async () => {
    const clock = manualClock()
    const c = container(fresh('one-write'), clock)
    await c.breaker.execute(async () => 'warm the cache')
    c.calls.length = 0
    await c.breaker.execute(boom)
    expect(c.calls).toEqual(['PutItemCommand'])
  })

  it('writes the failures of concurrent calls in one container together', async () => {
    const clock = manualClock()
    const name = fresh('batch')
    const c = container(name, clock, { breaker: { failureThreshold: 100 } })
    await c.breaker.execute(async () => 'warm the cache')
    c.calls.length = 0
    await Promise.all(Array.from({ length: 5 }, () => c.breaker.execute(boom)))
    expect(c.calls.filter((n) => n === 'PutItemCommand').length).toBeLessThanOrEqual(2)
    expect((await rawItem(`CIR#${name}`))?.failures?.N).toBe('5')
  })
})

describe('dynamoDbCircuitStore: items', () => {
  it('keys items CIR#<name> after the prefix, with a TTL attribute in epoch seconds', async () => {
    const clock = manualClock()
    const name = fresh('key')
    const c = container(name, clock, { store: { keyPrefix: 'orders#', ttlSeconds: 3_600 } })
    await c.breaker.execute(boom)
    const item = await rawItem(`orders#CIR#${name}`)
    expect(item).toMatchObject({
      state: { S: 'closed' },
      failures: { N: '1' },
      version: { N: '1' },
    })
    expect(Number(item?.expiresAt?.N)).toBe(Math.ceil(clock.now() / 1000) + 3_600)
  })

  it('treats an expired item as a fresh closed circuit, even before DynamoDB deletes it', async () => {
    const clock = manualClock()
    const name = fresh('expired')
    const c = container(name, clock, { store: { ttlSeconds: 60 } })
    await c.breaker.execute(boom)
    await c.breaker.execute(boom)
    clock.advance(61_000)
    expect(await c.breaker.snapshot()).toMatchObject({ state: 'closed', failures: 0, version: 2 })
    await c.breaker.execute(boom)
    expect(await rawItem(`CIR#${name}`)).toMatchObject({
      failures: { N: '1' },
      version: { N: '3' },
    })
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
    expect((await rawItem(`CIR#${name}`))?.version?.N).toBe('8')
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

  it('rejects a missing table name and non-positive limits', () => {
    const client = dynamo.client
    expect(() => dynamoDbCircuitStore({ client, tableName: '' })).toThrow(/tableName/)
    expect(() => dynamoDbCircuitStore({ client, tableName: 't', ttlSeconds: 0 })).toThrow(
      /ttlSeconds/,
    )
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
      if (command instanceof PutItemCommand) {
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
    const c = container(fresh('hung'), clock, { store: { requestTimeout: 250, schedule } })
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
  })

  it('asks a DynamoDB that does not answer once per cacheTtl, not on every call', async () => {
    const clock = manualClock()
    const { schedule, timers } = manualTimers()
    const { logger, lines } = recorder()
    const c = container(fresh('hung-calls'), clock, {
      store: { requestTimeout: 1_000, schedule },
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
      if (command instanceof PutItemCommand) {
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
