/**
 * The `selfToken()` Middy middleware: the service's own token on `context.selfToken`.
 * @module
 */
import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import type { Result } from '../result/index.ts'
import { isClient, type SelfTokenClient, selfTokenClient } from './client.ts'
import type { TokenError } from './errors.ts'
import type { GetTokenOptions, SelfTokenOptions } from './options.ts'
import type { SelfToken } from './store.ts'

/**
 * What a handler finds on `context.selfToken`. Holds no token itself, so logging it is safe.
 *
 * @example
 * ```ts
 * const inventory = async (selfToken: SelfTokenAccessor) =>
 *   ky.get(url, { headers: { authorization: await selfToken.authorization() } }).json()
 * ```
 */
export interface SelfTokenAccessor {
  /** The token; rejects with a {@link TokenError} when none can be had. */
  get(): Promise<SelfToken>
  /** The token as a Result; never rejects. */
  result(): Promise<Result<SelfToken, TokenError>>
  /** `Bearer <token>`, for an `Authorization` header; rejects with a {@link TokenError}. */
  authorization(): Promise<string>
  /** Forgets the token (a resource server refused it); the next call requests a new one. */
  invalidate(accessToken?: string): void
}

/**
 * What {@link selfToken} adds to the Lambda context.
 *
 * @example
 * ```ts
 * const app = async (_event: unknown, context: Context & SelfTokenContext) => {
 *   const token = await context.selfToken.get()
 *   return fetch(url, { headers: { authorization: `Bearer ${token.accessToken}` } })
 * }
 * ```
 */
export interface SelfTokenContext {
  /** This service's own access token, fetched on first use. */
  selfToken: SelfTokenAccessor
}

/**
 * Options of the {@link selfToken} middleware (besides the client's).
 *
 * @example
 * ```ts
 * const options: SelfTokenMiddlewareOptions = { eager: true }
 * middy().use(selfToken({ ...credentialsFromEnv(), scope: 'inventory:read' }, options))
 * ```
 */
export interface SelfTokenMiddlewareOptions {
  /**
   * Get the token before the handler runs, and fail the invocation with the `TokenError` (502,
   * 503 or 504, through `@middy/http-error-handler`) when there is none. Default false: the
   * token is fetched on the first `get()`.
   */
  eager?: boolean
}

/** The invocation's remaining time, for the client's deadline, when the context has it. */
const callOptionsOf = (context: Context): GetTokenOptions | undefined =>
  typeof context.getRemainingTimeInMillis === 'function'
    ? { remainingTime: () => context.getRemainingTimeInMillis() }
    : undefined

const accessorOf = (
  client: SelfTokenClient,
  callOptions: GetTokenOptions | undefined,
): SelfTokenAccessor => {
  const get = async (): Promise<SelfToken> => {
    const result = await client.get(callOptions)
    if (!result.ok) throw result.error
    return result.value
  }
  return Object.freeze({
    get,
    result: () => client.get(callOptions),
    authorization: async () => `Bearer ${(await get()).accessToken}`,
    invalidate: (accessToken?: string) => client.invalidate(accessToken),
  })
}

/**
 * Middy middleware: puts {@link SelfTokenAccessor} on `context.selfToken`, over a client created
 * from `source` (or the client given), once per container.
 *
 * The accessor passes the invocation's remaining time (`context.getRemainingTimeInMillis()`) to
 * the client as its deadline: no wait between attempts (a backoff, a `Retry-After`) runs past it.
 *
 * Lazy by default: `before` only sets the accessor, and the token is fetched on the first
 * `context.selfToken.get()`. An invocation that never calls another service then costs no token
 * request and no store read, and a token endpoint outage fails only the invocations that need a
 * token, where the handler can decide (serve from a cache, answer 503). `eager: true` gets the
 * token in `before` instead, so that a missing token fails the invocation before the handler
 * starts any work; choose it when every invocation calls out.
 *
 * @example
 * ```ts
 * export const handler = middy<APIGatewayProxyEventV2, unknown, Error, Context & SelfTokenContext>()
 *   .use(httpErrorHandler())
 *   .use(selfToken({ ...credentialsFromEnv(), scope: 'inventory:read', breaker }))
 *   .handler(async (event, context) => {
 *     const stock = await ky.get(url, { headers: { authorization: await context.selfToken.authorization() } }).json()
 *     return { statusCode: 200, body: JSON.stringify(stock) }
 *   })
 * ```
 */
export const selfToken = (
  source: SelfTokenOptions | SelfTokenClient,
  options: SelfTokenMiddlewareOptions = {},
): MiddlewareObj<unknown, unknown, Error, Context & SelfTokenContext> => {
  const client = isClient(source) ? source : selfTokenClient(source)

  const selfTokenBefore = (request: { context: Context & Partial<SelfTokenContext> }) => {
    request.context.selfToken = accessorOf(client, callOptionsOf(request.context))
  }

  const selfTokenEagerBefore = async (request: {
    context: Context & Partial<SelfTokenContext>
  }) => {
    const callOptions = callOptionsOf(request.context)
    const result = await client.get(callOptions)
    if (!result.ok) throw result.error
    request.context.selfToken = accessorOf(client, callOptions)
  }

  return {
    name: 'metis-app/self-token',
    before: options.eager === true ? selfTokenEagerBefore : selfTokenBefore,
  }
}
