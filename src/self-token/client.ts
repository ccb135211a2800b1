/**
 * The self-token client: memory cache, persistence store, early refresh, single flight, and the
 * token endpoint behind an optional circuit breaker.
 * @module
 */
import { choiceOption, numberOption } from '../internal/options.ts'
import { tell } from '../internal/tell.ts'
import { err, ok, type Result, toError } from '../result/index.ts'
import {
  type CredentialSource,
  type Credentials,
  checkCredentialSource,
  credentialResolver,
  type ParameterProviders,
} from './credentials.ts'
import { TokenError } from './errors.ts'
import { type ClientAuthMethod, type GrantOptions, requestToken } from './grant.ts'
import { readStoredToken, type SelfToken, type TokenStore } from './store.ts'
import { planRefresh, type RefreshPlan, type RefreshPolicy } from './window.ts'

/**
 * The circuit breaker the token endpoint goes through: `circuitBreaker()` of `metis-app/circuit`,
 * or anything with its `execute` (called with a function of an `AbortSignal` that answers a Result,
 * and with `{ deadline }` when the caller gave one; answers a Result and never rejects).
 */
export interface TokenBreaker {
  execute<T, E>(
    fn: (signal: AbortSignal) => Promise<Result<T, E>>,
    options?: { deadline?: number },
  ): Promise<Result<T, E | Error>>
}

/** Where warnings go: a Powertools `Logger`, `console`, pino. Never given a token or a secret. */
export interface TokenLogger {
  warn(message: string, ...extra: unknown[]): void
}

/** Options of {@link selfTokenClient}. */
export interface SelfTokenOptions extends RefreshPolicy {
  /** The token endpoint URL (or where to read it). */
  tokenEndpoint: CredentialSource
  /** The client id: a string, a function, or an SSM / Secrets Manager reference. */
  clientId: CredentialSource
  /** The client secret: a string, a function, or an SSM / Secrets Manager reference. */
  clientSecret: CredentialSource
  /** Default `client_secret_basic`. */
  authMethod?: ClientAuthMethod
  /** The scopes to ask for (an array is joined with spaces). */
  scope?: string | readonly string[]
  /** The `audience` parameter (Auth0, Okta and others). */
  audience?: string
  /** The `resource` parameter(s) (RFC 8707). */
  resource?: string | readonly string[]
  /** More form parameters for the token request. */
  extraParams?: Readonly<Record<string, string>>
  /** Shares tokens between instances (`dynamoDbTokenStore()`, `memoryTokenStore()`, your own). */
  store?: TokenStore
  /** The store key. Default: client id, endpoint, scope, audience and resource, joined by `|`. */
  storeKey?: string
  /**
   * The circuit breaker of the token endpoint; with one, its retry policy applies instead of
   * `retries`, except to answers with a `Retry-After`: it counts each once, and the client waits
   * as asked and retries them itself.
   */
  breaker?: TokenBreaker
  /** Per-request time limit in ms. Default 5,000. */
  timeoutMs?: number
  /**
   * Attempts after the first for retryable failures, without a breaker (with one, for answers
   * with a `Retry-After` only). Default 2.
   */
  retries?: number
  /** Base of the full-jitter exponential backoff between attempts, ms. Default 100. */
  retryBaseDelayMs?: number
  /** Lifetime of a token with no `expires_in` and no JWT `exp`, ms. Default 300,000. */
  defaultLifetimeMs?: number
  /** After a failed early refresh, the cached token serves this long before the next try, ms. Default 5,000. */
  refreshRetryDelayMs?: number
  /**
   * How long an instance holds the store's claim on a refresh (stores with `claim`), ms: keep it
   * above a token request's length. Default twice `timeoutMs`. A failed request releases it early
   * (stores with `release`). No wait between attempts (a backoff, a `Retry-After`) runs past it,
   * with or without a store.
   */
  refreshClaimMs?: number
  /** This instance's id in the store's refresh claim. Default a random UUID. */
  instanceId?: string
  /** Receives warnings: store failures, a failed early refresh. */
  logger?: TokenLogger
  /** Parameter providers instead of Powertools' defaults (for SSM / Secrets Manager sources). */
  parameters?: ParameterProviders
  /** A `fetch` for ky (a proxy agent, a test double). Default the global `fetch`. */
  fetch?: typeof globalThis.fetch
  /** Epoch ms. Default `Date.now`. */
  clock?: () => number
  /** A number in [0, 1). Default `Math.random`. */
  random?: () => number
  /** Waits between attempts (a backoff, a `Retry-After`). Default a `setTimeout` timer. */
  sleep?: (ms: number) => Promise<void>
}

/** Options of one {@link SelfTokenClient.get} call: how long its caller can wait. */
export interface GetTokenOptions {
  /**
   * Epoch ms by which the caller needs its answer: no wait between attempts (a backoff, a
   * `Retry-After`) runs past it, and the breaker gets it as its `deadline`.
   */
  deadline?: number
  /**
   * Milliseconds left, read once at the call, e.g. `() => context.getRemainingTimeInMillis()`
   * (what `selfToken()` passes); sets `deadline`.
   */
  remainingTime?: () => number
}

/** A self-token client; see {@link selfTokenClient}. */
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

/**
 * Where this instance stands with the store's claim: it holds it, another instance does, or there
 * is none to hold (a store without `claim`, or one that failed).
 */
type Claim = 'claimed' | 'refused' | 'unclaimed'

interface Entry extends RefreshPlan {
  readonly token: SelfToken
  readonly result: Result<SelfToken, TokenError>
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

/**
 * Thrown through the breaker for an answer that asked for a wait (`Retry-After`) or was unusable:
 * the breaker counts it once, as a failure, and does not retry it (it cannot wait as asked); the
 * client then waits itself, within its deadline.
 */
class CountedOnce extends Error {
  /** Read by the breaker's retry policy: no retry of its own. */
  readonly retryable = false
  /** Read by the breaker's failure predicate: a 5xx (or 503) is a failure. */
  readonly statusCode: number
  readonly error: TokenError

  constructor(error: TokenError) {
    super(error.message)
    this.name = 'CountedOnce'
    this.error = error
    this.statusCode = error.statusCode
  }
}

const timerSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms)
  })

const list = (value: string | readonly string[] | undefined): string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : [...value]

const nonNegative = (name: string, value: number): number => {
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new TypeError(`selfTokenClient: ${name} must be a finite number >= 0`)
  }
  return value
}

/** Maps what the breaker answered instead of our own error. */
const fromBreaker = (error: unknown): TokenError => {
  if (error instanceof CountedOnce) return error.error
  if (error instanceof TokenError) return error
  const code = (error as { code?: unknown }).code
  if (code === 'CIRCUIT_OPEN') {
    return new TokenError('TOKEN_CIRCUIT_OPEN', 'The token endpoint circuit is open', {
      cause: error,
    })
  }
  if (code === 'CIRCUIT_TIMEOUT') {
    return new TokenError('TOKEN_ENDPOINT_TIMEOUT', 'The token endpoint did not answer in time', {
      retryable: true,
      cause: error,
    })
  }
  return new TokenError('TOKEN_ENDPOINT_UNREACHABLE', 'The token endpoint call failed', {
    retryable: true,
    cause: new Error(toError(error).message),
  })
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
 * - Early refresh: see {@link planRefresh}; each instance draws its own point in the window, the
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
  const clock = options.clock ?? Date.now
  const random = options.random ?? Math.random
  const sleep = options.sleep ?? timerSleep
  const { store, breaker, logger } = options
  checkCredentialSource('selfTokenClient', 'tokenEndpoint', options.tokenEndpoint, true)
  checkCredentialSource('selfTokenClient', 'clientId', options.clientId)
  checkCredentialSource('selfTokenClient', 'clientSecret', options.clientSecret)
  const instanceId = options.instanceId ?? globalThis.crypto.randomUUID()
  const policy: RefreshPolicy = {
    expiryThresholdMs: options.expiryThresholdMs,
    windowWidthMs: options.windowWidthMs,
    clockSkewMs: nonNegative('clockSkewMs', options.clockSkewMs ?? 10_000),
  }
  const retries = nonNegative('retries', options.retries ?? 2)
  const retryBaseDelayMs = nonNegative('retryBaseDelayMs', options.retryBaseDelayMs ?? 100)
  const refreshRetryDelayMs = nonNegative(
    'refreshRetryDelayMs',
    options.refreshRetryDelayMs ?? 5_000,
  )
  const refreshClaimMs = nonNegative(
    'refreshClaimMs',
    options.refreshClaimMs ?? 2 * (options.timeoutMs ?? 5_000),
  )
  const scope = list(options.scope).join(' ')
  const resource = list(options.resource)
  const grant: GrantOptions = {
    authMethod: choiceOption(
      'selfTokenClient',
      'authMethod',
      options.authMethod,
      ['client_secret_basic', 'client_secret_post'],
      'client_secret_basic',
    ),
    scope: scope === '' ? undefined : scope,
    audience: options.audience,
    resource,
    extraParams: options.extraParams ?? {},
    timeout: numberOption('selfTokenClient', 'timeoutMs', options.timeoutMs, 5_000, { min: 1 }),
    defaultLifetimeMs: nonNegative('defaultLifetimeMs', options.defaultLifetimeMs ?? 300_000),
    clock,
    fetch: options.fetch,
  }
  // Checked now, so that a bad setting fails at creation rather than at the first refresh.
  planRefresh({ issuedAt: 0, expiresAt: 600_000 }, policy, () => 0)
  const resolve = credentialResolver(options.parameters)

  let memory: Entry | undefined
  let inflight: Flight | undefined
  let rejected: string | undefined
  // Bumped by reset(): a request that was in flight then must not fill the cache afterwards.
  let generation = 0

  const remember = (token: SelfToken, plan: RefreshPlan = planRefresh(token, policy, random)) => {
    memory = { ...plan, token, result: ok(token) }
    return memory
  }

  const loadCredentials = async (): Promise<Result<Credentials, TokenError>> => {
    const tokenEndpoint = await resolve('tokenEndpoint', options.tokenEndpoint)
    if (!tokenEndpoint.ok) return tokenEndpoint
    const clientId = await resolve('clientId', options.clientId)
    if (!clientId.ok) return clientId
    const clientSecret = await resolve('clientSecret', options.clientSecret)
    if (!clientSecret.ok) return clientSecret
    return ok({
      tokenEndpoint: tokenEndpoint.value,
      clientId: clientId.value,
      clientSecret: clientSecret.value,
    })
  }

  const keyOf = (credentials: Credentials): string =>
    options.storeKey ??
    [
      credentials.clientId,
      credentials.tokenEndpoint,
      scope,
      options.audience ?? '',
      ...resource,
    ].join('|')

  const readStore = async (key: string): Promise<SelfToken | undefined> => {
    if (store === undefined) return undefined
    try {
      const answer = await store.read(key)
      if (!answer.ok) {
        warnStore('read', answer.error)
        return undefined
      }
      if (answer.value === undefined) return undefined
      const token = readStoredToken(answer.value)
      if (token === undefined) {
        tell(() => logger?.warn('self-token store answered something not a token'))
      }
      return token
    } catch (thrown) {
      warnStore('read', thrown)
      return undefined
    }
  }

  const writeStore = async (key: string, token: SelfToken): Promise<void> => {
    if (store === undefined) return
    try {
      const answer = await store.write(key, token)
      if (!answer.ok) warnStore('write', answer.error)
    } catch (thrown) {
      warnStore('write', thrown)
    }
  }

  /**
   * Claims the refresh for this instance: `refused` while another holds it; a store without
   * `claim`, or one that fails (with a warning), answers `unclaimed`, and this instance asks.
   */
  const claimRefresh = async (key: string, replaces: number): Promise<Claim> => {
    if (store?.claim === undefined) return 'unclaimed'
    const now = clock()
    try {
      const answer = await store.claim(key, {
        now,
        until: now + refreshClaimMs,
        replaces,
        claimant: instanceId,
      })
      if (answer.ok) return answer.value ? 'claimed' : 'refused'
      warnStore('claim', answer.error)
    } catch (thrown) {
      warnStore('claim', thrown)
    }
    return 'unclaimed'
  }

  /** After a failed request: the next attempt, by any instance, need not wait out the claim. */
  const releaseClaim = async (key: string): Promise<void> => {
    if (store?.release === undefined) return
    try {
      const answer = await store.release(key, instanceId)
      if (!answer.ok) warnStore('release', answer.error)
    } catch (thrown) {
      warnStore('release', thrown)
    }
  }

  const warnStore = (operation: 'read' | 'write' | 'claim' | 'release', error: unknown): void => {
    tell(() =>
      logger?.warn(`self-token store ${operation} failed; using this container's memory`, {
        operation,
        error: toError(error).message,
      }),
    )
  }

  /**
   * One protected attempt. Thrown (so that the breaker counts it once and does not retry it): an
   * unusable 2xx answer, and an answer that asked for a wait, which the client makes itself.
   */
  const attempt = async (credentials: Credentials, signal: AbortSignal) => {
    const result = await requestToken(credentials, grant, signal)
    if (
      !result.ok &&
      (result.error.code === 'TOKEN_INVALID_RESPONSE' || result.error.retryAfterMs !== undefined)
    ) {
      throw new CountedOnce(result.error)
    }
    return result
  }

  const askOnce = async (
    credentials: Credentials,
    deadline: number | undefined,
  ): Promise<Result<SelfToken, TokenError>> => {
    if (breaker === undefined) return requestToken(credentials, grant, undefined)
    const protect = (signal: AbortSignal) => attempt(credentials, signal)
    const result = await (deadline === undefined
      ? breaker.execute(protect)
      : breaker.execute(protect, { deadline }))
    return result.ok ? result : err(fromBreaker(result.error))
  }

  /**
   * The endpoint, with retries of retryable failures: after the wait an answer asked for
   * (`Retry-After`), else after a full-jitter backoff (without a breaker; with one, its policy
   * retried those). No wait ends at or past `until`; the attempts stop instead.
   */
  const callEndpoint = async (
    credentials: Credentials,
    deadline: number | undefined,
    until: number,
  ): Promise<Result<SelfToken, TokenError>> => {
    for (let tries = 0; ; tries++) {
      const result = await askOnce(credentials, deadline)
      if (result.ok || !result.error.retryable || tries >= retries) return result
      const asked = result.error.retryAfterMs
      if (asked === undefined && breaker !== undefined) return result
      const wait = asked ?? Math.floor(random() * Math.min(2_000, retryBaseDelayMs * 2 ** tries))
      if (clock() + wait >= until) return result
      await sleep(wait)
    }
  }

  /**
   * True for a token that may be handed out at `now`: before its usable end, and not one a
   * resource server refused since the refresh began (`invalidate()`).
   */
  const usable = (entry: Entry | undefined, now: number): entry is Entry =>
    entry !== undefined && now < entry.usableUntil && entry.token.accessToken !== rejected

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
      memory = { ...best, refreshAt: Math.min(best.usableUntil, now + retryIn) }
    }
    return best.result
  }

  /** The stored token, when it is one this instance may take (not refused, newer than `than`). */
  const takeable = (stored: SelfToken | undefined, than: Entry | undefined): Entry | undefined => {
    if (stored === undefined || stored.accessToken === rejected) return undefined
    if (than !== undefined && stored.expiresAt <= than.token.expiresAt) return undefined
    return { ...planRefresh(stored, policy, random), token: stored, result: ok(stored) }
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
      const found = takeable(await readStore(key), than)
      if (found !== undefined && clock() < found.usableUntil) return found
      const claim = await claimRefresh(key, replaces)
      if (claim !== 'refused') return claim
    }
    return 'unclaimed'
  }

  /**
   * Renews the token. `deadline` is the waiting caller's (none for a refresh behind an answer);
   * `answer` gives the callers waiting a usable token found on the way (the store's, due for
   * refresh here too), while the request goes on behind it.
   */
  const refresh = async (
    deadline: number | undefined,
    answer: (entry: Entry) => void,
  ): Promise<Result<SelfToken, TokenError>> => {
    const mine = generation
    const startedAt = clock()
    const keep = (entry: Entry): Result<SelfToken, TokenError> => {
      if (mine === generation) memory = entry
      return entry.result
    }
    let best = memory
    const credentials = await loadCredentials()
    if (!credentials.ok) return fallBack(best, credentials.error, mine === generation)
    const key = keyOf(credentials.value)
    const stored = await readStore(key)
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
    let claim = await claimRefresh(key, replaces)
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
    const result = await callEndpoint(credentials.value, deadline, until)
    if (!result.ok) {
      if (claim === 'claimed') await releaseClaim(key)
      return fallBack(best, result.error, mine === generation)
    }
    if (mine === generation) remember(result.value)
    await writeStore(key, result.value)
    return result
  }

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
    const entry = memory
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
    const token = accessToken ?? memory?.token.accessToken
    if (token === undefined) return
    rejected = token
    if (memory?.token.accessToken === token) memory = undefined
  }

  const reset = (): void => {
    generation += 1
    memory = undefined
    inflight = undefined
    rejected = undefined
  }

  return { get, settled, invalidate, reset }
}

const clients = new WeakMap<SelfTokenOptions, SelfTokenClient>()

/**
 * The token for `config`, from a client kept per options object in a per-container registry:
 * call it with the same object (defined once, at module scope) to share one cache. Use it
 * outside Middy; inside, `selfToken()` puts the token on the context.
 *
 * @example
 * ```ts
 * const identity = { tokenEndpoint, clientId, clientSecret, scope: 'inventory:read' }
 * export const handler = async () => {
 *   const token = await getSelfToken(identity)
 *   if (!token.ok) throw token.error
 *   return callInventory(token.value.accessToken)
 * }
 * ```
 */
export const getSelfToken = (
  config: SelfTokenOptions | SelfTokenClient,
): Promise<Result<SelfToken, TokenError>> => {
  if (isClient(config)) return config.get()
  let client = clients.get(config)
  if (client === undefined) {
    client = selfTokenClient(config)
    clients.set(config, client)
  }
  return client.get()
}

/** True for a {@link SelfTokenClient} (rather than its options). */
export const isClient = (value: SelfTokenOptions | SelfTokenClient): value is SelfTokenClient =>
  typeof (value as Partial<SelfTokenClient>).get === 'function'

/** Resets the client `getSelfToken()` keeps for `config` (for tests). */
export const resetSelfToken = (config: SelfTokenOptions): void => {
  clients.get(config)?.reset()
}
