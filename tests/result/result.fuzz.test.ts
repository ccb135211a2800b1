import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  err,
  flatMap,
  map,
  ok,
  RefusedValueError,
  type Result,
  tryAsync,
  tryCatch,
} from '../../src/result/index.ts'

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

describe('tryCatch and tryAsync with a success test, for any value and test', () => {
  const value = fc.anything()
  const verdict = fc.func(fc.boolean())

  it('answer ok exactly when the test accepts, else err(RefusedValueError) with the value', () => {
    fc.assert(
      fc.property(value, verdict, (returned, isSuccess) => {
        const result = tryCatch(() => returned, { isSuccess })()
        expect(result.ok).toBe(isSuccess(returned))
        if (result.ok) expect(result.value).toBe(returned)
        else {
          expect(result.error).toBeInstanceOf(RefusedValueError)
          expect((result.error as RefusedValueError).value).toBe(returned)
        }
      }),
    )
  })

  it('resolve the same way with tryAsync, for a sync or async function', async () => {
    await fc.assert(
      fc.asyncProperty(value, verdict, fc.boolean(), async (returned, isSuccess, async) => {
        const fn = async ? async () => returned : () => returned
        const result = await tryAsync(fn, { isSuccess })()
        expect(result.ok).toBe(isSuccess(returned))
        if (!result.ok) expect((result.error as RefusedValueError).value).toBe(returned)
      }),
    )
  })

  it('give onError the RefusedValueError of a refused value, and its answer as the error', () => {
    fc.assert(
      fc.property(value, verdict, fc.string(), (returned, isSuccess, mapped) => {
        const seen: unknown[] = []
        const onError = (thrown: unknown) => {
          seen.push(thrown)
          return mapped
        }
        const result = tryCatch(() => returned, { isSuccess, onError })()
        if (isSuccess(returned)) {
          expect(result).toEqual(ok(returned))
          expect(seen).toEqual([])
          return
        }
        expect(result).toEqual(err(mapped))
        expect(seen).toHaveLength(1)
        expect(seen[0]).toBeInstanceOf(RefusedValueError)
        expect((seen[0] as RefusedValueError).value).toBe(returned)
      }),
    )
  })

  it('still map what was thrown, whatever the test, without calling it', async () => {
    await fc.assert(
      fc.asyncProperty(value, fc.boolean(), async (thrown, asyncFn) => {
        let tested = false
        const isSuccess = () => {
          tested = true
          return true
        }
        const fail = () => {
          throw thrown
        }
        const onError = (caught: unknown) => ({ caught })
        const sync = tryCatch(fail, { isSuccess, onError })()
        expect(sync).toEqual(err({ caught: thrown }))
        const rejected = asyncFn ? () => Promise.reject(thrown) : fail
        expect(await tryAsync(rejected, { isSuccess, onError })()).toEqual(err({ caught: thrown }))
        expect(tested).toBe(false)
      }),
    )
  })
})
