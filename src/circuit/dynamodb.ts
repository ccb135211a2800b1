/**
 * A circuit store on Amazon DynamoDB, shared by every Lambda instance that uses the same table.
 * @module
 */
import type {
  AttributeValue,
  GetItemCommand,
  GetItemCommandOutput,
  PutItemCommand,
  PutItemCommandInput,
} from '@aws-sdk/client-dynamodb'
import { type Item, openTable, positiveOption, type Sdk } from '../internal/dynamodb.ts'
import type { DynamoDbClient } from '../internal/dynamodb-client.ts'
import { type CircuitStateName, CircuitStoreError } from './errors.ts'
import {
  type CircuitChange,
  type CircuitSnapshot,
  type CircuitStore,
  type CircuitUpdate,
  INITIAL_SNAPSHOT,
  type MaybePromise,
} from './store.ts'
import {
  backoff,
  type Schedule,
  type Sleep,
  schedule as timerSchedule,
  sleep as timerSleep,
} from './time.ts'

/** Options of {@link dynamoDbCircuitStore}. */
export interface DynamoDbCircuitStoreOptions {
  /** Your DynamoDB client (the Lambda runtime ships `@aws-sdk/client-dynamodb`). */
  client: DynamoDbClient
  /** The table; see {@link dynamoDbCircuitStore} for its definition. */
  tableName: string
  /** Put before `CIR#<name>` in the key, to share a table between services. Default `''`. */
  keyPrefix?: string
  /** The table's partition key attribute (a string). Default `'pk'`. */
  partitionKey?: string
  /** How long a read answers from this container's cache, in ms. Default 1,000. */
  cacheTtl?: number
  /** Lifetime of an item after its last write, in seconds (the `expiresAt` TTL attribute). Default 86,400. */
  ttlSeconds?: number
  /** Conditional-write attempts per update before giving up (the breaker then uses local state). Default 20. */
  maxAttempts?: number
  /** How long to wait for DynamoDB per request, in ms, before the request is aborted. Default 1,000. */
  requestTimeout?: number
  /** A number in [0, 1) for the jitter between conflicting writes. Default `Math.random`. */
  random?: () => number
  /** Waits between conflicting writes. Default a `setTimeout` timer. */
  sleep?: Sleep
  /** Runs `requestTimeout`. Default `setTimeout`. */
  schedule?: Schedule
}

/** A {@link CircuitStore} on DynamoDB, with a per-container read cache. */
export interface DynamoDbCircuitStore extends CircuitStore {
  /** The `cacheTtl` option (also how long the breaker leaves DynamoDB alone after it failed). */
  readonly cacheTtl: number
  update(name: string, now: number, change: CircuitChange): Promise<CircuitUpdate>
  /** Forgets this container's cached snapshots (the table is untouched). */
  clearCache(): void
}

/** A change waiting for its circuit's next write. */
interface Job {
  readonly now: number
  readonly change: CircuitChange
  readonly resolve: (outcome: CircuitUpdate) => void
  readonly reject: (error: unknown) => void
}
const states: ReadonlySet<string> = new Set<CircuitStateName>(['closed', 'open', 'half-open'])

const num = (value: AttributeValue | undefined): number => {
  const parsed = Number(value?.N)
  return Number.isFinite(parsed) ? parsed : 0
}

const positive = (name: string, value: number): number =>
  positiveOption('dynamoDbCircuitStore', name, value)

/**
 * A circuit store on DynamoDB: one item per circuit, so that every Lambda instance sees the
 * failures and state changes of the others.
 *
 * - Every write is a conditional `PutItem` on the item's `version`; a writer that lost the race
 *   re-reads (consistently) and re-applies its change, so no failure count is lost and no state
 *   flips back. A failure costs one write (failures that happen together in one container share
 *   it); a success on a closed circuit costs nothing.
 * - Reads are cached per container for `cacheTtl` (1 s), and concurrent reads share one request:
 *   a closed circuit costs at most one `GetItem` per second per container.
 * - `expiresAt` (epoch seconds) is refreshed by every write; an item past it counts as a fresh
 *   closed circuit in code too, since DynamoDB's TTL deletes items up to days late. Keep
 *   `ttlSeconds` well above the breaker's `window` and `standDown`.
 * - Errors (throttling, unavailable, `requestTimeout`) reject with `CircuitStoreError`; the
 *   breaker then warns and goes on with its local state, and asks DynamoDB again only after
 *   `cacheTtl`, so that a DynamoDB that does not answer costs one `requestTimeout` per interval,
 *   not one per call. A call with a deadline never waits on DynamoDB past it.
 *
 * The table: a string partition key `pk` (items are `CIR#<name>`, after `keyPrefix`), TTL on
 * `expiresAt`. It may be shared with other item types (the self-token store uses other prefixes).
 * The function needs `dynamodb:GetItem` and `dynamodb:PutItem` on it.
 *
 * ```yaml
 * CircuitTable:
 *   Type: AWS::DynamoDB::Table
 *   Properties:
 *     BillingMode: PAY_PER_REQUEST
 *     AttributeDefinitions:
 *       - { AttributeName: pk, AttributeType: S }
 *     KeySchema:
 *       - { AttributeName: pk, KeyType: HASH }
 *     TimeToLiveSpecification:
 *       AttributeName: expiresAt
 *       Enabled: true
 * ```
 *
 * Item attributes: `state` (S: `closed` | `open` | `half-open`), `failures`, `windowStart`,
 * `openedAt`, `leaseUntil`, `probeSuccesses`, `version`, `expiresAt` (N), `prober` (S, while a
 * probe lease is held). Times are epoch milliseconds except `expiresAt`.
 *
 * @example
 * ```ts
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
 * import { circuitBreaker, dynamoDbCircuitStore } from 'metis-app/circuit'
 *
 * const store = dynamoDbCircuitStore({ client: new DynamoDBClient({}), tableName: process.env.CIRCUIT_TABLE! })
 * const breaker = circuitBreaker({ name: 'payments', store })
 * ```
 */
export const dynamoDbCircuitStore = (
  options: DynamoDbCircuitStoreOptions,
): DynamoDbCircuitStore => {
  const { client } = options
  const { tableName, partitionKey, requestTimeout, keyOf, sdk } = openTable(
    'dynamoDbCircuitStore',
    'CIR',
    options,
  )
  const cacheTtl = options.cacheTtl ?? 1_000
  const ttlSeconds = positive('ttlSeconds', options.ttlSeconds ?? 86_400)
  const maxAttempts = positive('maxAttempts', options.maxAttempts ?? 20)
  const random = options.random ?? Math.random
  const sleep = options.sleep ?? timerSleep
  const setTimer = options.schedule ?? timerSchedule

  const cache = new Map<string, { snapshot: CircuitSnapshot; at: number }>()
  const reading = new Map<string, Promise<CircuitSnapshot>>()

  /** Sends one command, aborting it after `requestTimeout`; any failure becomes a store error. */
  const send = async <T>(
    operation: 'read' | 'update',
    build: (commands: Sdk) => GetItemCommand | PutItemCommand,
  ): Promise<T> => {
    const abort = new AbortController()
    let cancel: (() => void) | undefined
    try {
      // One send for both commands: the union is not one of send's overloads, hence the cast.
      const command = build(await sdk()) as GetItemCommand
      const call = client.send(command, { abortSignal: abort.signal }) as Promise<unknown>
      const timedOut = new Promise<never>((_resolve, reject) => {
        cancel = setTimer(requestTimeout, () => {
          abort.abort()
          reject(
            new CircuitStoreError(operation, `DynamoDB did not answer within ${requestTimeout} ms`),
          )
        })
      })
      return (await Promise.race([call, timedOut])) as T
    } catch (error) {
      if (error instanceof CircuitStoreError) throw error
      throw new CircuitStoreError(operation, `DynamoDB ${operation} failed`, error)
    } finally {
      cancel?.()
    }
  }

  const decode = (item: Item | undefined, now: number): CircuitSnapshot => {
    if (item === undefined) return INITIAL_SNAPSHOT
    const version = num(item.version)
    const state = item.state?.S
    // An expired item (DynamoDB's TTL may not have deleted it yet) or an unreadable one is a
    // fresh closed circuit; its version is kept so that the next write still checks it.
    if (num(item.expiresAt) * 1000 <= now || state === undefined || !states.has(state)) {
      return { ...INITIAL_SNAPSHOT, version }
    }
    return {
      state: state as CircuitStateName,
      failures: num(item.failures),
      windowStart: num(item.windowStart),
      openedAt: num(item.openedAt),
      prober: item.prober?.S,
      leaseUntil: num(item.leaseUntil),
      probeSuccesses: num(item.probeSuccesses),
      version,
    }
  }

  const encode = (name: string, snapshot: CircuitSnapshot, now: number): Item => {
    const item: Item = {
      ...keyOf(name),
      state: { S: snapshot.state },
      failures: { N: String(snapshot.failures) },
      windowStart: { N: String(snapshot.windowStart) },
      openedAt: { N: String(snapshot.openedAt) },
      leaseUntil: { N: String(snapshot.leaseUntil) },
      probeSuccesses: { N: String(snapshot.probeSuccesses) },
      version: { N: String(snapshot.version) },
      expiresAt: { N: String(Math.ceil(now / 1000) + ttlSeconds) },
    }
    if (snapshot.prober !== undefined) item.prober = { S: snapshot.prober }
    return item
  }

  const remember = (name: string, snapshot: CircuitSnapshot, now: number): CircuitSnapshot => {
    const cached = cache.get(name)
    // A slow read must not replace what a later write taught us.
    if (cached === undefined || cached.snapshot.version <= snapshot.version) {
      cache.set(name, { snapshot, at: now })
    }
    return snapshot
  }

  const fetch = async (
    name: string,
    now: number,
    consistent: boolean,
  ): Promise<CircuitSnapshot> => {
    const output = await send<GetItemCommandOutput>(
      'read',
      ({ GetItemCommand }) =>
        new GetItemCommand({ TableName: tableName, Key: keyOf(name), ConsistentRead: consistent }),
    )
    return remember(name, decode(output.Item, now), now)
  }

  const fresh = (name: string, now: number): CircuitSnapshot | undefined => {
    const cached = cache.get(name)
    return cached !== undefined && now - cached.at < cacheTtl ? cached.snapshot : undefined
  }

  const read = (name: string, now: number): MaybePromise<CircuitSnapshot> => {
    const cached = fresh(name, now)
    if (cached !== undefined) return cached
    let pending = reading.get(name)
    if (pending === undefined) {
      pending = fetch(name, now, false).finally(() => reading.delete(name))
      reading.set(name, pending)
    }
    return pending
  }

  /** Writes `next` if the item still has `expected` as its version; false when it does not. */
  const put = async (
    name: string,
    next: CircuitSnapshot,
    expected: number,
    now: number,
  ): Promise<boolean> => {
    const input: PutItemCommandInput = {
      TableName: tableName,
      Item: encode(name, next, now),
      ...(expected === 0
        ? {
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': partitionKey },
          }
        : {
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': { N: String(expected) } },
          }),
    }
    try {
      await send('update', ({ PutItemCommand }) => new PutItemCommand(input))
      return true
    } catch (error) {
      if (error instanceof CircuitStoreError && isConditionFailure(error.cause)) return false
      throw error
    }
  }

  /** Applies changes in order to `start`: each one's outcome, and the state after all of them. */
  const replay = (start: CircuitSnapshot, jobs: readonly Job[]) => {
    let state = start
    const steps: { previous: CircuitSnapshot; next: CircuitSnapshot }[] = []
    for (const job of jobs) {
      const next = job.change(state)
      const after: CircuitSnapshot =
        next === undefined ? state : { ...next, version: start.version + 1 }
      steps.push({ previous: state, next: after })
      state = after
    }
    return { steps, final: state }
  }

  /**
   * Writes a batch of changes as one conditional write. The first attempt trusts a fresh cache
   * (one write, no read); a conflict, or "nothing to do", is confirmed against a consistent read.
   */
  const applyBatch = async (name: string, jobs: readonly Job[]): Promise<CircuitUpdate[]> => {
    const now = Math.max(...jobs.map((job) => job.now))
    let current = fresh(name, now)
    let confirmed = current === undefined
    current ??= await fetch(name, now, true)
    for (let attempt = 1; ; attempt++) {
      const { steps, final } = replay(current, jobs)
      if (final === current) {
        if (confirmed) return steps.map(({ previous, next }) => ({ previous, current: next }))
      } else {
        if (await put(name, final, current.version, now)) {
          cache.set(name, { snapshot: final, at: now })
          return steps.map(({ previous, next }) => ({ previous, current: next }))
        }
        if (attempt >= maxAttempts) {
          throw new CircuitStoreError(
            'update',
            `Circuit ${name}: ${attempt} conflicting writes; gave up`,
          )
        }
        await sleep(backoff(attempt, 10, 100, random))
      }
      current = await fetch(name, now, true)
      confirmed = true
    }
  }

  // Changes to one circuit from this container are written one batch at a time: the calls that
  // fail together in one container cost one conditional write, not a race among themselves.
  const waiting = new Map<string, Job[]>()
  const drain = async (name: string): Promise<void> => {
    for (let jobs = waiting.get(name); jobs !== undefined; jobs = waiting.get(name)) {
      waiting.set(name, [])
      if (jobs.length === 0) break
      try {
        const outcomes = await applyBatch(name, jobs)
        for (const [i, job] of jobs.entries()) job.resolve(outcomes[i] as CircuitUpdate)
      } catch (error) {
        for (const job of jobs) job.reject(error)
      }
    }
    waiting.delete(name)
  }

  const update = (name: string, now: number, change: CircuitChange): Promise<CircuitUpdate> =>
    new Promise((resolve, reject) => {
      const queued = waiting.get(name)
      if (queued !== undefined) {
        queued.push({ now, change, resolve, reject })
        return
      }
      waiting.set(name, [{ now, change, resolve, reject }])
      void drain(name)
    })

  return { cacheTtl, read, update, clearCache: () => cache.clear() }
}

const isConditionFailure = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as { name?: unknown }).name === 'ConditionalCheckFailedException'
