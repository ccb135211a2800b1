import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { err, flatMap, map, ok, type Result } from '../../src/result/index.ts'

const result = fc.oneof(
  fc.integer().map((n) => ok(n) as Result<number, string>),
  fc.string().map((s) => err(s) as Result<number, string>),
)
const fn = fc.func(result)

describe('Result monad laws', () => {
  it('left identity: flatMap(ok(a), f) equals f(a)', () => {
    fc.assert(
      fc.property(fc.integer(), fn, (a, f) => {
        expect(flatMap(ok(a), f)).toEqual(f(a))
      }),
    )
  })

  it('right identity: flatMap(m, ok) equals m', () => {
    fc.assert(
      fc.property(result, (m) => {
        expect(flatMap(m, ok)).toEqual(m)
      }),
    )
  })

  it('associativity: flatMap(flatMap(m, f), g) equals flatMap(m, x => flatMap(f(x), g))', () => {
    fc.assert(
      fc.property(result, fn, fn, (m, f, g) => {
        expect(flatMap(flatMap(m, f), g)).toEqual(flatMap(m, (x) => flatMap(f(x), g)))
      }),
    )
  })

  it('functor laws: map keeps identity and composes', () => {
    const f = (n: number) => n + 1
    const g = (n: number) => n * 2
    fc.assert(
      fc.property(result, (m) => {
        expect(map(m, (x) => x)).toEqual(m)
        expect(map(map(m, f), g)).toEqual(map(m, (x) => g(f(x))))
      }),
    )
  })
})
