/**
 * The self-token client's options: what a caller may set, their defaults, and their checks at
 * creation (a bad setting fails when the function starts, not at the first refresh).
 * @module
 */

import { type Sleep, sleep as timerSleep } from '../internal/backoff.ts'
import { type Logger, loggerOption } from '../internal/logger.ts'
import { choiceOption, numberOption } from '../internal/options.ts'
import type { Result } from '../result/index.ts'
import {
  type CredentialSource,
  type Credentials,
  checkCredentialSource,
  type ParameterProviders,
} from './credentials.ts'
import type { ClientAuthMethod, GrantOptions } from './grant.ts'
import type { TokenStore } from './store.ts'
import { DEFAULT_SKEW_MS, planRefresh, type RefreshPolicy } from './window.ts'

/**
 * The circuit breaker the token endpoint goes through: `circuitBreaker()` of `metis-app/circuit`,
 * or anything with its `execute` (called with a function of an `AbortSignal` that answers a Result,
 * and with `{ deadline }` when the caller gave one; answers a Result and never rejects).
 *
 * @example
 * ```ts
 * const breaker: TokenBreaker = circuitBreaker({ name: 'token-endpoint', timeoutMs: 3_000 })
 * const tokens = selfTokenClient({ ...credentialsFromEnv(), breaker })
 * ```
 */
export interface TokenBreaker {
  execute<T, E>(
    fn: (signal: AbortSignal) => Promise<Result<T, E>>,
    options?: { deadline?: number },
  ): Promise<Result<T, E | Error>>
}

/**
 * Options of {@link selfTokenClient}.
 *
 * @example
 * ```ts
 * const options: SelfTokenOptions = {
 *   tokenEndpoint: 'https://id.example.com/oauth2/token', clientId: 'orders',
 *   clientSecret: { ssm: '/orders/client-secret' }, scope: ['inventory:read'],
 * }
 * ```
 */
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
  logger?: Logger
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

/**
 * Options of one {@link SelfTokenClient.get} call: how long its caller can wait.
 *
 * @example
 * ```ts
 * const options: GetTokenOptions = { remainingTime: () => context.getRemainingTimeInMillis() }
 * const result = await tokens.get(options)
 * ```
 */
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

/** {@link SelfTokenOptions} checked, with their defaults filled in. */
export interface ClientSettings {
  readonly clock: () => number
  readonly random: () => number
  readonly sleep: Sleep
  readonly store: TokenStore | undefined
  readonly breaker: TokenBreaker | undefined
  readonly logger: Logger | undefined
  readonly instanceId: string
  readonly policy: RefreshPolicy
  readonly retries: number
  readonly retryBaseDelayMs: number
  readonly refreshRetryDelayMs: number
  readonly refreshClaimMs: number
  readonly grant: GrantOptions
  /** The store key of the token for `credentials`. */
  keyOf(credentials: Credentials): string
}

const list = (value: string | readonly string[] | undefined): string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : [...value]

const nonNegative = (name: string, value: number): number => {
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new TypeError(`selfTokenClient: ${name} must be a finite number >= 0`)
  }
  return value
}

/** The defaults of {@link SelfTokenOptions}, in one place. */
const defaults = {
  clockSkewMs: DEFAULT_SKEW_MS,
  retries: 2,
  retryBaseDelayMs: 100,
  refreshRetryDelayMs: 5_000,
  timeoutMs: 5_000,
  defaultLifetimeMs: 300_000,
  authMethod: 'client_secret_basic',
} as const

/** Checks `options` and fills in the defaults; throws a TypeError naming a bad option. */
export const clientSettings = (options: SelfTokenOptions): ClientSettings => {
  const clock = options.clock ?? Date.now
  checkCredentialSource('selfTokenClient', 'tokenEndpoint', options.tokenEndpoint, true)
  checkCredentialSource('selfTokenClient', 'clientId', options.clientId)
  checkCredentialSource('selfTokenClient', 'clientSecret', options.clientSecret)
  const instanceId = options.instanceId ?? globalThis.crypto.randomUUID()
  const policy: RefreshPolicy = {
    expiryThresholdMs: options.expiryThresholdMs,
    windowWidthMs: options.windowWidthMs,
    clockSkewMs: nonNegative('clockSkewMs', options.clockSkewMs ?? defaults.clockSkewMs),
  }
  const retries = nonNegative('retries', options.retries ?? defaults.retries)
  const retryBaseDelayMs = nonNegative(
    'retryBaseDelayMs',
    options.retryBaseDelayMs ?? defaults.retryBaseDelayMs,
  )
  const refreshRetryDelayMs = nonNegative(
    'refreshRetryDelayMs',
    options.refreshRetryDelayMs ?? defaults.refreshRetryDelayMs,
  )
  const refreshClaimMs = nonNegative(
    'refreshClaimMs',
    options.refreshClaimMs ?? 2 * (options.timeoutMs ?? defaults.timeoutMs),
  )
  const scope = list(options.scope).join(' ')
  const resource = list(options.resource)
  const grant: GrantOptions = {
    authMethod: choiceOption(
      'selfTokenClient',
      'authMethod',
      options.authMethod,
      ['client_secret_basic', 'client_secret_post'],
      defaults.authMethod,
    ),
    scope: scope === '' ? undefined : scope,
    audience: options.audience,
    resource,
    extraParams: options.extraParams ?? {},
    timeout: numberOption('selfTokenClient', 'timeoutMs', options.timeoutMs, defaults.timeoutMs, {
      min: 1,
    }),
    defaultLifetimeMs: nonNegative(
      'defaultLifetimeMs',
      options.defaultLifetimeMs ?? defaults.defaultLifetimeMs,
    ),
    clock,
    fetch: options.fetch,
  }
  // Checked now, so that a bad setting fails at creation rather than at the first refresh.
  planRefresh({ issuedAt: 0, expiresAt: 600_000 }, policy, () => 0)
  const keyOf = (credentials: Credentials): string =>
    options.storeKey ??
    [
      credentials.clientId,
      credentials.tokenEndpoint,
      scope,
      options.audience ?? '',
      ...resource,
    ].join('|')
  return {
    clock,
    random: options.random ?? Math.random,
    sleep: options.sleep ?? timerSleep,
    store: options.store,
    breaker: options.breaker,
    logger: loggerOption('selfTokenClient', options.logger, false),
    instanceId,
    policy,
    retries,
    retryBaseDelayMs,
    refreshRetryDelayMs,
    refreshClaimMs,
    grant,
    keyOf,
  }
}
