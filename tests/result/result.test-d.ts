import { describe, expectTypeOf, it } from 'vitest'
import { all, err, flatMap, ok, type Result, tryAsync, tryCatch } from '../../src/result/index.ts'

describe('Result types', () => {
  it('narrows on ok', () => {
    const r = ok(1) as Result<number, string>
    if (r.ok) expectTypeOf(r.value).toEqualTypeOf<number>()
    else expectTypeOf(r.error).toEqualTypeOf<string>()
  })

  it('unions the error types through flatMap', () => {
    const r = flatMap(ok(1) as Result<number, 'a'>, () => err('b' as const) as Result<string, 'b'>)
    expectTypeOf(r).toEqualTypeOf<Result<string, 'a' | 'b'>>()
  })

  it('keeps tuple value types in all', () => {
    const r = all([ok(1), ok('x')] as const)
    if (r.ok) expectTypeOf(r.value).toEqualTypeOf<[number, string]>()
  })

  it('types tryCatch and tryAsync results', () => {
    expectTypeOf(tryCatch((s: string) => s.length)).toEqualTypeOf<
      (s: string) => Result<number, Error>
    >()
    expectTypeOf(tryAsync(async (n: number) => String(n))).toEqualTypeOf<
      (n: number) => Promise<Result<string, Error>>
    >()
  })
})
