/**
 * The token endpoint as the client calls it: the credentials resolved, one grant request through
 * the optional circuit breaker, and the retries of retryable failures (a `Retry-After` wait, else
 * the shared full-jitter backoff), never past the caller's deadline.
 * @module
 */
import { backoff, retry } from '../internal/backoff.ts'
import { toError } from '../internal/result.ts'
import { err, ok, type Result } from '../result/index.ts'
import { type Credentials, credentialResolver } from './credentials.ts'
import { TokenError } from './errors.ts'
import { requestToken } from './grant.ts'
import type { ClientSettings, SelfTokenOptions } from './options.ts'
import type { SelfToken } from './store.ts'

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

/** The endpoint of one client. */
export interface Endpoint {
  /** The endpoint URL, client id and secret, resolved from their sources. */
  loadCredentials(): Promise<Result<Credentials, TokenError>>
  /**
   * The endpoint, with retries of retryable failures: after the wait an answer asked for
   * (`Retry-After`), else after a full-jitter backoff (without a breaker; with one, its policy
   * retried those). No wait ends at or past `until`; the attempts stop instead.
   */
  call(
    credentials: Credentials,
    deadline: number | undefined,
    until: number,
  ): Promise<Result<SelfToken, TokenError>>
}

/**
 * The endpoint of the client with `options` (its credential sources) and `settings`.
 *
 * @example
 * ```ts
 * const endpoint = tokenEndpoint(options, clientSettings(options))
 * const credentials = await endpoint.loadCredentials()
 * if (credentials.ok) await endpoint.call(credentials.value, undefined, Date.now() + 10_000)
 * ```
 */
export const tokenEndpoint = (options: SelfTokenOptions, settings: ClientSettings): Endpoint => {
  const { breaker, grant, clock, random, sleep, retries, retryBaseDelayMs } = settings
  const resolve = credentialResolver(options.parameters)

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

  /** The wait before retry `n` after `result`, or `undefined` when no retry may help. */
  const delay = (result: Result<SelfToken, TokenError>, n: number): number | undefined => {
    if (result.ok || !result.error.retryable) return undefined
    const asked = result.error.retryAfterMs
    if (asked === undefined && breaker !== undefined) return undefined
    return asked ?? backoff(n, retryBaseDelayMs, 2_000, random)
  }

  const call: Endpoint['call'] = async (credentials, deadline, until) =>
    retry(await askOnce(credentials, deadline), {
      retries,
      delay,
      attempt: () => askOnce(credentials, deadline),
      until,
      clock,
      sleep,
    })

  return { loadCredentials, call }
}
