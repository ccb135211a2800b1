/**
 * The refresh of the client's token: from the store when another instance already renewed it,
 * else from the endpoint, one instance at a time (the store's claim), keeping a still-usable
 * token when the refresh fails.
 * @module
 */
import { tell } from '../internal/tell.ts'
import { err, ok, type Result } from '../result/index.ts'
import type { Endpoint } from './endpoint.ts'
import type { TokenError } from './errors.ts'
import type { Claim, GuardedStore } from './guarded-store.ts'
import type { ClientSettings } from './options.ts'
import type { SelfToken } from './store.ts'
import { planRefresh, type RefreshPlan } from './window.ts'

/** A token the client holds, with its refresh plan and the Result `get()` answers for it. */
export interface Entry extends RefreshPlan {
  readonly token: SelfToken
  readonly result: Result<SelfToken, TokenError>
}

/** What the client keeps in this container's memory, shared by `get()` and the refresh. */
export interface TokenMemory {
  /** The token held, if any. */
  entry: Entry | undefined
  /** A token a resource server refused (`invalidate()`): never handed out again. */
  rejected: string | undefined
  /** Bumped by `reset()`: a refresh that was in flight then must not fill the memory afterwards. */
  generation: number
}

/**
 * Renews the token. `deadline` is the waiting caller's (none for a refresh behind an answer);
 * `answer` gives the callers waiting a usable token found on the way (the store's, due for
 * refresh here too), while the request goes on behind it.
 */
export type Refresh = (
  deadline: number | undefined,
  answer: (entry: Entry) => void,
) => Promise<Result<SelfToken, TokenError>>

/** The entry that holds `token`, planned by `settings`' policy. */
const entryOf = (token: SelfToken, settings: ClientSettings): Entry => ({
  ...planRefresh(token, settings.policy, settings.random),
  token,
  result: ok(token),
})

/**
 * The refresh of the client with `settings`, keeping its token in `memory`.
 *
 * @example
 * ```ts
 * const refresh = refresher(settings, memory, guardedStore(settings), tokenEndpoint(options, settings))
 * const result = await refresh(Date.now() + 3_000, () => {})
 * ```
 */
export const refresher = (
  settings: ClientSettings,
  memory: TokenMemory,
  store: GuardedStore,
  endpoint: Endpoint,
): Refresh => {
  const { clock, logger, refreshRetryDelayMs, refreshClaimMs, sleep } = settings

  /**
   * True for a token that may be handed out at `now`: before its usable end, and not one a
   * resource server refused since the refresh began (`invalidate()`).
   */
  const usable = (entry: Entry | undefined, now: number): entry is Entry =>
    entry !== undefined && now < entry.usableUntil && entry.token.accessToken !== memory.rejected

  /**
   * A failure: the best token still usable, with a warning, else the error. This instance tries
   * again after `refreshRetryDelayMs`, or after the wait the endpoint asked for when longer.
   */
  const fallBack = (
    best: Entry | undefined,
    error: TokenError,
    mine: boolean,
  ): Result<SelfToken, TokenError> => {
    const now = clock()
    if (!usable(best, now)) return err(error)
    tell(() =>
      logger?.warn('self-token refresh failed; the cached token is still valid and is used', {
        code: error.code,
        error: error.message,
        expiresAt: best.token.expiresAt,
      }),
    )
    if (mine) {
      const retryIn = Math.max(refreshRetryDelayMs, error.retryAfterMs ?? 0)
      memory.entry = { ...best, refreshAt: Math.min(best.usableUntil, now + retryIn) }
    }
    return best.result
  }

  /** The stored token, when it is one this instance may take (not refused, newer than `than`). */
  const takeable = (stored: SelfToken | undefined, than: Entry | undefined): Entry | undefined => {
    if (stored === undefined || stored.accessToken === memory.rejected) return undefined
    if (than !== undefined && stored.expiresAt <= than.token.expiresAt) return undefined
    return entryOf(stored, settings)
  }

  /**
   * Another instance claimed the request for a token this one lacks: read the store again, at
   * growing intervals, until its token lands, or the claim is free (released after a failure, or
   * lapsed) and this instance takes it, or the claim would have lapsed anyway.
   */
  const awaitClaimant = async (
    key: string,
    than: Entry | undefined,
    replaces: number,
  ): Promise<Entry | Claim> => {
    for (let waited = 0, step = 50; waited < refreshClaimMs; step = Math.min(2 * step, 1_000)) {
      await sleep(step)
      waited += step
      const found = takeable(await store.read(key), than)
      if (found !== undefined && clock() < found.usableUntil) return found
      const claim = await store.claim(key, replaces)
      if (claim !== 'refused') return claim
    }
    return 'unclaimed'
  }

  const refresh: Refresh = async (deadline, answer) => {
    const mine = memory.generation
    const startedAt = clock()
    const keep = (entry: Entry): Result<SelfToken, TokenError> => {
      if (mine === memory.generation) memory.entry = entry
      return entry.result
    }
    let best = memory.entry
    const credentials = await endpoint.loadCredentials()
    if (!credentials.ok) return fallBack(best, credentials.error, mine === memory.generation)
    const key = settings.keyOf(credentials.value)
    const stored = await store.read(key)
    const fromStore = takeable(stored, best)
    if (fromStore !== undefined) {
      const now = clock()
      if (now < fromStore.refreshAt) return keep(fromStore)
      best = fromStore
      if (now < fromStore.usableUntil) {
        keep(fromStore)
        answer(fromStore)
      }
    }
    // One instance at a time asks the endpoint: the others keep a still-usable token, or wait
    // for the claimant's token to land in the store (a cold fleet starting at once).
    const replaces = Math.max(best?.token.expiresAt ?? 0, stored?.expiresAt ?? 0)
    let claim = await store.claim(key, replaces)
    if (claim === 'refused') {
      const now = clock()
      if (usable(best, now)) {
        return keep({ ...best, refreshAt: Math.min(best.usableUntil, now + refreshRetryDelayMs) })
      }
      const landed = await awaitClaimant(key, best, replaces)
      if (typeof landed !== 'string') return keep(landed)
      claim = landed
    }
    // No wait past the caller's deadline, nor past the claim (another instance may take it then).
    const until = Math.min(deadline ?? Number.POSITIVE_INFINITY, startedAt + refreshClaimMs)
    const result = await endpoint.call(credentials.value, deadline, until)
    if (!result.ok) {
      if (claim === 'claimed') await store.release(key)
      return fallBack(best, result.error, mine === memory.generation)
    }
    if (mine === memory.generation) memory.entry = entryOf(result.value, settings)
    await store.write(key, result.value)
    return result
  }

  return refresh
}
