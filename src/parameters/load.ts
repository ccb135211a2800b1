/**
 * One load: every asked path, named parameter and secret, through Powertools' `SSMProvider` and
 * `SecretsProvider`, all at once; all or nothing. Powertools' own cache is bypassed (`maxAge: 0`,
 * `forceFetch`): the middleware's cache, on its injected clock, decides when to load.
 * @module
 */
import { ParametersError, unavailable } from './errors.ts'
import type { Entry } from './layout.ts'

/**
 * What the middleware calls on an SSM provider: the shape of Powertools' `SSMProvider` (pass
 * `new SSMProvider({ awsSdkV3Client })` for a client of your own).
 *
 * @example
 * ```ts
 * const ssm: SsmParametersProvider = new SSMProvider({ awsSdkV3Client: new SSMClient({ region: 'eu-west-1' }) })
 * ```
 */
export interface SsmParametersProvider {
  getMultiple(
    path: string,
    options: { recursive: boolean; decrypt: boolean; maxAge: number; forceFetch: boolean },
  ): Promise<unknown>
  getParametersByName(
    parameters: Record<string, { decrypt?: boolean; maxAge?: number }>,
    options: { decrypt: boolean; maxAge: number; throwOnError: boolean },
  ): Promise<unknown>
}

/**
 * What the middleware calls on a Secrets Manager provider: the shape of Powertools'
 * `SecretsProvider` (pass `new SecretsProvider({ awsSdkV3Client })` for a client of your own).
 *
 * @example
 * ```ts
 * const secrets: SecretsParametersProvider = new SecretsProvider({ awsSdkV3Client: client })
 * ```
 */
export interface SecretsParametersProvider {
  get(name: string, options: { maxAge: number; forceFetch: boolean }): Promise<unknown>
}

/**
 * Providers to use instead of Powertools' defaults (created on the first load).
 *
 * @example
 * ```ts
 * parameters({ paths: '/orders', providers: { ssm: new SSMProvider({ awsSdkV3Client: client }) } })
 * ```
 */
export interface ParametersProviders {
  readonly ssm?: SsmParametersProvider
  readonly secrets?: SecretsParametersProvider
}

/**
 * A secret to load: its id (name or ARN), and for a JSON secret the field that holds the value.
 *
 * @example
 * ```ts
 * const password: SecretReference = { id: 'orders/db', field: 'password' }
 * ```
 */
export interface SecretReference {
  readonly id: string
  readonly field?: string
}

/** What to load, checked and normalised. */
export interface Plan {
  readonly paths: readonly string[]
  readonly names: readonly (readonly [key: string, name: string])[]
  readonly secrets: readonly (readonly [key: string, secret: SecretReference])[]
}

/** Loads one plan; the providers are made (Powertools imported) on the first call that needs them. */
export type Loader = () => Promise<Entry[]>

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null

const fieldOf = (id: string, text: string, field: string): string => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    // JSON.parse quotes the text it failed on: that text is the secret.
    throw new ParametersError(
      'PARAMETERS_UNAVAILABLE',
      `metis-app/parameters: the secret ${id} is not JSON, so it has no field ${field}`,
      { source: 'secret', name: id },
    )
  }
  const value = isRecord(parsed) ? parsed[field] : undefined
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  throw new ParametersError(
    'PARAMETERS_UNAVAILABLE',
    `metis-app/parameters: the secret ${id} has no text field ${field}`,
    { source: 'secret', name: id },
  )
}

const segmentsOf = (key: string): string[] => key.split('/').filter((segment) => segment !== '')

const notText = (source: 'ssm-path' | 'ssm' | 'secret', name: string, what: string) =>
  new ParametersError('PARAMETERS_UNAVAILABLE', `metis-app/parameters: ${what} is not a string`, {
    source,
    name,
  })

/** The loader of `plan` over `providers` (Powertools' defaults for the missing ones). */
export const loaderOf = (plan: Plan, providers: ParametersProviders = {}): Loader => {
  let ssm: Promise<SsmParametersProvider> | undefined
  let secrets: Promise<SecretsParametersProvider> | undefined
  const ssmProvider = () => {
    ssm ??= providers.ssm
      ? Promise.resolve(providers.ssm)
      : import('@aws-lambda-powertools/parameters/ssm').then((m) => new m.SSMProvider())
    return ssm
  }
  const secretsProvider = () => {
    secrets ??= providers.secrets
      ? Promise.resolve(providers.secrets)
      : import('@aws-lambda-powertools/parameters/secrets').then((m) => new m.SecretsProvider())
    return secrets
  }

  const loadPath = async (path: string): Promise<Entry[]> => {
    let values: unknown
    try {
      const provider = await ssmProvider()
      values = await provider.getMultiple(path, {
        recursive: true,
        decrypt: true,
        maxAge: 0,
        forceFetch: true,
      })
    } catch (thrown) {
      throw unavailable('ssm-path', path, thrown)
    }
    const entries: Entry[] = []
    for (const [key, value] of Object.entries(isRecord(values) ? values : {})) {
      if (typeof value !== 'string') throw notText('ssm-path', path, `${path}/${key}`)
      entries.push({ segments: segmentsOf(key), value })
    }
    return entries
  }

  const loadNames = async (): Promise<Entry[]> => {
    if (plan.names.length === 0) return []
    const unique = [...new Set(plan.names.map(([, name]) => name))]
    let values: unknown
    try {
      const provider = await ssmProvider()
      // Powertools asks GetParameters for them, 10 names a request (the API's limit).
      values = await provider.getParametersByName(
        Object.fromEntries(unique.map((name) => [name, {}])),
        { decrypt: true, maxAge: 0, throwOnError: true },
      )
    } catch (thrown) {
      throw unavailable('ssm', unique.join(', '), thrown)
    }
    const found = isRecord(values) ? values : {}
    return plan.names.map(([key, name]) => {
      const value = found[name]
      if (typeof value !== 'string') throw notText('ssm', name, `the SSM parameter ${name}`)
      return { segments: [key], value }
    })
  }

  const loadSecret = async (key: string, secret: SecretReference): Promise<Entry> => {
    let value: unknown
    try {
      const provider = await secretsProvider()
      value = await provider.get(secret.id, { maxAge: 0, forceFetch: true })
    } catch (thrown) {
      throw unavailable('secret', secret.id, thrown)
    }
    if (typeof value !== 'string') {
      throw notText('secret', secret.id, `the secret ${secret.id} (binary or missing)`)
    }
    return {
      segments: [key],
      value: secret.field === undefined ? value : fieldOf(secret.id, value, secret.field),
    }
  }

  return async () => {
    const loads = await Promise.allSettled([
      ...plan.paths.map(loadPath),
      loadNames(),
      ...plan.secrets.map(([key, secret]) => loadSecret(key, secret).then((entry) => [entry])),
    ])
    const entries: Entry[] = []
    for (const load of loads) {
      // The first failure, in the order asked, is the one reported: all or nothing.
      if (load.status === 'rejected') throw load.reason
      entries.push(...load.value)
    }
    return entries
  }
}
