/**
 * A circuit store on Amazon DynamoDB, shared by every Lambda instance that uses the same table.
 * @module
 */
import type {
  AttributeValue,
  GetItemCommand,
  GetItemCommandOutput,
  UpdateItemCommand,
  UpdateItemCommandInput,
  UpdateItemCommandOutput,
} from '@aws-sdk/client-dynamodb'
import { type Item, openTable, positiveOption, type Sdk } from '../internal/dynamodb.ts'
import type { DynamoDbClient } from '../internal/dynamodb-client.ts'
import { type CircuitStateName, CircuitStoreError } from './errors.ts'
import {
  type CircuitChange,
  type CircuitFields,
  type CircuitSnapshot,
  type CircuitStore,
  type CircuitUpdate,
  CLOSED_FIELDS,
  type FailureRule,
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

/** A {@link CircuitStore} on DynamoDB, with a per-container read cache. */
export interface DynamoDbCircuitStore extends CircuitStore {
  /** The `cacheTtlMs` option (also how long the breaker leaves DynamoDB alone after it failed). */
  readonly cacheTtlMs: number
  update(name: string, now: number, change: CircuitChange): Promise<CircuitUpdate>
  countFailure(name: string, now: number, rule: FailureRule): Promise<CircuitUpdate>
  /** Forgets this container's cached snapshots (the table is untouched). */
  clearCache(): void
}

/** A circuit's item as this container last saw it. */
interface Seen {
  readonly snapshot: CircuitSnapshot
  /** The item's `counted`: failures ever added to it by atomic adds. */
  readonly counted: number
  /** The names of the item's bucket attributes. */
  readonly buckets: readonly string[]
  /** Whether a failure may be added to it as it is (closed, not expired, or no item). */
  readonly countable: boolean
}

/** A change, or failures to count, waiting for its circuit's next write. */
type Job = {
  readonly now: number
  readonly resolve: (outcome: CircuitUpdate) => void
  readonly reject: (error: unknown) => void
} & ({ readonly change: CircuitChange } | { readonly rule: FailureRule })

type CountJob = Extract<Job, { rule: FailureRule }>
type ChangeJob = Extract<Job, { change: CircuitChange }>

const states: ReadonlySet<string> = new Set<CircuitStateName>(['closed', 'open', 'half-open'])

/** A bucket attribute: `f<start>`, the bucket's start in epoch ms. */
const BUCKET = /^f(\d+)$/

const num = (value: AttributeValue | undefined): number => {
  const parsed = Number(value?.N)
  return Number.isFinite(parsed) ? parsed : 0
}

const n = (value: number): AttributeValue => ({ N: String(value) })

const positive = (name: string, value: number): number =>
  positiveOption('dynamoDbCircuitStore', name, value)

/** Expression attribute names: `ref(attribute)` answers its placeholder (`#a0`, `#a1`, ...). */
const names = () => {
  const map: Record<string, string> = {}
  const refs = new Map<string, string>()
  const ref = (attribute: string): string => {
    let key = refs.get(attribute)
    if (key === undefined) {
      key = `#a${refs.size}`
      refs.set(attribute, key)
      map[key] = attribute
    }
    return key
  }
  return { map, ref }
}

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
  const cacheTtlMs = options.cacheTtlMs ?? 1_000
  const ttlSeconds = Math.ceil(positive('ttlMs', options.ttlMs ?? 86_400_000) / 1000)
  const buckets = positive('buckets', options.buckets ?? 10)
  if (!Number.isInteger(buckets)) {
    throw new TypeError('dynamoDbCircuitStore: buckets must be a positive integer')
  }
  const maxAttempts = positive('maxAttempts', options.maxAttempts ?? 20)
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

  /** Sends an `UpdateItem`: the item after it, or `undefined` when its condition failed. */
  const write = async (
    input: Omit<UpdateItemCommandInput, 'TableName' | 'Key' | 'ReturnValues'>,
    name: string,
  ) => {
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
      return { ...output.Attributes }
    } catch (error) {
      // `send` rejects with a CircuitStoreError only; its cause says whether the condition failed.
      if (isConditionFailure((error as CircuitStoreError).cause)) return undefined
      throw error
    }
  }

  const decode = (item: Item | undefined, now: number): Seen => {
    if (item === undefined) {
      return { snapshot: INITIAL_SNAPSHOT, counted: 0, buckets: [], countable: true }
    }
    const version = num(item.version)
    const counted = num(item.counted)
    const bucketNames = Object.keys(item).filter((attribute) => BUCKET.test(attribute))
    const state = item.state?.S
    const live = num(item.expiresAt) * 1000 > now
    // An expired item (DynamoDB's TTL may not have deleted it yet) or an unreadable one is a
    // fresh closed circuit; its version is kept so that the next write still checks it.
    if (!live || state === undefined || !states.has(state)) {
      const snapshot = { ...INITIAL_SNAPSHOT, version }
      return { snapshot, counted, buckets: bucketNames, countable: false }
    }
    const openedAt = num(item.openedAt)
    const window = num(item.window)
    // The buckets that count: those that started within the window before now (closed), or
    // before the circuit opened (what opened it).
    const since = (state === 'closed' ? now : openedAt) - window
    let failures = num(item.failures)
    let windowStart = num(item.windowStart)
    // A count written by `update` (or by an older release) ends with its window, like a bucket.
    if (state === 'closed' && window > 0 && windowStart > 0 && windowStart <= since) {
      failures = 0
      windowStart = 0
    }
    for (const attribute of bucketNames) {
      const start = Number(BUCKET.exec(attribute)?.[1])
      const count = num(item[attribute])
      if (window > 0 && start > since && count > 0) {
        failures += count
        windowStart = windowStart === 0 ? start : Math.min(windowStart, start)
      }
    }
    const snapshot: CircuitSnapshot = {
      state: state as CircuitStateName,
      failures,
      windowStart,
      openedAt,
      prober: item.prober?.S,
      leaseUntil: num(item.leaseUntil),
      probeSuccesses: num(item.probeSuccesses),
      version,
    }
    return { snapshot, counted, buckets: bucketNames, countable: state === 'closed' }
  }

  /** Every write, in order: conditional writes raise the version, counts raise `counted`. */
  const writes = (seen: Seen): number => seen.snapshot.version + seen.counted

  const remember = (name: string, seen: Seen, now: number): Seen => {
    const cached = cache.get(name)
    // A slow read must not replace what a later write taught us.
    if (cached === undefined || writes(cached.seen) <= writes(seen)) {
      cache.set(name, { seen, at: now })
    }
    return seen
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

  /** `#attribute = :value`, or also "not there yet" when the value expected is 0. */
  const equals = (ref: string, value: string, expected: number): string =>
    expected === 0 ? `(attribute_not_exists(${ref}) OR ${ref} = ${value})` : `${ref} = ${value}`

  /**
   * Writes `next` (all of its fields) if the item is still as `seen`: the same version, and no
   * failure added since. The buckets are folded into `next.failures`, so they are removed.
   */
  const put = async (name: string, next: CircuitFields, seen: Seen, now: number) => {
    const { map, ref } = names()
    const values: Item = {
      ':state': { S: next.state },
      ':failures': n(next.failures),
      ':windowStart': n(next.windowStart),
      ':openedAt': n(next.openedAt),
      ':leaseUntil': n(next.leaseUntil),
      ':probeSuccesses': n(next.probeSuccesses),
      ':version': n(seen.snapshot.version + 1),
      ':expiresAt': n(Math.ceil(now / 1000) + ttlSeconds),
      ':expected': n(seen.snapshot.version),
      ':counted': n(seen.counted),
    }
    const set = [
      'state',
      'failures',
      'windowStart',
      'openedAt',
      'leaseUntil',
      'probeSuccesses',
      'version',
      'expiresAt',
    ].map((attribute) => `${ref(attribute)} = :${attribute}`)
    const remove = [...seen.buckets]
    if (next.prober === undefined) remove.push('prober')
    else {
      values[':prober'] = { S: next.prober }
      set.push(`${ref('prober')} = :prober`)
    }
    const condition = [
      equals(ref('version'), ':expected', seen.snapshot.version),
      equals(ref('counted'), ':counted', seen.counted),
    ].join(' AND ')
    const removed = remove.map(ref)
    const item = await write(
      {
        UpdateExpression: [
          `SET ${set.join(', ')}`,
          ...(removed.length === 0 ? [] : [`REMOVE ${removed.join(', ')}`]),
        ].join(' '),
        ConditionExpression: condition,
        ExpressionAttributeNames: map,
        ExpressionAttributeValues: values,
      },
      name,
    )
    return item === undefined ? undefined : remember(name, decode(item, now), now)
  }

  /** Applies changes in order to `start`: each one's outcome, and the state after all of them. */
  const replay = (start: CircuitSnapshot, jobs: readonly ChangeJob[]) => {
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
   * Adds `count` failures to the bucket of `now`, if the circuit is closed: a write no other
   * writer can make fail. Removes the buckets this container knows to be out of the window.
   * Answers the item after it, or `undefined` when the circuit was not closed (or expired).
   */
  const add = async (name: string, now: number, count: number, rule: FailureRule) => {
    const width = Math.max(1, Math.ceil(rule.window / buckets))
    const start = Math.floor(now / width) * width
    const bucket = `f${start}`
    const { map, ref } = names()
    const known = cache.get(name)?.seen.buckets ?? []
    const stale = known.filter(
      (attribute) =>
        attribute !== bucket && Number(BUCKET.exec(attribute)?.[1]) <= now - rule.window,
    )
    const set = [
      `${ref('state')} = if_not_exists(${ref('state')}, :closed)`,
      `${ref('version')} = if_not_exists(${ref('version')}, :zero)`,
      `${ref('window')} = :window`,
      `${ref('expiresAt')} = :expiresAt`,
    ]
    const update = [
      `SET ${set.join(', ')}`,
      `ADD ${ref(bucket)} :count, ${ref('counted')} :count`,
      ...(stale.length === 0 ? [] : [`REMOVE ${stale.map(ref).join(', ')}`]),
    ]
    const closed = `${ref('state')} = :closed AND ${ref('expiresAt')} > :now`
    const item = await write(
      {
        UpdateExpression: update.join(' '),
        ConditionExpression: `attribute_not_exists(${ref(partitionKey)}) OR (${closed})`,
        ExpressionAttributeNames: map,
        ExpressionAttributeValues: {
          ':closed': { S: 'closed' },
          ':zero': n(0),
          ':window': n(rule.window),
          ':expiresAt': n(Math.ceil(now / 1000) + ttlSeconds),
          ':count': n(count),
          ':now': n(now / 1000),
        },
      },
      name,
    )
    return item === undefined ? undefined : remember(name, decode(item, now), now)
  }

  /** Opens a closed circuit at `now` if it is still at the version `seen` shows. */
  const open = async (name: string, seen: Seen, now: number) => {
    const { map, ref } = names()
    const item = await write(
      {
        UpdateExpression: [
          `SET ${ref('state')} = :open, ${ref('openedAt')} = :now, ${ref('leaseUntil')} = :zero`,
          `${ref('probeSuccesses')} = :zero, ${ref('version')} = :version`,
          `${ref('expiresAt')} = :expiresAt REMOVE ${ref('prober')}`,
        ].join(', '),
        ConditionExpression: `${ref('version')} = :expected AND ${ref('state')} = :closed`,
        ExpressionAttributeNames: map,
        ExpressionAttributeValues: {
          ':open': { S: 'open' },
          ':closed': { S: 'closed' },
          ':now': n(now),
          ':zero': n(0),
          ':version': n(seen.snapshot.version + 1),
          ':expected': n(seen.snapshot.version),
          ':expiresAt': n(Math.ceil(now / 1000) + ttlSeconds),
        },
      },
      name,
    )
    return item === undefined ? undefined : remember(name, decode(item, now), now)
  }

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

  // Writes to one circuit from this container go one batch at a time: the calls that fail
  // together in one container cost one write, not a race among themselves.
  const waiting = new Map<string, Job[]>()

  /** Runs `jobs` in order, each run of changes or of counts as one batch. */
  const run = async (name: string, jobs: readonly Job[]): Promise<void> => {
    for (let i = 0; i < jobs.length; ) {
      const counting = 'rule' in (jobs[i] as Job)
      let end = i
      while (end < jobs.length && 'rule' in (jobs[end] as Job) === counting) end++
      const batch = jobs.slice(i, end)
      i = end
      try {
        const outcomes = counting
          ? await countFailures(name, batch as CountJob[])
          : await applyChanges(name, batch as ChangeJob[])
        for (const [k, job] of batch.entries()) job.resolve(outcomes[k] as CircuitUpdate)
      } catch (error) {
        for (const job of batch) job.reject(error)
      }
    }
  }

  const drain = async (name: string): Promise<void> => {
    for (let jobs = waiting.get(name); jobs !== undefined; jobs = waiting.get(name)) {
      waiting.set(name, [])
      if (jobs.length === 0) break
      await run(name, jobs)
    }
    waiting.delete(name)
  }

  const enqueue = (name: string, job: Job): void => {
    const queued = waiting.get(name)
    if (queued !== undefined) {
      queued.push(job)
      return
    }
    waiting.set(name, [job])
    void drain(name)
  }

  const update = (name: string, now: number, change: CircuitChange): Promise<CircuitUpdate> =>
    new Promise((resolve, reject) => enqueue(name, { now, change, resolve, reject }))

  const countFailure = (name: string, now: number, rule: FailureRule): Promise<CircuitUpdate> =>
    new Promise((resolve, reject) => enqueue(name, { now, rule, resolve, reject }))

  return { cacheTtlMs, read, update, countFailure, clearCache: () => cache.clear() }
}

const isConditionFailure = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as { name?: unknown }).name === 'ConditionalCheckFailedException'
