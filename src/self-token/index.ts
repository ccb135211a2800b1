/**
 * `metis-app/self-token`: this service's own OAuth2 access token (client-credentials grant),
 * shared by its instances and refreshed early, with the token endpoint behind a circuit breaker.
 *
 * - {@link selfTokenClient} owns the per-container cache: `get()` answers the token from memory,
 *   else from a shared {@link TokenStore}, else from the endpoint (one request for all concurrent
 *   callers), refreshing at a random point of a window before expiry that scales with the
 *   token's lifetime, behind the answer while the cached token is usable. Make one client per
 *   container (at module scope) and call `get()` anywhere, with or without Middy.
 * - {@link selfToken} is the Middy middleware: `context.selfToken.get()`.
 * - Stores: {@link memoryTokenStore}, {@link dynamoDbTokenStore} (conditional writes keep the
 *   newest token), or your own `{ read, write }` answering Results.
 * - Credentials: strings, functions, SSM or Secrets Manager (through
 *   `@aws-lambda-powertools/parameters`, loaded only when used); {@link credentialsFromEnv} reads
 *   the seed's `client_id`, `client_secret`, `identity_token_endpoint`.
 * - Failures are {@link TokenError}s (502/503/504, never exposed, never holding a secret).
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import { circuitBreaker } from 'metis-app/circuit'
 * import { credentialsFromEnv, selfToken, type SelfTokenContext } from 'metis-app/self-token'
 *
 * export const handler = middy<unknown, unknown, Error, Context & SelfTokenContext>()
 *   .use(selfToken({ ...credentialsFromEnv(), scope: 'inventory:read', breaker: circuitBreaker({ name: 'idp' }) }))
 *   .handler(async (_event, context) => callInventory(await context.selfToken.authorization()))
 * ```
 * @module
 */

export type { Logger } from '../internal/logger.ts'
export { type SelfTokenClient, selfTokenClient } from './client.ts'
export {
  type CredentialSource,
  credentialsFromEnv,
  type EnvCredentials,
  type ParameterProvider,
  type ParameterProviders,
  type SecretsManagerSource,
  type SsmSource,
} from './credentials.ts'
export { type DynamoDbTokenStoreOptions, dynamoDbTokenStore } from './dynamodb.ts'
export { TokenError, type TokenErrorCode, type TokenErrorOptions } from './errors.ts'
export type { ClientAuthMethod } from './grant.ts'
export {
  type SelfTokenAccessor,
  type SelfTokenContext,
  type SelfTokenMiddlewareOptions,
  selfToken,
} from './middleware.ts'
export type {
  GetTokenOptions,
  SelfTokenOptions,
  TokenBreaker,
} from './options.ts'
export {
  type MemoryTokenStore,
  memoryTokenStore,
  type RefreshClaim,
  type SelfToken,
  type TokenStore,
} from './store.ts'
export type { Duration, RefreshPlan, RefreshPolicy } from './window.ts'
