/**
 * The circuit store contract, the state it keeps, and the in-memory store.
 * @module
 */
import type { CircuitStateName } from './errors.ts'

/**
 * The shared state of one circuit. Times are epoch milliseconds from the breaker's clock.
 *
 * Seed mapping: the seed's `closed` and `open` are ours; its `half_open` (stand-down over, a probe
 * may go) is our `open` once `openedAt + standDown` has passed (the next call elects a prober),
 * and its `half_closed` (a probe is in flight) is our `half-open` with a `prober` holding a lease.
 *
 * @example
 * ```ts
 * const closed: CircuitFields = {
 *   state: 'closed', failures: 0, windowStart: 0, openedAt: 0,
 *   prober: undefined, leaseUntil: 0, probeSuccesses: 0,
 * }
 * ```
 */
export interface CircuitFields {
  /** `closed` (calls go through), `open` (calls refused), `half-open` (one prober at a time). */
  readonly state: CircuitStateName
  /** Failures counted in the current window (closed), or that opened the circuit. */
  readonly failures: number
  /** When the current failure window began; 0 before the first failure. */
  readonly windowStart: number
  /** When the circuit last opened; 0 when it never did since it last closed. */
  readonly openedAt: number
  /** The instance id that holds the probe lease, if any. */
  readonly prober: string | undefined
  /** When the prober's lease expires; another instance may take over after that. */
  readonly leaseUntil: number
  /** Probes that succeeded since the circuit went half-open. */
  readonly probeSuccesses: number
}

/**
 * {@link CircuitFields} as stored: with the version that every conditional write checks.
 *
 * @example
 * ```ts
 * const snapshot: CircuitSnapshot = await payments.snapshot()
 * if (snapshot.state === 'open') console.warn(`open since ${new Date(snapshot.openedAt)}`)
 * ```
 */
export interface CircuitSnapshot extends CircuitFields {
  /**
   * Incremented by every conditional write (every {@link CircuitStore.update} that writes, so
   * every state change); 0 for a circuit never written that way. A failure counted by
   * {@link CircuitStore.countFailure} leaves it alone.
   */
  readonly version: number
}

/**
 * How a closed circuit counts failures: the breaker's `failureThreshold` and `window`.
 *
 * @example
 * ```ts
 * const rule: FailureRule = { failureThreshold: 3, window: 300_000 }
 * const counted = await store.countFailure?.('payments', Date.now(), rule)
 * ```
 */
export interface FailureRule {
  /** Failures within `window` that open the circuit. */
  readonly failureThreshold: number
  /** The failure-counting window, in ms. */
  readonly window: number
}

/**
 * A change to a circuit: given the newest state, the next fields, or `undefined` for "nothing to
 * write" (another instance already did it). A store may call it several times (once per conflict),
 * so it must be pure.
 *
 * @example
 * ```ts
 * // Gives back the probe lease that `instanceId` holds; nothing to write otherwise.
 * const release = (instanceId: string): CircuitChange => (current) =>
 *   current.prober === instanceId ? { ...current, prober: undefined, leaseUntil: 0 } : undefined
 * ```
 */
export type CircuitChange = (current: CircuitSnapshot) => CircuitFields | undefined

/**
 * What an update did: the state it started from and the state that holds after it.
 *
 * @example
 * ```ts
 * const { previous, current }: CircuitUpdate = await store.update('payments', Date.now(), change)
 * if (previous.state !== current.state) console.info(`${previous.state} -> ${current.state}`)
 * ```
 */
export interface CircuitUpdate {
  /** The state the change was computed from. */
  readonly previous: CircuitSnapshot
  /** The state after the update (`previous` itself when nothing was written). */
  readonly current: CircuitSnapshot
}

/**
 * A value, or a promise of it: stores may answer synchronously from memory.
 *
 * @example
 * ```ts
 * const readState = (store: CircuitStore, name: string): MaybePromise<CircuitSnapshot> =>
 *   store.read(name, Date.now())
 * ```
 */
export type MaybePromise<T> = T | Promise<T>

/**
 * Where circuits keep their state. Implement it to share circuits through another database.
 *
 * - `read` may answer from a cache (a closed circuit then costs no round trip);
 * - `update` must be atomic per circuit: read the newest state, apply `change`, write only if no
 *   other writer came in between (compare the `version`), and on a conflict re-read and re-apply.
 *
 * - `countFailure`, when a store has it, counts one failure of a closed circuit without a
 *   conflict (an atomic add), and opens the circuit when the count reaches the threshold; without
 *   it, the breaker counts through `update`.
 *
 * All may throw (or reject) on store errors; the breaker then falls back to its local state,
 * logs a warning, and leaves the store alone for `cacheTtlMs` before asking it again.
 *
 * @example
 * ```ts
 * const store: CircuitStore = process.env.CIRCUIT_TABLE
 *   ? dynamoDbCircuitStore({ client, tableName: process.env.CIRCUIT_TABLE })
 *   : memoryCircuitStore()
 * ```
 */
export interface CircuitStore {
  /**
   * How long, in ms, a read may be answered from a cache. After the store failed, the breaker
   * answers from its local state for this long before it asks the store again. Default 1,000.
   */
  readonly cacheTtlMs?: number
  /** The circuit's state as of `now` (possibly cached). */
  read(name: string, now: number): MaybePromise<CircuitSnapshot>
  /** Applies `change` atomically (see {@link CircuitChange}). */
  update(name: string, now: number, change: CircuitChange): MaybePromise<CircuitUpdate>
  /**
   * Optional. Counts one failure at `now` if the circuit is closed, as a write that concurrent
   * writers cannot make fail, and opens the circuit (a conditional write) when the failures
   * within `rule.window` reach `rule.failureThreshold`. Nothing is counted when the circuit is
   * not closed: the update's `previous` and `current` are then the state that holds.
   */
  countFailure?(name: string, now: number, rule: FailureRule): MaybePromise<CircuitUpdate>
}

/** A closed circuit with nothing counted. */
export const CLOSED_FIELDS: CircuitFields = Object.freeze({
  state: 'closed',
  failures: 0,
  windowStart: 0,
  openedAt: 0,
  prober: undefined,
  leaseUntil: 0,
  probeSuccesses: 0,
})

/** The state of a circuit that was never written: closed, nothing counted, version 0. */
export const INITIAL_SNAPSHOT: CircuitSnapshot = Object.freeze({ ...CLOSED_FIELDS, version: 0 })

/**
 * A circuit store that lives in this container's memory, with a way to forget everything.
 *
 * @example
 * ```ts
 * const store: MemoryCircuitStore = memoryCircuitStore()
 * const { state } = store.read('payments', Date.now()) // synchronous: no await
 * afterEach(() => store.reset())
 * ```
 */
export interface MemoryCircuitStore extends CircuitStore {
  read(name: string, now: number): CircuitSnapshot
  update(name: string, now: number, change: CircuitChange): CircuitUpdate
  /** Forgets every circuit (for tests, or to start over). */
  reset(): void
}

/**
 * A circuit store in this container's memory: the default. Circuits are shared by the breakers
 * given the same store object, not across Lambda instances (use `dynamoDbCircuitStore` for that).
 * Create it once per container, outside the handler.
 *
 * @example
 * ```ts
 * const store = memoryCircuitStore()
 * const payments = circuitBreaker({ name: 'payments', store })
 * // in tests: afterEach(() => store.reset())
 * ```
 */
export const memoryCircuitStore = (): MemoryCircuitStore => {
  const circuits = new Map<string, CircuitSnapshot>()
  return {
    read: (name) => circuits.get(name) ?? INITIAL_SNAPSHOT,
    update: (name, _now, change) => {
      const previous = circuits.get(name) ?? INITIAL_SNAPSHOT
      const next = change(previous)
      if (next === undefined) return { previous, current: previous }
      const current: CircuitSnapshot = { ...next, version: previous.version + 1 }
      circuits.set(name, current)
      return { previous, current }
    },
    reset: () => circuits.clear(),
  }
}
