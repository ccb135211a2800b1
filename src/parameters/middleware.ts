/**
 * The `parameters()` Middy middleware: SSM paths, named SSM parameters and Secrets Manager
 * secrets on `context.parameters` (and, when asked, in `process.env`), cached per container.
 * @module
 */
import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import { answerFailure } from '../internal/failures.ts'
import { isRecord } from '../internal/guards.ts'
import { type Logger, loggerOption, observerLogger } from '../internal/logger.ts'
import {
  booleanOption,
  functionOption,
  numberOption,
  optionError,
  textOption,
} from '../internal/options.ts'
import { tell } from '../internal/tell.ts'
import { respondError, targetOf } from '../response/shape.ts'
import { ParametersError, safeCause } from './errors.ts'
import { type Layout, layOut, type ParameterTree } from './layout.ts'
import { loaderOf, type ParametersProviders, type Plan, type SecretReference } from './load.ts'

/**
 * Named SSM parameters: the key on `context.parameters` -> the parameter's name (or ARN).
 *
 * @example
 * ```ts
 * const names: NamedParameters = { beta: '/shared/flags/beta' }
 * ```
 */
export type NamedParameters = Readonly<Record<string, string>>

/**
 * A secret: its id (name or ARN), or `{ id, field }` for one field of a JSON secret.
 *
 * @example
 * ```ts
 * const source: SecretSource = { id: 'orders/db', field: 'password' }
 * ```
 */
export type SecretSource = string | SecretReference

/**
 * Secrets Manager secrets: the key on `context.parameters` -> the secret.
 *
 * @example
 * ```ts
 * const secrets: NamedSecrets = { apiKey: 'orders/api-key', dbPassword: { id: 'orders/db', field: 'password' } }
 * ```
 */
export type NamedSecrets = Readonly<Record<string, SecretSource>>

/**
 * Options of {@link parameters}.
 *
 * @example
 * ```ts
 * const options: ParametersOptions = { paths: ['/orders'], setToEnv: true, maxAgeMs: 60_000 }
 * ```
 */
export interface ParametersOptions<
  N extends NamedParameters = NamedParameters,
  S extends NamedSecrets = NamedSecrets,
> {
  /**
   * SSM paths whose parameters are all loaded (recursive, decrypted, every page), nested on
   * `context.parameters` by the segments below the path.
   */
  paths?: string | readonly string[]
  /** Named SSM parameters (decrypted), fetched together: `{ flag: '/shared/flags/beta' }`. */
  names?: N
  /** Secrets Manager secrets: `{ apiKey: 'orders/api-key', dbPassword: { id: 'orders/db', field: 'password' } }`. */
  secrets?: S
  /** Also set every value in `process.env`, named by the key (`db/url` is `DB_URL`; see docs/parameters.md). Default false. */
  setToEnv?: boolean
  /** How long loaded values are served before the next load, ms. Default 300000 (5 minutes). */
  maxAgeMs?: number
  /** Where the WARN of a failed refresh goes. Default `context.observer.logger`, else a JSON line on `console.warn`. */
  logger?: Logger
  /** The clock of the cache, ms since the epoch. Default `Date.now`. */
  clock?: () => number
  /** Powertools providers of your own (your SDK clients, another region). Default: created on the first load. */
  providers?: ParametersProviders
}

/**
 * The literal keys of an options record; none when the record's type is a wide `Record<string, ...>`.
 *
 * @example
 * ```ts
 * type Named = LiteralKeys<{ flag: string; apiKey: string }> // 'flag' | 'apiKey'
 * type Wide = LiteralKeys<Record<string, string>> // never
 * ```
 */
export type LiteralKeys<R> = string extends keyof R ? never : keyof R

/**
 * What the named parameters and secrets of `N` and `S` add to the tree of the paths: each key a
 * string.
 *
 * @example
 * ```ts
 * type Asked = AskedParameters<{ flag: string }, { apiKey: string }> // tree & { flag: string; apiKey: string }
 * ```
 */
export type AskedParameters<
  N extends NamedParameters = Record<never, never>,
  S extends NamedSecrets = Record<never, never>,
> = ParameterTree & { readonly [K in LiteralKeys<N> | LiteralKeys<S>]: string }

/**
 * What {@link parameters} adds to the Lambda context.
 *
 * @example
 * ```ts
 * middy<unknown, unknown, Error, Context & ParametersContext<{ db: { url: string } }>>()
 * ```
 */
export interface ParametersContext<T extends object = ParameterTree> {
  /** The loaded values: the paths' trees, and each named parameter and secret at its key. */
  parameters: T
}

/**
 * The middleware {@link parameters} returns: a Middy middleware, and `clearCache()`.
 *
 * @example
 * ```ts
 * const loadConfig: ParametersMiddleware = parameters({ paths: '/orders' })
 * ```
 */
export type ParametersMiddleware<T extends object = ParameterTree> = MiddlewareObj<
  unknown,
  unknown,
  Error,
  Context & ParametersContext<T>
> & {
  /** Forgets the cached values: the next invocation loads again (tests). */
  clearCache(): void
}

const FACTORY = 'parameters'
const DEFAULT_MAX_AGE_MS = 300_000
/** After a failed refresh, the last values are served this long (at most) before the next try. */
const RETRY_AFTER_FAILURE_MS = 30_000
const KNOWN = new Set([
  'paths',
  'names',
  'secrets',
  'setToEnv',
  'maxAgeMs',
  'logger',
  'clock',
  'providers',
])

const pathsOf = (value: unknown): string[] => {
  if (value === undefined) return []
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list))
    throw optionError(FACTORY, 'paths must be a string or an array of strings')
  const paths = list.map((path, index) => {
    const text = textOption(FACTORY, `paths[${index}]`, path)
    if (!text.startsWith('/')) throw optionError(FACTORY, `paths[${index}] must start with /`)
    if (text.includes('//')) throw optionError(FACTORY, `paths[${index}] must not hold //`)
    return text.length > 1 && text.endsWith('/') ? text.slice(0, -1) : text
  })
  const twice = paths.find((path, index) => paths.indexOf(path) !== index)
  if (twice !== undefined) throw optionError(FACTORY, `paths has ${twice} twice`)
  return paths
}

const checkKey = (option: string, key: string): void => {
  if (key.trim() === '' || key.includes('/')) {
    throw optionError(FACTORY, `${option} keys must be non-empty and hold no /: '${key}'`)
  }
}

const namesOf = (value: unknown): [string, string][] => {
  if (value === undefined) return []
  if (!isRecord(value)) throw optionError(FACTORY, 'names must be an object: key -> SSM name')
  return Object.entries(value).map(([key, name]) => {
    checkKey('names', key)
    return [key, textOption(FACTORY, `names.${key}`, name)]
  })
}

const secretsOf = (value: unknown): [string, SecretReference][] => {
  if (value === undefined) return []
  if (!isRecord(value)) throw optionError(FACTORY, 'secrets must be an object: key -> secret id')
  return Object.entries(value).map(([key, source]) => {
    checkKey('secrets', key)
    if (typeof source === 'string')
      return [key, { id: textOption(FACTORY, `secrets.${key}`, source) }]
    if (!isRecord(source)) {
      throw optionError(FACTORY, `secrets.${key} must be a secret id or { id, field? }`)
    }
    const id = textOption(FACTORY, `secrets.${key}.id`, source.id)
    if (source.field === undefined) return [key, { id }]
    return [key, { id, field: textOption(FACTORY, `secrets.${key}.field`, source.field) }]
  })
}

const checkProviders = (providers: unknown): void => {
  if (providers === undefined) return
  if (!isRecord(providers))
    throw optionError(FACTORY, 'providers must be an object { ssm?, secrets? }')
  const { ssm, secrets } = providers
  if (
    ssm !== undefined &&
    (!isRecord(ssm) ||
      typeof ssm.getMultiple !== 'function' ||
      typeof ssm.getParametersByName !== 'function')
  ) {
    throw optionError(
      FACTORY,
      'providers.ssm must be an SSMProvider (getMultiple, getParametersByName)',
    )
  }
  if (secrets !== undefined && (!isRecord(secrets) || typeof secrets.get !== 'function')) {
    throw optionError(FACTORY, 'providers.secrets must be a SecretsProvider (get)')
  }
}

/** Checks every option; the plan of what to load. */
/** What to load, and the settings: `options` checked once, the defaults filled in. */
interface Settings {
  readonly plan: Plan
  readonly maxAgeMs: number
  readonly withEnv: boolean
  readonly clock: () => number
}

const settingsOf = (options: unknown): Settings => {
  if (!isRecord(options)) throw optionError(FACTORY, 'options must be an object')
  const unknown = Object.keys(options).find((key) => !KNOWN.has(key))
  if (unknown !== undefined) {
    throw optionError(FACTORY, `unknown option ${unknown} (known: ${[...KNOWN].join(', ')})`)
  }
  const plan: Plan = {
    paths: pathsOf(options.paths),
    names: namesOf(options.names),
    secrets: secretsOf(options.secrets),
  }
  if (plan.paths.length + plan.names.length + plan.secrets.length === 0) {
    throw optionError(FACTORY, 'nothing to load: give paths, names or secrets')
  }
  const both = plan.secrets.find(([key]) => plan.names.some(([name]) => name === key))
  if (both !== undefined) {
    throw optionError(FACTORY, `the key ${both[0]} is in both names and secrets`)
  }
  const withEnv = booleanOption(FACTORY, 'setToEnv', options.setToEnv, false)
  const maxAgeMs = numberOption(FACTORY, 'maxAgeMs', options.maxAgeMs, DEFAULT_MAX_AGE_MS)
  loggerOption(FACTORY, options.logger, false)
  functionOption(FACTORY, 'clock', options.clock)
  checkProviders(options.providers)
  const clock = (options.clock as (() => number) | undefined) ?? Date.now
  return { plan, maxAgeMs, withEnv, clock }
}

/** The default WARN without an observer: one JSON line on `console.warn`. */
const warnLine = (message: string, fields: Readonly<Record<string, unknown>>): void => {
  console.warn(
    JSON.stringify({ level: 'WARN', message, logger: 'metis-app/parameters', ...fields }),
  )
}

/** The fields of a failure's log line: what failed and why, never a value. */
const fieldsOf = (error: ParametersError): Record<string, unknown> => ({
  code: error.code,
  ...error.details,
})

/** A load's failure as a {@link ParametersError} (a loader's own, or a bug's message only). */
const asParametersError = (thrown: unknown): ParametersError =>
  thrown instanceof ParametersError
    ? thrown
    : new ParametersError(
        'PARAMETERS_UNAVAILABLE',
        'metis-app/parameters: the load failed',
        {},
        safeCause(thrown),
      )

interface Loaded {
  readonly layout: Layout
  readonly loadedAt: number
  readonly refreshAt: number
}

/**
 * Middy middleware: loads every parameter under `paths` (SSM, recursive, decrypted, all pages:
 * one `GetParametersByPath` request a page), the `names` SSM parameters (together, through
 * `GetParameters`, 10 names a request) and the `secrets` (Secrets Manager `GetSecretValue`), through
 * `@aws-lambda-powertools/parameters`, and puts them on `context.parameters`: a path's parameters
 * nested by the segments below it (`/orders/db/url` under `/orders` is
 * `context.parameters.db.url`), each named parameter and secret at its key. With
 * `setToEnv: true` every value is also set in `process.env` (`DB_URL`: the key's segments joined
 * by `_`, upper-cased, other characters as `_`).
 *
 * Values are cached per container for `maxAgeMs` (5 minutes); concurrent invocations share one
 * load. A refresh that fails serves the last values, logs one WARN, and tries again after at most
 * 30 s. A first load that fails answers an HTTP event with a 503 problem (no detail) and throws
 * the {@link ParametersError} for any other event; nothing is set, on the context or in the
 * environment, until everything asked has loaded.
 *
 * Give the context type through the generic (`parameters<Config>({ ... })`); without it, the keys
 * of `names` and `secrets` are typed strings and the paths' values a {@link ParameterTree}.
 *
 * @throws TypeError at creation, naming the option that is missing or wrong.
 *
 * @example
 * ```ts
 * export const handler = middy()
 *   .use(parameters({ paths: '/orders', secrets: { apiKey: 'orders/api-key' }, setToEnv: true }))
 *   .handler(async (_event, context) => ({ statusCode: 200, body: String(context.parameters.apiKey.length) }))
 * ```
 */
export const parameters = <
  T extends object = never,
  const N extends NamedParameters = Record<never, never>,
  const S extends NamedSecrets = Record<never, never>,
>(
  options: ParametersOptions<N, S>,
): ParametersMiddleware<[T] extends [never] ? AskedParameters<N, S> : T> => {
  const { plan, maxAgeMs, withEnv, clock } = settingsOf(options)
  const load = loaderOf(plan, options.providers)
  const retryMs = Math.min(maxAgeMs, RETRY_AFTER_FAILURE_MS)

  // The per-container cache: the last good load, and the load under way.
  let current: Loaded | undefined
  let pending: Promise<Loaded | ParametersError> | undefined
  // The environment names the last load set, so that a value gone since is unset.
  let envNames: readonly string[] = []

  const warn = (context: object, message: string, fields: Readonly<Record<string, unknown>>) => {
    const logger = options.logger ?? observerLogger(context)
    if (logger === undefined) warnLine(message, fields)
    else logger.warn(message, fields)
  }

  const apply = (layout: Layout): void => {
    if (layout.env === undefined) return
    for (const name of envNames) if (!(name in layout.env)) delete process.env[name]
    Object.assign(process.env, layout.env)
    envNames = Object.keys(layout.env)
  }

  const loaded = async (): Promise<Loaded> => {
    const layout = layOut(await load(), withEnv)
    apply(layout)
    const now = clock()
    return { layout, loadedAt: now, refreshAt: now + maxAgeMs }
  }

  const failed = (thrown: unknown, context: object): Loaded | ParametersError => {
    const error = asParametersError(thrown)
    if (current === undefined) return error
    const now = clock()
    const ageMs = now - current.loadedAt
    // A logger that throws must not turn stale values into a failed invocation.
    tell(() =>
      warn(context, 'metis-app/parameters: refresh failed; serving the values loaded before', {
        ...fieldsOf(error),
        ageMs,
        retryInMs: retryMs,
      }),
    )
    return { ...current, refreshAt: now + retryMs }
  }

  const refresh = (context: object): Promise<Loaded | ParametersError> => {
    pending ??= loaded()
      .catch((thrown: unknown) => failed(thrown, context))
      .then((outcome) => {
        if (!(outcome instanceof Error)) current = outcome
        pending = undefined
        return outcome
      })
    return pending
  }

  const answer = (request: { event: unknown; context: Context }, error: ParametersError) => {
    const target = targetOf(request.event, request.context)
    if (target === undefined) throw error
    // Kept on context.failures; logged as every part does: with the given logger, else by the
    // observer's end line, else on console.
    answerFailure(request.context, error, options.logger)
    return respondError(error, target)
  }

  const parametersBefore = async (request: {
    event: unknown
    context: Context & Partial<ParametersContext<ParameterTree>>
  }) => {
    let values = current
    if (values === undefined || clock() >= values.refreshAt) {
      const outcome = await refresh(request.context)
      if (outcome instanceof Error) return answer(request, outcome)
      values = outcome
    }
    request.context.parameters = values.layout.tree
    return undefined
  }

  return {
    name: 'metis-app/parameters',
    before: parametersBefore,
    clearCache: () => {
      current = undefined
    },
  } as ParametersMiddleware<[T] extends [never] ? AskedParameters<N, S> : T>
}
