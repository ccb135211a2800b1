/**
 * One client-credentials grant (RFC 6749 section 4.4) with `ky`, and the validation of its answer.
 * @module
 */
import { asNumber, asRecord, asString } from '../internal/guards.ts'
import { err, ok, type Result } from '../result/index.ts'
import type { Credentials } from './credentials.ts'
import { TokenError } from './errors.ts'
import type { SelfToken } from './store.ts'

/**
 * How the client authenticates at the token endpoint (RFC 6749 section 2.3.1).
 *
 * @example
 * ```ts
 * const authMethod: ClientAuthMethod = 'client_secret_post'
 * const tokens = selfTokenClient({ ...credentialsFromEnv(), authMethod })
 * ```
 */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post'

/** What a grant asks for, and how. */
export interface GrantOptions {
  /** Default `client_secret_basic`. */
  authMethod: ClientAuthMethod
  /** Space-separated scopes. */
  scope: string | undefined
  /** The `audience` parameter (Auth0, Okta and others). */
  audience: string | undefined
  /** `resource` parameters (RFC 8707 resource indicators). */
  resource: readonly string[]
  /** More form parameters. */
  extraParams: Readonly<Record<string, string>>
  /** Per-request time limit in ms. */
  timeout: number
  /** Lifetime in ms of a token whose answer has no `expires_in` and which is no JWT with `exp`. */
  defaultLifetimeMs: number
  /** Epoch ms. */
  clock: () => number
  /** The `fetch` ky uses. */
  fetch: typeof globalThis.fetch | undefined
}

/** The largest answer read, in characters; a token answer is far smaller. */
const MAX_BODY = 65_536

/**
 * The longest believable token lifetime, ms (a year): beyond it (`expires_in: 1e306`, a JWT `exp`
 * of 1e306, both an infinite expiry) the answer is refused rather than trusted for ever.
 */
const MAX_LIFETIME = 365 * 86_400_000

/** RFC 6749 appendix B: form-urlencode, the step before base64 in `client_secret_basic`. */
const formEncode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2)

/** The `Authorization` header of `client_secret_basic`. */
export const basicAuthorization = (clientId: string, clientSecret: string): string =>
  `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`

let kyModule: Promise<typeof import('ky')> | undefined

/**
 * Requests a token. Never rejects: every failure is a {@link TokenError}, whose `retryable` says
 * whether another attempt may help. Nothing secret reaches the error.
 */
export const requestToken = async (
  credentials: Credentials,
  options: GrantOptions,
  signal: AbortSignal | undefined,
): Promise<Result<SelfToken, TokenError>> => {
  const body = new URLSearchParams({ grant_type: 'client_credentials' })
  const headers: Record<string, string> = { accept: 'application/json' }
  if (options.authMethod === 'client_secret_basic') {
    headers.authorization = basicAuthorization(credentials.clientId, credentials.clientSecret)
  } else {
    body.set('client_id', credentials.clientId)
    body.set('client_secret', credentials.clientSecret)
  }
  if (options.scope !== undefined) body.set('scope', options.scope)
  if (options.audience !== undefined) body.set('audience', options.audience)
  for (const resource of options.resource) body.append('resource', resource)
  for (const [name, value] of Object.entries(options.extraParams)) body.set(name, value)

  const timeout = AbortSignal.timeout(options.timeout)
  const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout])
  let status: number
  let text: string
  let receivedAt: number
  let retryAfter: string | null
  try {
    // Loaded on first use: an instance that only ever reads a cached token never loads ky.
    kyModule ??= import('ky')
    const { default: ky } = await kyModule
    const response = await ky.post(credentials.tokenEndpoint, {
      body,
      headers,
      signal: combined,
      timeout: false,
      retry: 0,
      throwHttpErrors: false,
      redirect: 'manual',
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    })
    receivedAt = options.clock()
    status = response.status
    retryAfter = response.headers.get('retry-after')
    text = await response.text()
  } catch (thrown) {
    return err(thrownError(thrown, timeout.aborted || combined.aborted, options.timeout))
  }
  if (status >= 200 && status < 300) return parseAnswer(text, status, receivedAt, options)
  const retryAfterMs =
    status === 429 || status === 503 ? retryAfterOf(retryAfter, receivedAt) : undefined
  return err(statusError(status, text, retryAfterMs))
}

/**
 * The wait a `Retry-After` value asks for, ms from `now` (RFC 9110 section 10.2.3): delta seconds,
 * or an HTTP-date (0 once it has passed). Undefined when absent or neither.
 */
const retryAfterOf = (value: string | null, now: number): number | undefined => {
  if (value === null) return undefined
  const text = value.trim()
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000
  // An HTTP-date names its weekday: this keeps Date.parse from taking '-1' or '2026' as a date.
  if (!/^[A-Za-z]{3,9},/.test(text)) return undefined
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** A network failure or a timeout, with a cause that keeps only messages and codes. */
const thrownError = (thrown: unknown, timedOut: boolean, timeout: number): TokenError => {
  const cause = safeCause(thrown)
  if (timedOut) {
    return new TokenError(
      'TOKEN_ENDPOINT_TIMEOUT',
      `The token endpoint did not answer within ${timeout} ms`,
      { retryable: true, cause },
    )
  }
  return new TokenError('TOKEN_ENDPOINT_UNREACHABLE', 'The token endpoint could not be reached', {
    retryable: true,
    cause,
  })
}

/**
 * A copy of what was thrown with its name, message and code only: ky's errors carry the request,
 * whose headers or body hold the client secret.
 */
const safeCause = (thrown: unknown, depth = 0): Error => {
  const source = asRecord(thrown)
  const copy = new Error(asString(source?.message) ?? String(thrown), {
    cause:
      depth < 2 && source?.cause !== undefined ? safeCause(source.cause, depth + 1) : undefined,
  })
  copy.name = asString(source?.name) ?? 'Error'
  const code = asString(source?.code)
  if (code !== undefined) Object.assign(copy, { code })
  return copy
}

/** The OAuth2 `error` code of an answer, when it is a plausible code (never free text). */
const oauthErrorOf = (text: string): string | undefined => {
  const code = asString(asRecord(parseJson(text))?.error)
  return code !== undefined && /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? code : undefined
}

const statusError = (
  status: number,
  text: string,
  retryAfterMs: number | undefined,
): TokenError => {
  const oauthError = oauthErrorOf(text)
  const context = { upstreamStatus: status, ...(oauthError === undefined ? {} : { oauthError }) }
  const said = oauthError === undefined ? '' : ` (${oauthError})`
  if (status === 401 || oauthError === 'invalid_client') {
    return new TokenError(
      'TOKEN_INVALID_CLIENT',
      `The token endpoint refused the client: ${status}${said}`,
      context,
    )
  }
  if (status === 429) {
    return new TokenError('TOKEN_RATE_LIMITED', 'The token endpoint answered 429', {
      ...context,
      retryable: true,
      retryAfterMs,
    })
  }
  if (status >= 500 || status === 408) {
    return new TokenError('TOKEN_ENDPOINT_ERROR', `The token endpoint answered ${status}`, {
      ...context,
      retryable: true,
      retryAfterMs,
    })
  }
  if (status >= 400) {
    return new TokenError(
      'TOKEN_REQUEST_REJECTED',
      `The token endpoint refused the request: ${status}${said}`,
      context,
    )
  }
  return invalid(`unexpected status ${status}`, status)
}

const invalid = (why: string, status: number): TokenError =>
  new TokenError('TOKEN_INVALID_RESPONSE', `The token endpoint's answer is unusable: ${why}`, {
    upstreamStatus: status,
  })

const parseJson = (text: string): unknown => {
  if (text.length > MAX_BODY) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** `expires_in` in seconds: a positive number, or a numeric string (some endpoints send one). */
const expiresInOf = (value: unknown): number | undefined => {
  const seconds = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : asNumber(value)
  return seconds !== undefined && seconds > 0 ? seconds : undefined
}

/**
 * The `exp` of a JWT, in epoch ms, read WITHOUT verifying the signature: only to know when the
 * token expires, never to trust its claims. Undefined for an opaque token.
 */
export const jwtExpiry = (token: string): number | undefined => {
  const parts = token.split('.')
  if (parts.length !== 3 || parts[1] === undefined) return undefined
  try {
    const exp = asNumber(asRecord(JSON.parse(Buffer.from(parts[1], 'base64url').toString()))?.exp)
    return exp === undefined ? undefined : exp * 1000
  } catch {
    return undefined
  }
}

const parseAnswer = (
  text: string,
  status: number,
  receivedAt: number,
  options: GrantOptions,
): Result<SelfToken, TokenError> => {
  const answer = asRecord(parseJson(text))
  if (answer === undefined) return err(invalid('not a JSON object', status))
  const accessToken = asString(answer.access_token)
  if (accessToken === undefined || accessToken === '') {
    return err(invalid('no access_token', status))
  }
  const tokenType = asString(answer.token_type)
  if (tokenType?.toLowerCase() !== 'bearer') return err(invalid('token_type is not Bearer', status))
  const expiresIn = expiresInOf(answer.expires_in)
  const expiresAt =
    expiresIn !== undefined
      ? receivedAt + expiresIn * 1000
      : (jwtExpiry(accessToken) ?? receivedAt + options.defaultLifetimeMs)
  if (!(expiresAt > receivedAt)) return err(invalid('the token has expired already', status))
  if (!(expiresAt - receivedAt <= MAX_LIFETIME)) {
    return err(invalid('the token would live longer than a year', status))
  }
  const scope = asString(answer.scope)
  return ok({
    accessToken,
    tokenType: 'Bearer',
    expiresAt,
    issuedAt: receivedAt,
    ...(scope === undefined ? {} : { scope }),
  })
}
