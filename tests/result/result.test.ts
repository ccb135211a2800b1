import { describe, expect, it } from 'vitest'
import { isResult, toError } from '../../src/internal/result.ts'
import {
  all,
  err,
  flatMap,
  map,
  mapErr,
  match,
  ok,
  partition,
  RefusedValueError,
  tryAsync,
  tryCatch,
  unwrapOr,
} from '../../src/result/index.ts'

describe('Result', () => {
  it('tells a value from an error by its ok field, which narrows', () => {
    const results = [ok(1), err('x')] as const
    expect(results.map((result) => (result.ok ? result.value : result.error))).toEqual([1, 'x'])
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

describe('tryCatch and tryAsync with a success test', () => {
  type Order = { id: string }
  const orders = new Map<string, Order>([['42', { id: '42' }]])
  const find = (id: string) => orders.get(id)
  const isOrder = (order: Order | undefined): order is Order => order !== undefined

  it('answers ok for a value the test accepts, and err(RefusedValueError) for one it refuses', () => {
    const found = tryCatch(find, { isSuccess: isOrder })
    expect(found('42')).toEqual(ok({ id: '42' }))
    const missing = found('7')
    expect(missing.ok).toBe(false)
    if (missing.ok) return
    expect(missing.error).toBeInstanceOf(RefusedValueError)
    expect(missing.error).toMatchObject({
      name: 'RefusedValueError',
      code: 'REFUSED_VALUE',
      value: undefined,
      message: 'the returned value did not pass the success test',
    })
  })

  it('never shows the refused value in the message', () => {
    const secret = tryCatch(() => 'hunter2-secret', { isSuccess: () => false })
    const result = secret()
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.error.message).not.toContain('hunter2')
      expect(String(result.error)).not.toContain('hunter2')
    }
  })

  it('passes the RefusedValueError and what was thrown through onError', () => {
    const seen: unknown[] = []
    const positive = tryCatch(
      (s: string) => {
        if (s === 'boom') throw new Error('boom')
        return Number(s)
      },
      {
        isSuccess: (n) => n > 0,
        onError: (thrown) => {
          seen.push(thrown)
          return thrown instanceof RefusedValueError ? `refused ${thrown.value}` : 'thrown'
        },
      },
    )
    expect(positive('3')).toEqual(ok(3))
    expect(positive('-1')).toEqual(err('refused -1'))
    expect(positive('boom')).toEqual(err('thrown'))
    expect(seen).toHaveLength(2)
    expect(seen[0]).toBeInstanceOf(RefusedValueError)
    expect((seen[1] as Error).message).toBe('boom')
  })

  it('answers err when the success test itself throws', () => {
    const broken = tryCatch(() => 1, {
      isSuccess: () => {
        throw new TypeError('test failed')
      },
    })
    const result = broken()
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error).toEqual(new TypeError('test failed'))
  })

  it('tests the awaited value with tryAsync, and never rejects', async () => {
    const load = tryAsync(async (id: string) => find(id), { isSuccess: isOrder })
    expect(await load('42')).toEqual(ok({ id: '42' }))
    const missing = await load('7')
    expect(missing.ok).toBe(false)
    if (!missing.ok) expect(missing.error).toBeInstanceOf(RefusedValueError)

    const mapped = tryAsync(async (id: string) => find(id), {
      isSuccess: isOrder,
      onError: (thrown) => (thrown instanceof RefusedValueError ? 404 : 500),
    })
    expect(await mapped('7')).toEqual(err(404))
    const rejecting = tryAsync(async () => Promise.reject(new Error('down')), {
      isSuccess: () => true,
      onError: (thrown) => (thrown as Error).message,
    })
    expect(await rejecting()).toEqual(err('down'))
    const throwingTest = tryAsync(async () => 1, {
      isSuccess: () => {
        throw new Error('bad test')
      },
    })
    const failed = await throwingTest()
    expect(failed.ok).toBe(false)
    if (!failed.ok) expect(failed.error.message).toBe('bad test')
  })

  it('accepts every value without a success test, as before', async () => {
    expect(tryCatch(() => undefined, {})()).toEqual(ok(undefined))
    expect(await tryAsync(async () => null, { onError: String })()).toEqual(ok(null))
  })

  it('refuses options that are not functions when wrapping, naming them', () => {
    const wrong = (value: unknown) => value as never
    expect(() => tryCatch(find, { isSuccess: wrong(true) })).toThrow(
      'tryCatch: isSuccess must be a function',
    )
    expect(() => tryAsync(find, { onError: wrong('x') })).toThrow(
      'tryAsync: onError must be a function',
    )
    expect(() => tryCatch(find, wrong(42))).toThrow(
      'tryCatch: the second argument must be an onError function or options',
    )
    expect(() => tryAsync(find, wrong(null))).toThrow(TypeError)
  })
})
