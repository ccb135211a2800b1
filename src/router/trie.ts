/**
 * The HTTP segment trie: built once from the route table, it resolves a method and a path in time
 * proportional to the path's depth, not to the number of routes.
 *
 * Precedence, whatever the declaration order: at the first segment where two templates differ, a
 * static segment beats a `{param}`, which beats a final `{proxy+}`; the search backtracks, so a
 * request that a more specific branch cannot finish still reaches a less specific route. Within one
 * template the exact method wins, then GET for a HEAD request, then `ANY`. Internal to metis-app.
 */

/**
 * A route table that cannot be built: a malformed template or two routes that overlap. Thrown by
 * `router()` at creation, so a bad table is an init error that names the routes.
 *
 * @example
 * ```ts
 * try {
 *   router({ http: [{ method: 'GET', path: '/a/{id', handler: () => 'a' }] })
 * } catch (error) {
 *   if (error instanceof RouteTableError) console.error(error.message) // names the route
 * }
 * ```
 */
export class RouteTableError extends Error {
  /** `ROUTE_INVALID` (a malformed declaration) or `ROUTE_AMBIGUOUS` (two routes, one request). */
  readonly code: 'ROUTE_INVALID' | 'ROUTE_AMBIGUOUS'

  constructor(code: 'ROUTE_INVALID' | 'ROUTE_AMBIGUOUS', message: string) {
    super(message)
    this.name = 'RouteTableError'
    this.code = code
  }
}

/** One segment of a path template. */
export type Segment =
  | { readonly kind: 'static'; readonly value: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'proxy'; readonly name: string }

const PARAM = /^\{([A-Za-z_][A-Za-z0-9_-]*)(\+?)\}$/

/** Splits a path on `/`, ignoring the leading slash and one trailing slash (`/a/b/` -> a, b). */
export const splitPath = (path: string): string[] => {
  const segments: string[] = []
  const end =
    path.length > 1 && path.charCodeAt(path.length - 1) === 47 ? path.length - 1 : path.length
  let start = 1
  if (start >= end) return segments
  for (;;) {
    const slash = path.indexOf('/', start)
    if (slash === -1 || slash >= end) {
      segments.push(path.slice(start, end))
      return segments
    }
    segments.push(path.slice(start, slash))
    start = slash + 1
  }
}

/** Parses a path template (`/orders/{id}/items/{proxy+}`) into segments, or throws. */
export const parseTemplate = (template: string): Segment[] => {
  const invalid = (why: string) =>
    new RouteTableError('ROUTE_INVALID', `Invalid route path '${template}': ${why}`)
  if (!template.startsWith('/')) throw invalid('it must start with /')
  const parts = splitPath(template)
  const names = new Set<string>()
  return parts.map((part, index): Segment => {
    if (part === '') throw invalid('it has an empty segment')
    const param = PARAM.exec(part)
    if (param === null) {
      if (part.includes('{') || part.includes('}')) {
        throw invalid(`segment '${part}' must be a whole {name} or {name+}`)
      }
      return { kind: 'static', value: part }
    }
    const name = param[1] as string
    if (names.has(name)) throw invalid(`parameter '${name}' appears twice`)
    names.add(name)
    if (param[2] === '') return { kind: 'param', name }
    if (index !== parts.length - 1) throw invalid(`greedy {${name}+} must be the last segment`)
    return { kind: 'proxy', name }
  })
}

/** A route in the trie: what it carries, where it came from, and its parameter names in order. */
export interface Entry<T> {
  readonly value: T
  readonly method: string
  readonly template: string
  readonly names: readonly string[]
}

/** The routes of one template shape, by method (`ANY` is its own key). */
type Methods<T> = Record<string, Entry<T>>

interface TrieNode<T> {
  statics: Record<string, TrieNode<T>> | undefined
  param: TrieNode<T> | undefined
  /** Routes whose final `{proxy+}` starts at this node's depth. */
  proxy: Methods<T> | undefined
  /** Routes that end exactly at this node. */
  terminal: Methods<T> | undefined
}

const node = <T>(): TrieNode<T> => ({
  statics: undefined,
  param: undefined,
  proxy: undefined,
  terminal: undefined,
})

const methods = <T>(): Methods<T> => Object.create(null) as Methods<T>

/** The outcome of a lookup: a route with its captured values, a 405 with the allowed methods, or a 404. */
export type Lookup<T> =
  | { readonly found: true; readonly entry: Entry<T>; readonly values: readonly string[] }
  | { readonly found: false; readonly allow: readonly string[] }

/** The method an entry serves a request with: exact, then GET for HEAD, then ANY. */
const pick = <T>(table: Methods<T>, method: string): Entry<T> | undefined =>
  table[method] ?? (method === 'HEAD' ? table.GET : undefined) ?? table.ANY

/** A segment trie of HTTP routes. */
export class Trie<T> {
  readonly #root: TrieNode<T> = node()

  /** Adds a route; throws a {@link RouteTableError} when it overlaps a route already added. */
  add(method: string, template: string, value: T): void {
    const segments = parseTemplate(template)
    let current = this.#root
    const names: string[] = []
    let table: Methods<T> | undefined
    for (const segment of segments) {
      if (segment.kind === 'static') {
        current.statics ??= Object.create(null) as Record<string, TrieNode<T>>
        current.statics[segment.value] ??= node()
        current = current.statics[segment.value] as TrieNode<T>
      } else if (segment.kind === 'param') {
        names.push(segment.name)
        current.param ??= node()
        current = current.param
      } else {
        names.push(segment.name)
        current.proxy ??= methods()
        table = current.proxy
      }
    }
    if (table === undefined) {
      current.terminal ??= methods()
      table = current.terminal
    }
    const existing = table[method]
    if (existing !== undefined) {
      throw new RouteTableError(
        'ROUTE_AMBIGUOUS',
        `Routes '${existing.method} ${existing.template}' and '${method} ${template}' match the same requests`,
      )
    }
    table[method] = { value, method, template, names }
  }

  /** Resolves already split (and decoded) path segments for a method. */
  lookup(method: string, segments: readonly string[]): Lookup<T> {
    const values: string[] = []
    const entry = this.#search(this.#root, segments, 0, method, values)
    if (entry !== undefined) return { found: true, entry, values }
    const allow = new Set<string>()
    this.#collect(this.#root, segments, 0, allow)
    if (allow.has('GET')) allow.add('HEAD')
    return { found: false, allow: [...allow].sort() }
  }

  #search(
    at: TrieNode<T>,
    segments: readonly string[],
    index: number,
    method: string,
    values: string[],
  ): Entry<T> | undefined {
    if (index === segments.length) {
      return at.terminal === undefined ? undefined : pick(at.terminal, method)
    }
    const segment = segments[index] as string
    const child = at.statics?.[segment]
    if (child !== undefined) {
      const found = this.#search(child, segments, index + 1, method, values)
      if (found !== undefined) return found
    }
    if (at.param !== undefined && segment !== '') {
      values.push(segment)
      const found = this.#search(at.param, segments, index + 1, method, values)
      if (found !== undefined) return found
      values.pop()
    }
    if (at.proxy !== undefined) {
      const found = pick(at.proxy, method)
      if (found !== undefined) {
        values.push(segments.slice(index).join('/'))
        return found
      }
    }
    return undefined
  }

  /** Gathers the methods of every route whose template matches the path (the 405 `Allow`). */
  #collect(at: TrieNode<T>, segments: readonly string[], index: number, allow: Set<string>): void {
    if (index === segments.length) {
      for (const method of Object.keys(at.terminal ?? {})) allow.add(method)
      return
    }
    const segment = segments[index] as string
    const child = at.statics?.[segment]
    if (child !== undefined) this.#collect(child, segments, index + 1, allow)
    if (at.param !== undefined && segment !== '') {
      this.#collect(at.param, segments, index + 1, allow)
    }
    for (const method of Object.keys(at.proxy ?? {})) allow.add(method)
  }
}
