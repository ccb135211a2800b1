/**
 * Where the client id, the client secret and the token endpoint come from: strings, functions, or
 * SSM Parameter Store / Secrets Manager through `@aws-lambda-powertools/parameters`.
 * @module
 */
import { optionError, textOption, urlOption } from '../internal/options.ts'
import { toError } from '../internal/result.ts'
import { err, ok, type Result } from '../result/index.ts'
import { TokenError } from './errors.ts'

/**
 * An SSM parameter, read with Powertools' `SSMProvider` (decrypted; cached `maxAgeMs`).
 *
 * @example
 * ```ts
 * const clientSecret: SsmSource = { ssm: '/orders/client-secret', maxAgeMs: 600_000 }
 * ```
 */
export interface SsmSource {
  /** The parameter name (`/orders/client-secret`). */
  readonly ssm: string
  /** How long Powertools keeps the value, in ms (whole seconds, rounded up). Default 300,000. */
  readonly maxAgeMs?: number
}

/**
 * A Secrets Manager secret, read with Powertools' `SecretsProvider` (cached `maxAgeMs`).
 *
 * @example
 * ```ts
 * const clientSecret: SecretsManagerSource = { secretsManager: 'orders/oauth', field: 'secret' }
 * ```
 */
export interface SecretsManagerSource {
  /** The secret's name or ARN. */
  readonly secretsManager: string
  /** For a JSON secret: the field that holds the value (`client_secret`). */
  readonly field?: string
  /** How long Powertools keeps the value, in ms (whole seconds, rounded up). Default 300,000. */
  readonly maxAgeMs?: number
}

/**
 * A credential: a string, a function (sync or async, called when a token is requested), or a
 * reference to an SSM parameter or a Secrets Manager secret.
 *
 * @example
 * ```ts
 * const clientSecret: CredentialSource = process.env.CLIENT_SECRET ?? { ssm: '/orders/secret' }
 * ```
 */
export type CredentialSource =
  | string
  | (() => string | Promise<string>)
  | SsmSource
  | SecretsManagerSource

/**
 * The `get` of a Powertools parameters provider (`SSMProvider`, `SecretsProvider`), or anything
 * shaped like it.
 *
 * @example
 * ```ts
 * // A stub for tests: answers the one parameter the client reads.
 * const ssm: ParameterProvider = {
 *   get: async (name) => (name === '/orders/client-secret' ? 'test-secret' : undefined),
 * }
 * ```
 */
export interface ParameterProvider {
  get(name: string, options?: { maxAge?: number; decrypt?: boolean }): Promise<unknown>
}

/**
 * Providers to use instead of Powertools' defaults (your own clients, or stubs in tests).
 *
 * @example
 * ```ts
 * const parameters: ParameterProviders = { ssm: new SSMProvider({ clientConfig: { region } }) }
 * const tokens = selfTokenClient({ ...options, parameters })
 * ```
 */
export interface ParameterProviders {
  ssm?: ParameterProvider
  secretsManager?: ParameterProvider
}

/** The resolved credentials of one token request. */
export interface Credentials {
  readonly tokenEndpoint: string
  readonly clientId: string
  readonly clientSecret: string
}

const DEFAULT_MAX_AGE_MS = 300_000

/** Powertools' `maxAge` is in whole seconds. */
const maxAgeOf = (source: { readonly maxAgeMs?: number }): number =>
  Math.ceil((source.maxAgeMs ?? DEFAULT_MAX_AGE_MS) / 1000)

/**
 * Checks a credential source when the client is created: a non-empty string (an http(s) URL for
 * the token endpoint), a function, `{ ssm }` or `{ secretsManager }` with a name.
 */
export const checkCredentialSource = (
  factory: string,
  name: string,
  source: unknown,
  url = false,
): void => {
  if (typeof source === 'function') return
  if (typeof source === 'string') {
    if (url) urlOption(factory, name, source)
    else textOption(factory, name, source)
    return
  }
  const reference = source as Partial<SsmSource & SecretsManagerSource> | null | undefined
  if (reference?.ssm !== undefined) textOption(factory, `${name}.ssm`, reference.ssm)
  else if (reference?.secretsManager !== undefined) {
    textOption(factory, `${name}.secretsManager`, reference.secretsManager)
  } else {
    throw optionError(
      factory,
      `${name} must be a string, a function, { ssm: name } or { secretsManager: name }`,
    )
  }
}

/** Resolves credential sources; Powertools is imported on first use of an SSM or Secrets Manager source. */
export const credentialResolver = (providers: ParameterProviders = {}) => {
  let ssm: Promise<ParameterProvider> | undefined
  let secrets: Promise<ParameterProvider> | undefined

  const ssmProvider = (): Promise<ParameterProvider> => {
    ssm ??= providers.ssm
      ? Promise.resolve(providers.ssm)
      : import('@aws-lambda-powertools/parameters/ssm').then((m) => new m.SSMProvider())
    return ssm
  }
  const secretsProvider = (): Promise<ParameterProvider> => {
    secrets ??= providers.secretsManager
      ? Promise.resolve(providers.secretsManager)
      : import('@aws-lambda-powertools/parameters/secrets').then((m) => new m.SecretsProvider())
    return secrets
  }

  const load = async (source: CredentialSource): Promise<unknown> => {
    if (typeof source === 'string') return source
    if (typeof source === 'function') return source()
    if ('ssm' in source) {
      const provider = await ssmProvider()
      return provider.get(source.ssm, { maxAge: maxAgeOf(source), decrypt: true })
    }
    const provider = await secretsProvider()
    const value = await provider.get(source.secretsManager, {
      maxAge: maxAgeOf(source),
    })
    return source.field === undefined ? value : fieldOf(value, source.field)
  }

  /** The value of one source, or a credentials error that names the source, never its value. */
  const resolve = async (
    name: string,
    source: CredentialSource,
  ): Promise<Result<string, TokenError>> => {
    try {
      const value = await load(source)
      if (typeof value === 'string' && value !== '') return ok(value)
      return err(new TokenError('TOKEN_CREDENTIALS_ERROR', `${name} is empty or not a string`))
    } catch (thrown) {
      // The cause is kept for its message only: a provider's error may carry the request.
      const cause = new Error(toError(thrown).message)
      return err(
        new TokenError('TOKEN_CREDENTIALS_ERROR', `${name} could not be loaded`, {
          retryable: true,
          cause,
        }),
      )
    }
  }

  return resolve
}

const fieldOf = (value: unknown, field: string): unknown => {
  let parsed = value
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value)
    } catch {
      // JSON.parse quotes the text it failed on: that text is the secret.
      throw new Error(`the secret is not JSON, so it has no field ${field}`)
    }
  }
  return typeof parsed === 'object' && parsed !== null
    ? (parsed as Record<string, unknown>)[field]
    : undefined
}

/** A credential source from an environment value: `ssm:<name>`, `secretsmanager:<id>[#field]`, or the value. */
const sourceOf = (value: string): CredentialSource => {
  if (value.startsWith('ssm:')) return { ssm: value.slice(4) }
  if (value.startsWith('secretsmanager:')) {
    const [id = '', field] = value.slice(15).split('#', 2)
    return field === undefined ? { secretsManager: id } : { secretsManager: id, field }
  }
  return value
}

/**
 * The credentials options {@link credentialsFromEnv} produces.
 *
 * @example
 * ```ts
 * const credentials: EnvCredentials = credentialsFromEnv()
 * const tokens = selfTokenClient({ ...credentials, scope: 'inventory:read' })
 * ```
 */
export interface EnvCredentials {
  tokenEndpoint: string
  clientId: CredentialSource
  clientSecret: CredentialSource
}

/**
 * The seed's environment protocol: `identity_token_endpoint`, `client_id` and `client_secret`
 * (or their upper-case forms), as options for `selfTokenClient()`. A value `ssm:/name` reads an
 * SSM parameter, `secretsmanager:id` (or `secretsmanager:id#field` for a JSON secret) a Secrets
 * Manager secret; anything else is the value itself. Read once, when called.
 *
 * @throws TypeError naming the missing variables (never their values).
 *
 * @example
 * ```ts
 * // client_id=orders, client_secret=ssm:/orders/client-secret, identity_token_endpoint=https://id/token
 * const tokens = selfTokenClient({ ...credentialsFromEnv(), scope: 'inventory:read' })
 * ```
 */
export const credentialsFromEnv = (
  env: Readonly<Record<string, string | undefined>> = process.env,
): EnvCredentials => {
  const read = (name: string): string | undefined => {
    const value = env[name] ?? env[name.toUpperCase()]
    return value === '' ? undefined : value
  }
  const tokenEndpoint = read('identity_token_endpoint')
  const clientId = read('client_id')
  const clientSecret = read('client_secret')
  if (tokenEndpoint === undefined || clientId === undefined || clientSecret === undefined) {
    const missing = [
      tokenEndpoint === undefined ? 'identity_token_endpoint' : undefined,
      clientId === undefined ? 'client_id' : undefined,
      clientSecret === undefined ? 'client_secret' : undefined,
    ].filter((name) => name !== undefined)
    throw new TypeError(`credentialsFromEnv: missing ${missing.join(', ')}`)
  }
  return { tokenEndpoint, clientId: sourceOf(clientId), clientSecret: sourceOf(clientSecret) }
}
