/**
 * The breaker's view of its store, degraded to local state while the store fails: reads and
 * writes go to the store, and to a local circuit when it fails (with a warning and a
 * `CircuitStoreFallback` count) until a write succeeds again.
 * @module
 */

import { toError } from '../internal/result.ts'
import { tell } from '../internal/tell.ts'
import type { Call } from './options.ts'
import {
  type CircuitChange,
  type CircuitSnapshot,
  type CircuitStore,
  type CircuitUpdate,
  INITIAL_SNAPSHOT,
  type MaybePromise,
  memoryCircuitStore,
} from './store.ts'

/** One circuit's state, from its store or, while that fails, from local state. */
export interface DegradableStore {
  /** The circuit's state as of `now`. */
  read(now: number, call: Call): MaybePromise<CircuitSnapshot>
  /**
   * Writes `change` to the local state when that owns the decisions, else asks the store through
   * `remote`, falling back to the local state when the store fails.
   */
  write(
    now: number,
    change: CircuitChange,
    call: Call,
    remote: () => MaybePromise<CircuitUpdate>,
  ): MaybePromise<CircuitUpdate>
}

/**
 * The circuit `name` in `store`, with a local circuit to fall back on.
 *
 * The local state is seeded with the last state the store showed. Once the store failed, the
 * breaker is "degraded" until a write succeeds again; meanwhile a local circuit that is not closed
 * owns every decision (the store cannot record its transitions), and a closed one still reads the
 * store to see what other instances decided. After each store failure the store is left alone for
 * its `cacheTtlMs` (1 s by default) and the local state answers, so that a store that hangs costs
 * one wait per interval, not one per call.
 *
 * @example
 * ```ts
 * const circuit = degradableStore('payments', store, Date.now)
 * const snapshot = await circuit.read(Date.now(), { logger })
 * ```
 */
export const degradableStore = (
  name: string,
  store: CircuitStore,
  clock: () => number,
): DegradableStore => {
  const local = memoryCircuitStore()
  const storeRest = store.cacheTtlMs ?? 1_000
  let lastSeen: CircuitSnapshot = INITIAL_SNAPSHOT
  let degraded = false
  // The clock time before which the store is not asked again (it failed just before).
  let storeRestsUntil = 0

  const localOwns = (): boolean => degraded && local.read(name, 0).state !== 'closed'

  const fellBack = (call: Call): void => {
    tell(() => call.metrics?.addMetric('CircuitStoreFallback', 'Count', 1))
  }

  const storeFailed = (operation: string, error: unknown, call: Call): void => {
    fellBack(call)
    storeRestsUntil = clock() + storeRest
    if (degraded) return
    degraded = true
    local.reset()
    local.update(name, 0, () => lastSeen)
    tell(() =>
      call.logger?.warn('circuit store failed; using local circuit state', {
        circuit: name,
        operation,
        error: toError(error).message,
      }),
    )
  }

  const recovered = (message: string, call: Call): void => {
    degraded = false
    storeRestsUntil = 0
    tell(() => call.logger?.info(message, { circuit: name }))
  }

  const seen = (snapshot: CircuitSnapshot): CircuitSnapshot => {
    lastSeen = snapshot
    return snapshot
  }

  const read = (now: number, call: Call): MaybePromise<CircuitSnapshot> => {
    if (localOwns()) return local.read(name, now)
    if (now < storeRestsUntil) {
      fellBack(call)
      return local.read(name, now)
    }
    const readLocally = (error: unknown): CircuitSnapshot => {
      storeFailed('read', error, call)
      return local.read(name, now)
    }
    try {
      const answer = store.read(name, now)
      if (!(answer instanceof Promise)) return seen(answer)
      return answer.then(seen, readLocally)
    } catch (error) {
      return readLocally(error)
    }
  }

  const write = (
    now: number,
    change: CircuitChange,
    call: Call,
    remote: () => MaybePromise<CircuitUpdate>,
  ): MaybePromise<CircuitUpdate> => {
    if (localOwns()) {
      const outcome = local.update(name, now, change)
      if (outcome.current.state === 'closed') {
        recovered('circuit closed locally; using the store again', call)
      }
      return outcome
    }
    if (now < storeRestsUntil) {
      fellBack(call)
      return local.update(name, now, change)
    }
    const stored = (outcome: CircuitUpdate): CircuitUpdate => {
      seen(outcome.current)
      if (degraded) recovered('circuit store recovered', call)
      return outcome
    }
    const updateLocally = (error: unknown): CircuitUpdate => {
      storeFailed('update', error, call)
      return local.update(name, now, change)
    }
    try {
      const answer = remote()
      if (!(answer instanceof Promise)) return stored(answer)
      return answer.then(stored, updateLocally)
    } catch (error) {
      return updateLocally(error)
    }
  }

  return { read, write }
}
