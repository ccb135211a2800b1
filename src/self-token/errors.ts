/**
 * The error of `metis-app/self-token`.
 * @module
 */
import { AppError } from '../errors/index.ts'

/**
 * The stable codes of a {@link TokenError}.
 *
 * @example
 * ```ts
 * const isConfigurationProblem = (code: TokenErrorCode): boolean =>
 *   code === 'TOKEN_INVALID_CLIENT' || code === 'TOKEN_CREDENTIALS_ERROR'
 * ```
 */
export type TokenErrorCode =
  /** The token endpoint answered 5xx (or 408): worth another attempt. */
  | 'TOKEN_ENDPOINT_ERROR'
  /** The token endpoint answered 429. */
  | 'TOKEN_RATE_LIMITED'
  /** The endpoint refused the client (`invalid_client`, or 401): a configuration problem. */
  | 'TOKEN_INVALID_CLIENT'
  /** Any other 4xx (`invalid_scope`, `invalid_grant`, `unauthorized_client`, ...). */
  | 'TOKEN_REQUEST_REJECTED'
  /** A success status with an unusable body (HTML, no `access_token`, not Bearer, ...). */
  | 'TOKEN_INVALID_RESPONSE'
  /** No answer within the timeout. */
  | 'TOKEN_ENDPOINT_TIMEOUT'
  /** The connection failed (refused, reset, DNS). */
  | 'TOKEN_ENDPOINT_UNREACHABLE'
  /** The circuit breaker is open: the endpoint was not called. */
  | 'TOKEN_CIRCUIT_OPEN'
  /** The client id, secret or endpoint could not be loaded (a function threw, SSM failed). */
  | 'TOKEN_CREDENTIALS_ERROR'
  /**
   * Something the client called threw where it should not have (a refresh policy function, a
   * logger, a breaker that rejects): a bug to fix; `cause` keeps its message.
   */
  | 'TOKEN_CLIENT_ERROR'

/**
 * Options of {@link TokenError}.
 *
 * @example
 * ```ts
 * const options: TokenErrorOptions = { retryable: true, upstreamStatus: 503, retryAfterMs: 2_000 }
 * throw new TokenError('TOKEN_ENDPOINT_ERROR', 'The token endpoint answered 503', options)
 * ```
 */
export interface TokenErrorOptions {
  /** Whether another attempt may succeed (5xx, 429, network, timeout). Default false. */
  retryable?: boolean
  /** The token endpoint's HTTP status, when it answered. */
  upstreamStatus?: number
  /** The OAuth2 `error` code of the answer (`invalid_client`), when it gave one. */
  oauthError?: string
  /** How long a 429 or 503 asked the client to wait (its `Retry-After`), ms. */
  retryAfterMs?: number
  /** What went wrong underneath: never a request, a response body or a credential. */
  cause?: unknown
}

const statusOf: Readonly<Record<TokenErrorCode, number>> = {
  TOKEN_ENDPOINT_ERROR: 502,
  TOKEN_RATE_LIMITED: 503,
  TOKEN_INVALID_CLIENT: 502,
  TOKEN_REQUEST_REJECTED: 502,
  TOKEN_INVALID_RESPONSE: 502,
  TOKEN_ENDPOINT_TIMEOUT: 504,
  TOKEN_ENDPOINT_UNREACHABLE: 503,
  TOKEN_CIRCUIT_OPEN: 503,
  TOKEN_CREDENTIALS_ERROR: 500,
  TOKEN_CLIENT_ERROR: 500,
}

/**
 * The self token could not be obtained. An {@link AppError} (502, 503 or 504 by `code`; 500 for
 * credentials that could not be loaded and for a bug, `TOKEN_CLIENT_ERROR`), never exposed to clients: its problem response shows only
 * the status. Its message, `details` and `cause` never hold the client secret, a token or the
 * endpoint's response body. `retryable` tells 5xx, 429, network and timeout failures (worth
 * another attempt, counted by the circuit breaker) from answers such as `invalid_client`.
 *
 * @example
 * ```ts
 * const result = await tokens.get()
 * if (!result.ok && result.error.code === 'TOKEN_INVALID_CLIENT') logger.error('check the client secret')
 * ```
 */
export class TokenError extends AppError {
  /** True when another attempt may succeed. */
  readonly retryable: boolean
  /** The token endpoint's HTTP status, when it answered. */
  readonly upstreamStatus: number | undefined
  /** The OAuth2 `error` code of the answer, when it gave one. */
  readonly oauthError: string | undefined
  /**
   * How long the endpoint asked the client to wait before the next request, ms: the
   * `Retry-After` of a 429 or 503 (delta seconds or an HTTP-date, 0 for a date past), when it
   * sent one that parses.
   */
  readonly retryAfterMs: number | undefined

  constructor(code: TokenErrorCode, message: string, options: TokenErrorOptions = {}) {
    const details: Record<string, unknown> = {}
    if (options.upstreamStatus !== undefined) details.upstreamStatus = options.upstreamStatus
    if (options.oauthError !== undefined) details.oauthError = options.oauthError
    if (options.retryAfterMs !== undefined) details.retryAfterMs = options.retryAfterMs
    super(statusOf[code], message, { code, expose: false, details, cause: options.cause })
    this.retryable = options.retryable ?? false
    this.upstreamStatus = options.upstreamStatus
    this.oauthError = options.oauthError
    this.retryAfterMs = options.retryAfterMs
  }
}
