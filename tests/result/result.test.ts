import { describe, expect, it } from 'vitest'
import {
  all,
  err,
  flatMap,
  isErr,
  isOk,
  isResult,
  map,
  mapErr,
  match,
  ok,
  partition,
  toError,
  tryAsync,
  tryCatch,
  unwrapOr,
} from '../../src/result/index.ts'

describe('Result', () => {
  it('tells a value from an error with the type guards', () => {
    expect(isOk(ok(1))).toBe(true)
    expect(isErr(ok(1))).toBe(false)
    expect(isOk(err('x'))).toBe(false)
    expect(isErr(err('x'))).toBe(true)
  })

  it('recognises Result shapes and rejects look-alikes', () => {
    expect(isResult(ok(undefined))).toBe(true)
    expect(isResult(err(undefined))).toBe(true)
    expect(isResult({ ok: true })).toBe(false)
    expect(isResult({ ok: false, value: 1 })).toBe(false)
    expect(isResult({ ok: 'yes', value: 1 })).toBe(false)
    expect(isResult(null)).toBe(false)
    expect(isResult('ok')).toBe(false)
  })

  it('maps the value and leaves an error untouched', () => {
    expect(map(ok(2), (n) => n * 3)).toEqual(ok(6))
    const failed = err('bad')
    expect(map(failed, (n: number) => n * 3)).toBe(failed)
  })

  it('maps the error and leaves a value untouched', () => {
    expect(mapErr(err('bad'), (e) => e.toUpperCase())).toEqual(err('BAD'))
    const good = ok(1)
    expect(mapErr(good, (e: string) => e.length)).toBe(good)
  })

  it('chains with flatMap and stops at the first error', () => {
    const parse = (s: string) => (/^\d+$/.test(s) ? ok(Number(s)) : err(`not a number: ${s}`))
    expect(flatMap(ok('12'), parse)).toEqual(ok(12))
    expect(flatMap(ok('x'), parse)).toEqual(err('not a number: x'))
    expect(flatMap(err('earlier'), parse)).toEqual(err('earlier'))
  })

  it('folds both sides with match and falls back with unwrapOr', () => {
    const handlers = { ok: (n: number) => `value ${n}`, err: (e: string) => `error ${e}` }
    expect(match(ok(1), handlers)).toBe('value 1')
    expect(match(err('x'), handlers)).toBe('error x')
    expect(unwrapOr(ok(1), 0)).toBe(1)
    expect(unwrapOr(err('x'), 0)).toBe(0)
  })

  it('combines results with all: every value in order, or the first error', () => {
    expect(all([ok(1), ok('a'), ok(true)])).toEqual(ok([1, 'a', true]))
    expect(all([ok(1), err('first'), err('second')])).toEqual(err('first'))
    expect(all([])).toEqual(ok([]))
  })

  it('keeps every error with partition', () => {
    expect(partition([ok(1), err('a'), ok(2), err('b')])).toEqual({
      values: [1, 2],
      errors: ['a', 'b'],
    })
  })

  it('turns a throwing function into one that returns a Result', () => {
    const parse = tryCatch((text: string) => JSON.parse(text) as unknown)
    expect(parse('{"a":1}')).toEqual(ok({ a: 1 }))
    const failed = parse('{')
    expect(failed.ok).toBe(false)
    if (!failed.ok) expect(failed.error).toBeInstanceOf(SyntaxError)
  })

  it('maps what was thrown with a custom onError', () => {
    const boom = tryCatch(
      () => {
        throw 'plain string'
      },
      (thrown) => `caught ${String(thrown)}`,
    )
    expect(boom()).toEqual(err('caught plain string'))
  })

  it('wraps an async function so that it resolves to a Result and never rejects', async () => {
    const load = tryAsync(async (id: string) => {
      if (id === 'missing') throw new Error('no such id')
      return { id }
    })
    expect(await load('42')).toEqual(ok({ id: '42' }))
    const missing = await load('missing')
    expect(missing.ok).toBe(false)
    if (!missing.ok) expect(missing.error.message).toBe('no such id')
    const mapped = tryAsync(
      () => Promise.reject(new Error('down')),
      (thrown) => (thrown as Error).message,
    )
    expect(await mapped()).toEqual(err('down'))
  })

  it('turns non-errors into errors and keeps them as the cause', () => {
    const error = toError({ reason: 'x' })
    expect(error).toBeInstanceOf(Error)
    expect(error.cause).toEqual({ reason: 'x' })
    const original = new TypeError('t')
    expect(toError(original)).toBe(original)
  })
})
