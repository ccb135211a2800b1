/**
 * The obvious HTTP route matcher: test every declared route, keep the most specific that accepts
 * the method. The router's trie must agree with it on any table (`tests/router/trie.fuzz.test.ts`
 * checks the trie alone; `tests/reliability/routing.fuzz.test.ts` checks the whole router).
 */
import { parseTemplate, type Segment } from '../../src/router/trie.ts'

const rank = (segment: Segment): number =>
  segment.kind === 'static' ? 0 : segment.kind === 'param' ? 1 : 2

const matches = (segments: readonly Segment[], path: readonly string[]): boolean => {
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as Segment
    const part = path[i]
    if (segment.kind === 'proxy') return i < path.length
    if (part === undefined) return false
    if (segment.kind === 'static' && segment.value !== part) return false
    if (segment.kind === 'param' && part === '') return false
  }
  return segments.length === path.length
}

const compare = (a: readonly Segment[], b: readonly Segment[]): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const diff = rank(a[i] as Segment) - rank(b[i] as Segment)
    if (diff !== 0) return diff
  }
  return a.length - b.length
}

/** A declared route: its method (or ANY) and its path template. */
export interface Declared {
  readonly method: string
  readonly template: string
}

/**
 * The route `method path` resolves to, as `'<METHOD> <template>'`, or the methods a 405 would
 * allow (empty: a 404). `path` is the request path split into decoded segments.
 */
export const reference = (
  routes: readonly Declared[],
  method: string,
  path: readonly string[],
): string | { allow: string[] } => {
  const candidates = routes
    .map((route) => ({ ...route, segments: parseTemplate(route.template) }))
    .filter((route) => matches(route.segments, path))
    .sort((a, b) => compare(a.segments, b.segments))
  const shapeOf = (c: (typeof candidates)[number]) => c.segments.map(rank).join('')
  const shapes = [...new Set(candidates.map(shapeOf))]
  for (const shape of shapes) {
    const here = candidates.filter((c) => shapeOf(c) === shape)
    const exact = here.find((c) => c.method === method)
    const viaGet = method === 'HEAD' ? here.find((c) => c.method === 'GET') : undefined
    const any = here.find((c) => c.method === 'ANY')
    const chosen = exact ?? viaGet ?? any
    if (chosen !== undefined) return `${chosen.method} ${chosen.template}`
  }
  const allow = new Set(candidates.map((c) => c.method))
  if (allow.has('GET')) allow.add('HEAD')
  return { allow: [...allow].sort() }
}
