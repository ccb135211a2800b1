/**
 * How loaded values are laid out: a nested, frozen tree for `context.parameters` and, when asked,
 * a flat map of environment variables. All or nothing: a conflict fails the whole layout.
 * @module
 */
import { ParametersError } from './errors.ts'

/**
 * One value of `context.parameters`: a string, or the parameters under one more path segment.
 *
 * @example
 * ```ts
 * const db: ParameterValue | undefined = context.parameters.db
 * ```
 */
export type ParameterValue = string | ParameterTree

/**
 * The parameters under a path, nested by path segment.
 *
 * @example
 * ```ts
 * const tree: ParameterTree = { db: { url: 'postgres://db' }, region: 'eu-west-1' }
 * ```
 */
export type ParameterTree = { readonly [key: string]: ParameterValue }

/** One loaded value and where it goes. */
export interface Entry {
  /** The key's segments in the tree: `['db', 'url']` for `/orders/db/url` under `/orders`. */
  readonly segments: readonly string[]
  readonly value: string
}

/** The tree and the environment variables of one load. */
export interface Layout {
  readonly tree: ParameterTree
  readonly env: Readonly<Record<string, string>> | undefined
}

/**
 * The environment variable name of a parameter key: the key relative to its path (or the key of
 * a named parameter or secret), segments joined by `_`, upper-cased, every character other than
 * `A-Z` and `0-9` replaced by `_`.
 *
 * @example
 * ```ts
 * parameterEnvName('db/url') // 'DB_URL' (for /orders/db/url under /orders)
 * parameterEnvName('feature-flags/beta.on') // 'FEATURE_FLAGS_BETA_ON'
 * ```
 */
export const parameterEnvName = (key: string): string =>
  key
    .split('/')
    .filter((segment) => segment !== '')
    .join('_')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '_')

/** Names a function's runtime owns: a parameter never replaces them. */
const RESERVED = /^(AWS_|LAMBDA_|_)|^(PATH|LD_LIBRARY_PATH|NODE_OPTIONS|NODE_PATH|TZ|LANG)$/

type Node = { [key: string]: string | Node }

const conflict = (message: string, name: string): ParametersError =>
  new ParametersError('PARAMETERS_CONFLICT', `metis-app/parameters: ${message}`, {
    source: 'layout',
    name,
  })

const freeze = (node: Node): ParameterTree => {
  for (const value of Object.values(node)) if (typeof value !== 'string') freeze(value)
  return Object.freeze(node)
}

/** Puts each entry in a tree of null-prototype objects (a segment `__proto__` is a plain key). */
const treeOf = (entries: readonly Entry[]): ParameterTree => {
  const root: Node = Object.create(null)
  for (const { segments, value } of entries) {
    const key = segments.join('/')
    let node = root
    for (const [index, segment] of segments.entries()) {
      const present = node[segment]
      if (index === segments.length - 1) {
        if (present !== undefined) throw conflict(`two values for the key ${key}`, key)
        node[segment] = value
        break
      }
      if (typeof present === 'string') {
        throw conflict(`${segments.slice(0, index + 1).join('/')} is both a value and a path`, key)
      }
      const next: Node = present ?? Object.create(null)
      node[segment] = next
      node = next
    }
  }
  return freeze(root)
}

const envOf = (entries: readonly Entry[]): Record<string, string> => {
  const env: Record<string, string> = Object.create(null)
  const keyOf = new Map<string, string>()
  for (const { segments, value } of entries) {
    const key = segments.join('/')
    const name = parameterEnvName(key)
    if (RESERVED.test(name)) {
      throw conflict(`the key ${key} maps to the reserved environment name ${name}`, key)
    }
    const other = keyOf.get(name)
    if (other !== undefined) {
      throw conflict(`the keys ${other} and ${key} both map to ${name}`, `${other}, ${key}`)
    }
    keyOf.set(name, key)
    env[name] = value
  }
  return env
}

/** The tree, and the environment map when `withEnv`; throws a conflict {@link ParametersError}. */
export const layOut = (entries: readonly Entry[], withEnv: boolean): Layout => ({
  tree: treeOf(entries),
  env: withEnv ? envOf(entries) : undefined,
})
