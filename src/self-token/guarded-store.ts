/**
 * The client's side of its token store: each operation guarded, so that a store that fails (an
 * error Result, a rejection, a throw) never fails `get()`; it warns and the client goes on with
 * its memory.
 * @module
 */

import { toError } from '../internal/result.ts'
import { tell } from '../internal/tell.ts'
import type { ClientSettings } from './options.ts'
import { readStoredToken, type SelfToken, type TokenStore } from './store.ts'

/**
 * Where this instance stands with the store's claim: it holds it, another instance does, or there
 * is none to hold (a store without `claim`, or one that failed).
 */
export type Claim = 'claimed' | 'refused' | 'unclaimed'

/** The store operations the client uses; none rejects. */
export interface GuardedStore {
  /** The token kept under `key`, or `undefined` (none, not a token, or the store failed). */
  read(key: string): Promise<SelfToken | undefined>
  /** Keeps `token` under `key` (see `TokenStore.write`). */
  write(key: string, token: SelfToken): Promise<void>
  /**
   * Claims the refresh for this instance: `refused` while another holds it; a store without
   * `claim`, or one that fails, answers `unclaimed`, and this instance asks.
   */
  claim(key: string, replaces: number): Promise<Claim>
  /** After a failed request: the next attempt, by any instance, need not wait out the claim. */
  release(key: string): Promise<void>
}

type Operation = 'read' | 'write' | 'claim' | 'release'

/**
 * The store of `settings`, guarded; with no store, reads find nothing and claims are `unclaimed`.
 *
 * @example
 * ```ts
 * const store = guardedStore(clientSettings(options))
 * const token = await store.read(key) // undefined when the store failed (after a warning)
 * ```
 */
export const guardedStore = (settings: ClientSettings): GuardedStore => {
  const { store, logger, clock, instanceId, refreshClaimMs } = settings

  const warnStore = (operation: Operation, error: unknown): void => {
    tell(() =>
      logger?.warn(`self-token store ${operation} failed; using this container's memory`, {
        operation,
        error: toError(error).message,
      }),
    )
  }

  /** Runs one store operation: its ok answer, or `undefined` after a warning. */
  const guarded = async <T>(
    operation: Operation,
    run: () => Promise<{ ok: true; value: T } | { ok: false; error: unknown }>,
  ): Promise<{ value: T } | undefined> => {
    try {
      const answer = await run()
      if (answer.ok) return answer
      warnStore(operation, answer.error)
    } catch (thrown) {
      warnStore(operation, thrown)
    }
    return undefined
  }

  const read = async (key: string): Promise<SelfToken | undefined> => {
    if (store === undefined) return undefined
    const answer = await guarded('read', () => store.read(key))
    if (answer?.value === undefined) return undefined
    const token = readStoredToken(answer.value)
    if (token === undefined) {
      tell(() => logger?.warn('self-token store answered something not a token'))
    }
    return token
  }

  const write = async (key: string, token: SelfToken): Promise<void> => {
    if (store === undefined) return
    await guarded('write', () => store.write(key, token))
  }

  const claim = async (key: string, replaces: number): Promise<Claim> => {
    const claimable = store?.claim === undefined ? undefined : (store as Required<TokenStore>)
    if (claimable === undefined) return 'unclaimed'
    const now = clock()
    const until = now + refreshClaimMs
    const answer = await guarded('claim', () =>
      claimable.claim(key, { now, until, replaces, claimant: instanceId }),
    )
    if (answer === undefined) return 'unclaimed'
    return answer.value ? 'claimed' : 'refused'
  }

  const release = async (key: string): Promise<void> => {
    const releasable = store?.release === undefined ? undefined : (store as Required<TokenStore>)
    if (releasable === undefined) return
    await guarded('release', () => releasable.release(key, instanceId))
  }

  return { read, write, claim, release }
}
