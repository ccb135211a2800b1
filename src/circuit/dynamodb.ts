/**
 * A circuit store on Amazon DynamoDB, shared by every Lambda instance that uses the same table.
 * @module
 */
import type {
  GetItemCommand,
  GetItemCommandOutput,
  UpdateItemCommand,
  UpdateItemCommandOutput,
} from '@aws-sdk/client-dynamodb'
import { backoff } from '../internal/backoff.ts'
import { isConditionFailure, openTable, type Sdk } from '../internal/dynamodb.ts'
import type { DynamoDbClient } from '../internal/dynamodb-client.ts'
import { positiveOption } from '../internal/options.ts'
import {
  addInput,
  decode,
  openInput,
  putInput,
  type Seen,
  type UpdateInput,
  writes,
} from './dynamodb-items.ts'
import { type ChangeJob, type CountJob, replay, writeQueue } from './dynamodb-queue.ts'
import { CircuitStoreError } from './errors.ts'
import {
  type CircuitChange,
  type CircuitFields,
  type CircuitSnapshot,
  type CircuitStore,
  type CircuitUpdate,
  CLOSED_FIELDS,
  type FailureRule,
  type MaybePromise,
} from './store.ts'
import {
  type Schedule,
  type Sleep,
  schedule as timerSchedule,
  sleep as timerSleep,
} from './time.ts'

/**
 * Options of {@link dynamoDbCircuitStore}.
 *
 * @example
 * ```ts
 * const options: DynamoDbCircuitStoreOptions = { client, tableName: 'circuits', ttlMs: 3_600_000 }
 * const store = dynamoDbCircuitStore(options)
 * ```
 */
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
  cacheTtlMs?: number
  /**
   * Lifetime of an item after its last write, in ms (written, in seconds, as the `expiresAt` TTL
   * attribute). Default 86,400,000 (a day).
   */
  ttlMs?: number
  /**
   * Counters per failure window: a failure counts in the bucket of `window / buckets` ms it falls
   * in, and a bucket counts while its start is within the window. Default 10.
   */
  buckets?: number
  /**
   * Attempts per state change (conditional writes) or failure count before giving up (the
   * breaker then uses local state). Default 20.
   */
  maxAttempts?: number
  /** How long to wait for DynamoDB per request, in ms, before the request is aborted. Default 1,000. */
  requestTimeoutMs?: number
  /** A number in [0, 1) for the jitter between conflicting writes. Default `Math.random`. */
  random?: () => number
  /** Waits between conflicting writes. Default a `setTimeout` timer. */
  sleep?: Sleep
  /** Runs `requestTimeoutMs`. Default `setTimeout`. */
  schedule?: Schedule
}

/**
 * A {@link CircuitStore} on DynamoDB, with a per-container read cache.
 *
 * @example
 * ```ts
 * const store: DynamoDbCircuitStore = dynamoDbCircuitStore({ client, tableName: 'circuits' })
 * const payments = circuitBreaker({ name: 'payments', store })
 * store.clearCache() // in tests, after writing the table directly
 * ```
 */
export interface DynamoDbCircuitStore extends CircuitStore {
  /** The `cacheTtlMs` option (also how long the breaker leaves DynamoDB alone after it failed). */
  readonly cacheTtlMs: number
  update(name: string, now: number, change: CircuitChange): Promise<CircuitUpdate>
  countFailure(name: string, now: number, rule: FailureRule): Promise<CircuitUpdate>
  /** Forgets this container's cached snapshots (the table is untouched). */
  clearCache(): void
}

const positive = (name: string, value: number, integer = false): number =>
  positiveOption('dynamoDbCircuitStore', name, value, integer)

/** The defaults of {@link DynamoDbCircuitStoreOptions}, in one place. */
const defaults = { cacheTtlMs: 1_000, ttlMs: 86_400_000, buckets: 10, maxAttempts: 20 } as const

/**
 * A circuit store on DynamoDB: one item per circuit, so that every Lambda instance sees the
 * failures and state changes of the others.
 *
 * - A failure is one `UpdateItem` that adds 1 to the counter of its time bucket (`ADD`), on the
 *   condition that the circuit is closed: concurrent writers never make it fail, so no failure
 *   is lost however many instances fail at once. The write answers the item, so the writer sees
 *   the window's count (the live buckets' sum) at once, and when it reaches the threshold it
 *   opens the circuit with a conditional write. A failure on a circuit that is no longer closed
 *   is not counted.
 * - State changes (open, the probe's lease, half-open, closed) are conditional writes on the
 *   item's `version`; a writer that lost the race re-reads (consistently) and re-applies its
 *   change, so no state flips back. Closing removes the buckets: a closed circuit starts from 0.
 * - Failures that happen together in one container share one write; a success on a closed
 *   circuit costs nothing.
 * - Reads are cached per container for `cacheTtlMs` (1 s), and concurrent reads share one request:
 *   a closed circuit costs at most one `GetItem` per second per container.
 * - `expiresAt` (epoch seconds) is refreshed by every write; an item past it counts as a fresh
 *   closed circuit in code too, since DynamoDB's TTL deletes items up to days late. Keep
 *   `ttlMs` well above the breaker's `windowMs` and `standDownMs`.
 * - Errors (throttling, unavailable, `requestTimeoutMs`) reject with `CircuitStoreError`; the
 *   breaker then warns and goes on with its local state, and asks DynamoDB again only after
 *   `cacheTtlMs`, so that a DynamoDB that does not answer costs one `requestTimeoutMs` per interval,
 *   not one per call. A call with a deadline never waits on DynamoDB past it.
 *
 * The table: a string partition key `pk` (items are `CIR#<name>`, after `keyPrefix`), TTL on
 * `expiresAt`. It may be shared with other item types (the self-token store uses other prefixes).
 * The function needs `dynamodb:GetItem` and `dynamodb:UpdateItem` on it.
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
 * Item attributes: `state` (S: `closed` | `open` | `half-open`); one counter per bucket,
 * `f<start>` (N, the bucket's start in epoch ms as the name: failures counted in it); `window`
 * (N, the counting window, ms), `counted` (N, failures ever added); `openedAt`, `leaseUntil`,
 * `probeSuccesses`, `version`, `expiresAt` (N); `prober` (S, while a probe lease is held);
 * `failures` and `windowStart` (N, a count written by `update` itself, 0 from the breaker).
 * A closed circuit's failures are that count and the buckets that started within `window`
 * before now; an open one's are those that started within `window` before `openedAt`. Times are
 * epoch milliseconds except `expiresAt`.
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
  const { tableName, partitionKey, requestTimeoutMs, keyOf, sdk } = openTable(
    'dynamoDbCircuitStore',
    'CIR',
    options,
  )
  const cacheTtlMs = options.cacheTtlMs ?? defaults.cacheTtlMs
  const ttlSeconds = Math.ceil(positive('ttlMs', options.ttlMs ?? defaults.ttlMs) / 1000)
  const buckets = positive('buckets', options.buckets ?? defaults.buckets, true)
  const maxAttempts = positive('maxAttempts', options.maxAttempts ?? defaults.maxAttempts)
  const random = options.random ?? Math.random
  const sleep = options.sleep ?? timerSleep
  const setTimer = options.schedule ?? timerSchedule

  const cache = new Map<string, { seen: Seen; at: number }>()
  const reading = new Map<string, Promise<Seen>>()

  /** Sends one command, aborting it after `requestTimeoutMs`; any failure becomes a store error. */
  const send = async <T>(
    operation: 'read' | 'update',
    build: (commands: Sdk) => GetItemCommand | UpdateItemCommand,
  ): Promise<T> => {
    const abort = new AbortController()
    let cancel: (() => void) | undefined
    try {
      // One send for both commands: the union is not one of send's overloads, hence the cast.
      const command = build(await sdk()) as GetItemCommand
      const call = client.send(command, { abortSignal: abort.signal }) as Promise<unknown>
      const timedOut = new Promise<never>((_resolve, reject) => {
        cancel = setTimer(requestTimeoutMs, () => {
          // Rejected before the abort, so that this error wins even over a client that rejects
          // at once when aborted.
          reject(
            new CircuitStoreError(
              operation,
              `DynamoDB did not answer within ${requestTimeoutMs} ms`,
            ),
          )
          abort.abort()
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

  const remember = (name: string, seen: Seen, now: number): Seen => {
    const cached = cache.get(name)
    // A slow read must not replace what a later write taught us.
    if (cached === undefined || writes(cached.seen) <= writes(seen)) {
      cache.set(name, { seen, at: now })
    }
    return seen
  }

  /**
   * Sends an `UpdateItem` for `name` at `now`: what the item says after it (remembered), or
   * `undefined` when its condition failed.
   */
  const write = async (input: UpdateInput, name: string, now: number) => {
    try {
      const output = await send<UpdateItemCommandOutput>(
        'update',
        ({ UpdateItemCommand }) =>
          new UpdateItemCommand({
            TableName: tableName,
            Key: keyOf(name),
            ReturnValues: 'ALL_NEW',
            ...input,
          }),
      )
      return remember(name, decode({ ...output.Attributes }, now), now)
    } catch (error) {
      // `send` rejects with a CircuitStoreError only; its cause says whether the condition failed.
      if (isConditionFailure((error as CircuitStoreError).cause)) return undefined
      throw error
    }
  }

  const fetch = async (name: string, now: number, consistent: boolean): Promise<Seen> => {
    const output = await send<GetItemCommandOutput>(
      'read',
      ({ GetItemCommand }) =>
        new GetItemCommand({ TableName: tableName, Key: keyOf(name), ConsistentRead: consistent }),
    )
    return remember(name, decode(output.Item, now), now)
  }

  const fresh = (name: string, now: number): Seen | undefined => {
    const cached = cache.get(name)
    return cached !== undefined && now - cached.at < cacheTtlMs ? cached.seen : undefined
  }

  const read = (name: string, now: number): MaybePromise<CircuitSnapshot> => {
    const cached = fresh(name, now)
    if (cached !== undefined) return cached.snapshot
    let pending = reading.get(name)
    if (pending === undefined) {
      pending = fetch(name, now, false).finally(() => reading.delete(name))
      reading.set(name, pending)
    }
    return pending.then((seen) => seen.snapshot)
  }

  /** Writes `next` if the item is still as `seen` (see {@link putInput}). */
  const put = (name: string, next: CircuitFields, seen: Seen, now: number) =>
    write(putInput(next, seen, now, ttlSeconds), name, now)

  const wait = (attempt: number) => sleep(backoff(attempt, 10, 100, random))

  const gaveUp = (name: string, attempt: number): CircuitStoreError =>
    new CircuitStoreError('update', `Circuit ${name}: ${attempt} conflicting writes; gave up`)

  /**
   * Writes a batch of changes as one conditional write. The first attempt trusts a fresh cache
   * (one write, no read); a conflict, or "nothing to do", is confirmed against a consistent read.
   */
  const applyChanges = async (
    name: string,
    jobs: readonly ChangeJob[],
  ): Promise<CircuitUpdate[]> => {
    const now = Math.max(...jobs.map((job) => job.now))
    let seen = fresh(name, now)
    let confirmed = seen === undefined
    seen ??= await fetch(name, now, true)
    for (let attempt = 1; ; attempt++) {
      const current = seen.snapshot
      const { steps, final } = replay(current, jobs)
      const outcomes = () => steps.map(({ previous, next }) => ({ previous, current: next }))
      if (final === current) {
        if (confirmed) return outcomes()
      } else {
        if ((await put(name, final, seen, now)) !== undefined) return outcomes()
        if (attempt >= maxAttempts) throw gaveUp(name, attempt)
        await wait(attempt)
      }
      seen = await fetch(name, now, true)
      confirmed = true
    }
  }

  /**
   * Adds `count` failures to the bucket of `now`, if the circuit is closed (see {@link addInput}).
   * Answers the item after it, or `undefined` when the circuit was not closed (or expired).
   */
  const add = (name: string, now: number, count: number, rule: FailureRule) => {
    const known = cache.get(name)?.seen.buckets ?? []
    return write(
      addInput({ now, count, rule, buckets, known, ttlSeconds, partitionKey }),
      name,
      now,
    )
  }

  /** Opens a closed circuit at `now` if it is still at the version `seen` shows. */
  const open = (name: string, seen: Seen, now: number) =>
    write(openInput(seen, now, ttlSeconds), name, now)

  /**
   * Counts a batch of failures with one atomic add, then opens the circuit if the count reached
   * the threshold. The last job gets the state after it all; the others their own count.
   */
  const countFailures = async (
    name: string,
    jobs: readonly CountJob[],
  ): Promise<CircuitUpdate[]> => {
    const now = Math.max(...jobs.map((job) => job.now))
    const rule = (jobs[0] as CountJob).rule
    const unchanged = (seen: Seen) =>
      jobs.map(() => ({ previous: seen.snapshot, current: seen.snapshot }))
    let attempt = 1
    let after: Seen | undefined
    // The add: refused only when the circuit is not closed (nothing to count), or when the item
    // is expired or unreadable (reset it to a fresh closed circuit, then add).
    for (;;) {
      after = await add(name, now, jobs.length, rule)
      if (after !== undefined) break
      const seen = await fetch(name, now, true)
      if (seen.snapshot.state !== 'closed') return unchanged(seen)
      if (attempt >= maxAttempts) throw gaveUp(name, attempt)
      attempt++
      // Expired or unreadable: once it is a fresh closed circuit, add again at once.
      if (!seen.countable && (await put(name, CLOSED_FIELDS, seen, now)) !== undefined) continue
      await wait(attempt - 1)
    }
    const counted = after.snapshot
    const outcomes: CircuitUpdate[] = jobs.map((_job, i) => ({
      previous: { ...counted, failures: counted.failures - jobs.length + i },
      current: { ...counted, failures: counted.failures - jobs.length + i + 1 },
    }))
    // The open: a conditional write that only another state change can make fail.
    let seen = after
    while (seen.snapshot.state === 'closed' && seen.snapshot.failures >= rule.failureThreshold) {
      const opened = await open(name, seen, now)
      if (opened !== undefined) {
        seen = opened
        break
      }
      if (attempt >= maxAttempts) throw gaveUp(name, attempt)
      await wait(attempt++)
      seen = await fetch(name, now, true)
      // Another instance opened it (or changed it otherwise): its change, not ours, to report.
      if (seen.snapshot.state !== 'closed') {
        outcomes[outcomes.length - 1] = { previous: seen.snapshot, current: seen.snapshot }
        return outcomes
      }
    }
    const last = outcomes[outcomes.length - 1] as CircuitUpdate
    outcomes[outcomes.length - 1] = { previous: last.previous, current: seen.snapshot }
    return outcomes
  }

  const { update, countFailure } = writeQueue({ countFailures, applyChanges })

  return { cacheTtlMs, read, update, countFailure, clearCache: () => cache.clear() }
}
