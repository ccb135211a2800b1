import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { splitPath, Trie } from '../../src/router/trie.ts'
import { type Declared, reference } from '../support/route-reference.ts'

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
