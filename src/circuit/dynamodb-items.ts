/**
 * The DynamoDB circuit store's item codec: a circuit's item read into a snapshot, and the
 * `UpdateItem` expressions that write it (a full write on a version, an atomic failure count, an
 * open). Pure: no request is sent here.
 * @module
 */
import type { AttributeValue, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb'
import type { Item } from '../internal/dynamodb.ts'
import type { CircuitStateName } from './errors.ts'
import {
  type CircuitFields,
  type CircuitSnapshot,
  type FailureRule,
  INITIAL_SNAPSHOT,
} from './store.ts'

/** A circuit's item as this container last saw it. */
export interface Seen {
  readonly snapshot: CircuitSnapshot
  /** The item's `counted`: failures ever added to it by atomic adds. */
  readonly counted: number
  /** The names of the item's bucket attributes. */
  readonly buckets: readonly string[]
  /** Whether a failure may be added to it as it is (closed, not expired, or no item). */
  readonly countable: boolean
}

/** An `UpdateItem` input without what the store adds (table, key, `ReturnValues`). */
export type UpdateInput = Omit<UpdateItemCommandInput, 'TableName' | 'Key' | 'ReturnValues'>

const states: ReadonlySet<string> = new Set<CircuitStateName>(['closed', 'open', 'half-open'])

/** A bucket attribute: `f<start>`, the bucket's start in epoch ms. */
const BUCKET = /^f(\d+)$/

const num = (value: AttributeValue | undefined): number => {
  const parsed = Number(value?.N)
  return Number.isFinite(parsed) ? parsed : 0
}

const n = (value: number): AttributeValue => ({ N: String(value) })

/** The `expiresAt` TTL attribute (epoch seconds) of an item written at `now`. */
const expiry = (now: number, ttlSeconds: number): AttributeValue =>
  n(Math.ceil(now / 1000) + ttlSeconds)

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
 * What `item` says at `now`: its snapshot (the live buckets summed into `failures`), its
 * `counted`, its buckets, and whether a failure may be added to it.
 */
export const decode = (item: Item | undefined, now: number): Seen => {
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
export const writes = (seen: Seen): number => seen.snapshot.version + seen.counted

/** `#attribute = :value`, or also "not there yet" when the value expected is 0. */
const equals = (ref: string, value: string, expected: number): string =>
  expected === 0 ? `(attribute_not_exists(${ref}) OR ${ref} = ${value})` : `${ref} = ${value}`

/**
 * Writes `next` (all of its fields) if the item is still as `seen`: the same version, and no
 * failure added since. The buckets are folded into `next.failures`, so they are removed.
 */
export const putInput = (
  next: CircuitFields,
  seen: Seen,
  now: number,
  ttlSeconds: number,
): UpdateInput => {
  const { map, ref } = names()
  const values: Item = {
    ':state': { S: next.state },
    ':failures': n(next.failures),
    ':windowStart': n(next.windowStart),
    ':openedAt': n(next.openedAt),
    ':leaseUntil': n(next.leaseUntil),
    ':probeSuccesses': n(next.probeSuccesses),
    ':version': n(seen.snapshot.version + 1),
    ':expiresAt': expiry(now, ttlSeconds),
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
  return {
    UpdateExpression: [
      `SET ${set.join(', ')}`,
      ...(removed.length === 0 ? [] : [`REMOVE ${removed.join(', ')}`]),
    ].join(' '),
    ConditionExpression: condition,
    ExpressionAttributeNames: map,
    ExpressionAttributeValues: values,
  }
}

/** Where and what {@link addInput} counts. */
export interface AddOptions {
  readonly now: number
  /** Failures to add. */
  readonly count: number
  readonly rule: FailureRule
  /** Counters per failure window. */
  readonly buckets: number
  /** The bucket attributes this container knows of (the stale ones are removed). */
  readonly known: readonly string[]
  readonly ttlSeconds: number
  /** The table's partition key attribute: no item yet is a closed circuit. */
  readonly partitionKey: string
}

/**
 * Adds `count` failures to the bucket of `now`, if the circuit is closed: a write no other
 * writer can make fail. Removes the buckets known to be out of the window.
 */
export const addInput = (options: AddOptions): UpdateInput => {
  const { now, count, rule, known } = options
  const width = Math.max(1, Math.ceil(rule.window / options.buckets))
  const start = Math.floor(now / width) * width
  const bucket = `f${start}`
  const { map, ref } = names()
  const stale = known.filter(
    (attribute) => attribute !== bucket && Number(BUCKET.exec(attribute)?.[1]) <= now - rule.window,
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
  return {
    UpdateExpression: update.join(' '),
    ConditionExpression: `attribute_not_exists(${ref(options.partitionKey)}) OR (${closed})`,
    ExpressionAttributeNames: map,
    ExpressionAttributeValues: {
      ':closed': { S: 'closed' },
      ':zero': n(0),
      ':window': n(rule.window),
      ':expiresAt': expiry(now, options.ttlSeconds),
      ':count': n(count),
      ':now': n(now / 1000),
    },
  }
}

/** Opens a closed circuit at `now` if it is still at the version `seen` shows. */
export const openInput = (seen: Seen, now: number, ttlSeconds: number): UpdateInput => {
  const { map, ref } = names()
  return {
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
      ':expiresAt': expiry(now, ttlSeconds),
    },
  }
}
