import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseTemplate, type Segment, splitPath, Trie } from '../../src/router/trie.ts'

/** The obvious matcher: test every route, keep the most specific that accepts the method. */
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

interface Declared {
  method: string
  template: string
}

const reference = (
  routes: readonly Declared[],
  method: string,
  path: readonly string[],
): string | { allow: string[] } => {
  const candidates = routes
    .map((route) => ({ ...route, segments: parseTemplate(route.template) }))
    .filter((route) => matches(route.segments, path))
    .sort((a, b) => compare(a.segments, b.segments))
  const shapes = [...new Set(candidates.map((c) => c.segments.map(rank).join('')))]
  const shapeOf = (c: (typeof candidates)[number]) => c.segments.map(rank).join('')
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

const segment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('a', 'b', 'c') },
  { weight: 2, arbitrary: fc.constant('{p}') },
  { weight: 1, arbitrary: fc.constant('{rest+}') },
)
const template = fc.array(segment, { maxLength: 4 }).map((parts) => {
  const cut = parts.indexOf('{rest+}')
  const kept = cut < 0 ? parts : parts.slice(0, cut + 1)
  let n = 0
  return `/${kept.map((p) => (p === '{p}' ? `{p${n++}}` : p)).join('/')}`
})
const method = fc.constantFrom('GET', 'POST', 'HEAD', 'ANY')
const requestPath = fc
  .array(fc.constantFrom('a', 'b', 'c', 'd', ''), { maxLength: 5 })
  .map((parts) => `/${parts.join('/')}`)

describe('the HTTP trie', () => {
  it('resolves every method and path as the reference matcher does on random tables', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ method, template }), { maxLength: 12 }),
        fc.constantFrom('GET', 'POST', 'HEAD', 'DELETE'),
        requestPath,
        (declared, requestMethod, path) => {
          const trie = new Trie<string>()
          const kept: Declared[] = []
          for (const route of declared) {
            try {
              trie.add(route.method, route.template, `${route.method} ${route.template}`)
              kept.push(route)
            } catch {
              // an overlapping declaration is refused; the reference ignores it as well
            }
          }
          const segments = splitPath(path)
          const result = trie.lookup(requestMethod, segments)
          const expected = reference(kept, requestMethod, segments)
          if (typeof expected === 'string') {
            expect(result.found && result.entry.value).toBe(expected)
          } else {
            expect(result.found ? result.entry.value : { allow: [...result.allow] }).toEqual(
              expected,
            )
          }
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('refuses a second route of the same method and shape whatever its parameter names', () => {
    fc.assert(
      fc.property(template, method, (path, m) => {
        const trie = new Trie<string>()
        trie.add(m, path, 'first')
        const renamed = path.replaceAll('{p', '{q').replace('{rest+}', '{other+}')
        expect(() => trie.add(m, renamed, 'second')).toThrow(/match the same requests/)
      }),
    )
  })
})
