import { describe, expectTypeOf, it } from 'vitest'
import {
  all,
  err,
  flatMap,
  ok,
  RefusedValueError,
  type Result,
  tryAsync,
  tryCatch,
} from '../../src/result/index.ts'

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

describe('tryCatch and tryAsync with a success test', () => {
  type Order = { id: string }
  const find = (id: string): Order | undefined => (id === '42' ? { id } : undefined)
  const isOrder = (value: Order | undefined): value is Order => value !== undefined

  it('keeps the old (fn, onError) signature', () => {
    expectTypeOf(tryCatch(find, () => 'failed' as const)).toEqualTypeOf<
      (id: string) => Result<Order | undefined, 'failed'>
    >()
    expectTypeOf(tryAsync(async (id: string) => find(id), String)).toEqualTypeOf<
      (id: string) => Promise<Result<Order | undefined, string>>
    >()
  })

  it('narrows the ok type with a type guard', () => {
    expectTypeOf(tryCatch(find, { isSuccess: isOrder })).toEqualTypeOf<
      (id: string) => Result<Order, Error>
    >()
    expectTypeOf(tryAsync(async (id: string) => find(id), { isSuccess: isOrder })).toEqualTypeOf<
      (id: string) => Promise<Result<Order, Error>>
    >()
  })

  it('narrows with an inline guard, and maps the error type with onError', () => {
    const guarded = tryCatch(find, {
      isSuccess: (order): order is Order => order !== undefined,
      onError: (thrown) => (thrown instanceof RefusedValueError ? 'missing' : 'failed'),
    })
    expectTypeOf(guarded).toEqualTypeOf<(id: string) => Result<Order, 'missing' | 'failed'>>()
    const loaded = tryAsync(async (id: string) => find(id), {
      isSuccess: isOrder,
      onError: () => 404 as const,
    })
    expectTypeOf(loaded).toEqualTypeOf<(id: string) => Promise<Result<Order, 404>>>()
  })

  it('narrows with a predicate TypeScript infers from the test', () => {
    expectTypeOf(tryCatch(find, { isSuccess: (order) => order !== undefined })).toEqualTypeOf<
      (id: string) => Result<Order, Error>
    >()
  })

  it('keeps the ok type with a boolean test, and gives the awaited value to it', () => {
    expectTypeOf(tryCatch((s: string) => Number(s), { isSuccess: (n) => n > 0 })).toEqualTypeOf<
      (s: string) => Result<number, Error>
    >()
    tryAsync(async (s: string) => Number(s), {
      isSuccess: (n) => {
        expectTypeOf(n).toEqualTypeOf<number>()
        return n > 0
      },
    })
    expectTypeOf(
      tryAsync(async (s: string) => s.length, { isSuccess: (n) => n > 0, onError: () => 'bad' }),
    ).toEqualTypeOf<(s: string) => Promise<Result<number, string>>>()
  })

  it('types the refused value of a RefusedValueError', () => {
    expectTypeOf(new RefusedValueError(42).value).toEqualTypeOf<number>()
    expectTypeOf(new RefusedValueError(42).code).toEqualTypeOf<'REFUSED_VALUE'>()
  })
})
