/**
 * The self-token client: its memory cache, `get()` answering from it, and the single flight of
 * the refresh that the callers without a usable token share.
 * @module
 */
import { toError } from '../internal/result.ts'
import { err, type Result } from '../result/index.ts'
import { tokenEndpoint } from './endpoint.ts'
import { TokenError } from './errors.ts'
import { guardedStore } from './guarded-store.ts'
import { clientSettings, type GetTokenOptions, type SelfTokenOptions } from './options.ts'
import { refresher, type TokenMemory } from './refresh.ts'
import type { SelfToken } from './store.ts'

/**
 * A self-token client; see {@link selfTokenClient}.
 *
 * @example
 * ```ts
 * const tokens: SelfTokenClient = selfTokenClient({ ...credentialsFromEnv(), scope: 'stock:read' })
 * const result = await tokens.get({ remainingTime: () => context.getRemainingTimeInMillis() })
 * if (result.ok) headers.authorization = `Bearer ${result.value.accessToken}`
 * ```
 */
export interface SelfTokenClient {
  /**
   * The token. While the cached one is usable it is answered at once, and once it is due for
   * refresh the refresh starts behind that answer; else from the store, else from the endpoint,
   * within `options`' deadline. Concurrent calls share one request. Never rejects.
   */
  get(options?: GetTokenOptions): Promise<Result<SelfToken, TokenError>>
  /**
   * Settles once no refresh is in flight: one started behind an answer has landed in memory (and
   * the store) or failed. Never rejects. For tests, and for a shutdown that should not cut a
   * refresh short.
   *
   * @example
   * ```ts
   * await tokens.get() // past the refresh point: the cached token, and a refresh behind it
   * await tokens.settled()
   * await tokens.get() // the new token
   * ```
   */
  settled(): Promise<void>
  /**
   * Forgets `accessToken` (default: the cached one) because a resource server refused it: the
   * next `get()` requests a new token, ignoring that one in the store too.
   */
  invalidate(accessToken?: string): void
  /** Forgets the cached token and any request in flight (the store is untouched). For tests. */
  reset(): void
}

/** A refresh in flight, and what the callers waiting on it get. */
interface Flight {
  /** Settles with the first usable token the refresh finds (the store's), or with its outcome. */
  readonly first: Promise<Result<SelfToken, TokenError>>
  /** Settles with the refresh's outcome. */
  readonly done: Promise<Result<SelfToken, TokenError>>
  /** True once `first` has settled with a token found before the request ended. */
  readonly answered: () => boolean
}

/** The backstop of `get()`, which never rejects: a throw nothing else caught. */
const unexpected = (thrown: unknown): Result<SelfToken, TokenError> =>
  err(
    new TokenError('TOKEN_CLIENT_ERROR', 'The self-token client failed unexpectedly', {
      // Only the message: what threw may hold more than is safe to log.
      cause: new Error(toError(thrown).message),
    }),
  )

/**
 * Creates a self-token client: it gets this service's own access token with the OAuth2
 * client-credentials grant and keeps it, so that a container asks the endpoint about once per
 * token lifetime and a fleet of containers sharing a `store` about once in all. Create it once
 * per container, outside the handler; its memory cache is the per-container cache.
 *
 * - Layers: this container's memory, then `store` (shared), then the endpoint. A token from the
 *   store is taken while it is before this instance's refresh point.
 * - Early refresh: once the token is within `expiryThresholdMs` of its expiry, at a random point
 *   of a window `windowWidthMs` wide before it; each instance draws its own point in the window, the
 *   first one refreshes and writes the store, the others then find the new token there.
 * - Refresh behind the answer: while the cached token is usable, `get()` answers it at once, and
 *   past the refresh point starts the refresh behind that answer; no caller with a usable token
 *   waits on the endpoint. A failed refresh keeps the token (with a warning) and tries again after
 *   `refreshRetryDelayMs`, or the endpoint's `Retry-After` when longer. Only callers with no usable
 *   token wait on a refresh, and only they get its error.
 * - Single flight: concurrent `get()` calls share one store read and one request.
 * - Failures are {@link TokenError}s; retryable ones (5xx, 429, network, timeout) are retried
 *   (`retries`, or the breaker's policy), `invalid_client` and other 4xx never. A 429 or 503
 *   with `Retry-After` (seconds or an HTTP-date) is retried after that wait, when it ends before
 *   the caller's deadline (`get({ remainingTime })`, which `selfToken()` passes) and within
 *   `refreshClaimMs`, else not retried. With a breaker, 4xx answers do not count as failures,
 *   unusable 2xx answers and `Retry-After` answers count once (without the breaker retrying them).
 * - The store failing never fails `get()`: the client warns and goes on with memory.
 *
 * @throws TypeError at creation for a negative or non-finite duration.
 *
 * @example
 * ```ts
 * import { circuitBreaker } from 'metis-app/circuit'
 * import { dynamoDbTokenStore, selfTokenClient } from 'metis-app/self-token'
 *
 * const tokens = selfTokenClient({
 *   tokenEndpoint: 'https://id.example.com/oauth2/token',
 *   clientId: 'orders',
 *   clientSecret: { ssm: '/orders/client-secret' },
 *   scope: 'inventory:read',
 *   store: dynamoDbTokenStore({ client: new DynamoDBClient({}), tableName: 'tokens' }),
 *   breaker: circuitBreaker({ name: 'identity', timeoutMs: 3_000 }),
 * })
 * const result = await tokens.get()
 * if (result.ok) await ky.get(url, { headers: { authorization: `Bearer ${result.value.accessToken}` } })
 * ```
 */
export const selfTokenClient = (options: SelfTokenOptions): SelfTokenClient => {
  const settings = clientSettings(options)
  const { clock } = settings
  const memory: TokenMemory = { entry: undefined, rejected: undefined, generation: 0 }
  const refresh = refresher(
    settings,
    memory,
    guardedStore(settings),
    tokenEndpoint(options, settings),
  )
  let inflight: Flight | undefined

  /** Starts a refresh that the callers without a usable token share. */
  const fly = (deadline: number | undefined): Flight => {
    let early = false
    let settleFirst: (result: Result<SelfToken, TokenError>) => void
    const first = new Promise<Result<SelfToken, TokenError>>((resolve) => {
      settleFirst = resolve
    })
    const done = refresh(deadline, (entry) => {
      early = true
      settleFirst(entry.result)
    })
      .catch(unexpected)
      .then((result) => {
        // Landed before anyone hears of it: a caller it wakes must not join it again.
        if (inflight === flight) inflight = undefined
        settleFirst(result)
        return result
      })
    const flight: Flight = { first, done, answered: () => early }
    inflight = flight
    return flight
  }

  /** The deadline a caller gave, if any; a `remainingTime` that throws gives none. */
  const deadlineOf = (callOptions: GetTokenOptions | undefined): number | undefined => {
    if (callOptions?.deadline !== undefined) return callOptions.deadline
    const remaining = callOptions?.remainingTime
    if (remaining === undefined) return undefined
    try {
      const ms = remaining()
      return Number.isFinite(ms) ? clock() + ms : undefined
    } catch {
      return undefined
    }
  }

  const get = (callOptions?: GetTokenOptions): Promise<Result<SelfToken, TokenError>> => {
    const entry = memory.entry
    const now = clock()
    // Usable: answered at once, and refreshed behind the answer once due. Never past
    // usableUntil, whatever set refreshAt (a random source outside [0, 1), say).
    if (entry !== undefined && now < entry.usableUntil) {
      if (now >= entry.refreshAt && inflight === undefined) fly(undefined)
      return Promise.resolve(entry.result)
    }
    // No usable token: wait on the refresh in flight (for its outcome, when the token it found
    // first has been handed out and is no longer usable), or start one.
    const flight = inflight ?? fly(deadlineOf(callOptions))
    return flight.answered() ? flight.done : flight.first
  }

  const settled = async (): Promise<void> => {
    while (inflight !== undefined) await inflight.done
  }

  const invalidate = (accessToken?: string): void => {
    const token = accessToken ?? memory.entry?.token.accessToken
    if (token === undefined) return
    memory.rejected = token
    if (memory.entry?.token.accessToken === token) memory.entry = undefined
  }

  const reset = (): void => {
    memory.generation += 1
    memory.entry = undefined
    inflight = undefined
    memory.rejected = undefined
  }

  return { get, settled, invalidate, reset }
}

/** True for a {@link SelfTokenClient} (rather than its options). */
export const isClient = (value: SelfTokenOptions | SelfTokenClient): value is SelfTokenClient =>
  typeof (value as Partial<SelfTokenClient>).get === 'function'
