/**
 * `metis-app/parameters`: configuration and secrets from SSM Parameter Store and Secrets Manager,
 * through `@aws-lambda-powertools/parameters`, on `context.parameters` (and, when asked, in
 * `process.env`), cached per container.
 *
 * Install the peers: `@aws-lambda-powertools/parameters @aws-sdk/client-ssm`, and
 * `@aws-sdk/client-secrets-manager` for secrets. Importing this subpath loads none of them: the
 * first load imports Powertools.
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import { parameters } from 'metis-app/parameters'
 *
 * interface Config {
 *   db: { url: string }
 *   apiKey: string
 * }
 *
 * export const handler = middy()
 *   .use(parameters<Config>({ paths: '/orders', secrets: { apiKey: 'orders/api-key' } }))
 *   .handler(async (_event, context) => {
 *     const { db, apiKey } = context.parameters // /orders/db/url is db.url
 *     return { statusCode: 200, body: JSON.stringify({ db: db.url, keyLength: apiKey.length }) }
 *   })
 * ```
 * @module
 */

export type { Logger } from '../internal/logger.ts'
export {
  ParametersError,
  type ParametersErrorCode,
  type ParametersErrorDetails,
} from './errors.ts'
export type { ParameterTree, ParameterValue } from './layout.ts'
export type {
  ParametersProviders,
  SecretReference,
  SecretsParametersProvider,
  SsmParametersProvider,
} from './load.ts'
export {
  type AskedParameters,
  type LiteralKeys,
  type NamedParameters,
  type NamedSecrets,
  type ParametersContext,
  type ParametersMiddleware,
  type ParametersOptions,
  parameters,
  type SecretSource,
} from './middleware.ts'
export { type PutParameterOptions, putParameter, type SsmClientLike } from './put.ts'
