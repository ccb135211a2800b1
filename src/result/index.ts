/**
 * `metis-app/result`: a small Either type for results that may fail.
 *
 * A {@link Result} is either `{ ok: true, value }` or `{ ok: false, error }`. Functions inside
 * metis-app return Results across module boundaries instead of throwing; at the Middy boundary an
 * error Result becomes an `AppError`.
 *
 * @example
 * ```ts
 * import { ok, err, map, match } from 'metis-app/result'
 *
 * const half = (n: number) => (n % 2 === 0 ? ok(n / 2) : err('odd'))
 * match(map(half(10), (n) => n + 1), { ok: (n) => `got ${n}`, err: (e) => `failed: ${e}` })
 * // 'got 6'
 * ```
 * @module
 */

import { toError } from '../internal/result.ts'

/**
 * The success side of a {@link Result}.
 *
 * @example
 * ```ts
 * const found: Ok<number> = ok(42)
 * console.log(found.value) // 42
 * ```
 */
export interface Ok<T> {
  /** Always `true`: tells an `Ok` from an `Err`. */
  readonly ok: true
  /** The value. */
  readonly value: T
}

/**
 * The failure side of a {@link Result}.
 *
 * @example
 * ```ts
 * const failed: Err<string> = err('not found')
 * console.log(failed.error) // 'not found'
 * ```
 */
export interface Err<E> {
  /** Always `false`: tells an `Err` from an `Ok`. */
  readonly ok: false
  /** The error. */
  readonly error: E
}

/**
 * Either a value of type `T` or an error of type `E`, told apart by the `ok` flag.
 *
 * @example
 * ```ts
 * const parse = (s: string): Result<number, string> => (/^\d+$/.test(s) ? ok(Number(s)) : err('not a number'))
 * const parsed = parse('12')
 * if (parsed.ok) console.log(parsed.value + 1) // 13
 * ```
 */
export type Result<T, E = Error> = Ok<T> | Err<E>

/**
 * Wraps a value as a successful Result.
 *
 * @example
 * ```ts
 * const r = ok(42) // { ok: true, value: 42 }
 * ```
 */
export const ok = <T>(value: T): Ok<T> => ({ ok: true, value })

/**
 * Wraps an error as a failed Result.
 *
 * @example
 * ```ts
 * const r = err(new Error('nope')) // { ok: false, error: Error('nope') }
 * ```
 */
export const err = <E>(error: E): Err<E> => ({ ok: false, error })

/**
 * Transforms the value of a successful Result; an error passes through unchanged.
 *
 * @example
 * ```ts
 * map(ok(2), (n) => n * 3) // ok(6)
 * ```
 */
export const map = <T, U, E>(result: Result<T, E>, fn: (value: T) => U): Result<U, E> =>
  result.ok ? ok(fn(result.value)) : result

/**
 * Transforms the error of a failed Result; a value passes through unchanged.
 *
 * @example
 * ```ts
 * mapErr(err('timeout'), (e) => new Error(e)) // err(Error('timeout'))
 * ```
 */
export const mapErr = <T, E, F>(result: Result<T, E>, fn: (error: E) => F): Result<T, F> =>
  result.ok ? result : err(fn(result.error))

/**
 * Chains a function that itself returns a Result (monadic bind).
 *
 * @example
 * ```ts
 * flatMap(ok('12'), (s) => (/^\d+$/.test(s) ? ok(Number(s)) : err('not a number'))) // ok(12)
 * ```
 */
export const flatMap = <T, U, E, F>(
  result: Result<T, E>,
  fn: (value: T) => Result<U, F>,
): Result<U, E | F> => (result.ok ? fn(result.value) : result)

/**
 * Folds a Result into one value by handling both sides.
 *
 * @example
 * ```ts
 * match(err('x'), { ok: () => 200, err: () => 500 }) // 500
 * ```
 */
export const match = <T, E, R>(
  result: Result<T, E>,
  handlers: { ok: (value: T) => R; err: (error: E) => R },
): R => (result.ok ? handlers.ok(result.value) : handlers.err(result.error))

/**
 * The value of a successful Result, or `fallback` for a failed one.
 *
 * @example
 * ```ts
 * unwrapOr(err('x'), 0) // 0
 * ```
 */
export const unwrapOr = <T, E, F>(result: Result<T, E>, fallback: F): T | F =>
  result.ok ? result.value : fallback

/**
 * The value types of a tuple of Results.
 *
 * @example
 * ```ts
 * type Values = OkValues<[Result<number, string>, Result<boolean, Error>]> // [number, boolean]
 * ```
 */
export type OkValues<R extends readonly Result<unknown, unknown>[]> = {
  -readonly [K in keyof R]: R[K] extends Result<infer T, unknown> ? T : never
}

/**
 * The union of error types of a tuple of Results.
 *
 * @example
 * ```ts
 * type Errors = ErrValues<[Result<number, string>, Result<boolean, Error>]> // string | Error
 * ```
 */
export type ErrValues<R extends readonly Result<unknown, unknown>[]> =
  R[number] extends Result<unknown, infer E> ? E : never

/**
 * Combines several Results into one: all values in order, or the first error.
 *
 * @example
 * ```ts
 * all([ok(1), ok('a')]) // ok([1, 'a'])
 * all([ok(1), err('bad'), err('worse')]) // err('bad')
 * ```
 */
export const all = <const R extends readonly Result<unknown, unknown>[]>(
  results: R,
): Result<OkValues<R>, ErrValues<R>> => {
  const values: unknown[] = []
  for (const result of results) {
    if (!result.ok) return result as Err<ErrValues<R>>
    values.push(result.value)
  }
  return ok(values as OkValues<R>)
}

/**
 * Splits Results into the values and the errors, keeping every error (where {@link all} keeps
 * the first only).
 *
 * @example
 * ```ts
 * partition([ok(1), err('a'), ok(2)]) // { values: [1, 2], errors: ['a'] }
 * ```
 */
export const partition = <T, E>(results: Iterable<Result<T, E>>): { values: T[]; errors: E[] } => {
  const values: T[] = []
  const errors: E[] = []
  for (const result of results) {
    if (result.ok) values.push(result.value)
    else errors.push(result.error)
  }
  return { values, errors }
}

/**
 * The error of a value that a `tryCatch` / `tryAsync` success test refused: the function
 * returned, but not a success. Carries the refused `value`; its message never shows it (the value
 * may be a secret or a large payload). Not an `AppError`: at the Middy boundary it is a 500 that
 * shows nothing, as any unexpected error.
 *
 * @example
 * ```ts
 * const find = tryCatch((id: string) => orders.get(id), { isSuccess: (o) => o !== undefined })
 * const result = find('42')
 * if (!result.ok && result.error instanceof RefusedValueError) console.log(result.error.value) // undefined
 * ```
 */
export class RefusedValueError<T = unknown> extends Error {
  /** Always `'REFUSED_VALUE'`. */
  readonly code: 'REFUSED_VALUE' = 'REFUSED_VALUE'
  /** What the function returned. */
  readonly value: T

  constructor(value: T, message = 'the returned value did not pass the success test') {
    super(message)
    this.name = 'RefusedValueError'
    this.value = value
  }
}

/**
 * Options of {@link tryCatch} and {@link tryAsync}: a success test for the returned value, and the
 * error mapper.
 *
 * @example
 * ```ts
 * const options: TryOptions<number, string> = { isSuccess: (n) => n > 0, onError: String }
 * tryCatch((s: string) => Number(s), options)('-1') // err('RefusedValueError: the returned value ...')
 * ```
 */
export interface TryOptions<T, E> {
  /**
   * Decides whether a returned value is a success (the seed's predicate). A refused value becomes
   * an `err` of {@link RefusedValueError} (through `onError` when given). A type guard narrows the
   * `ok` type. A test that throws is an `err` as a throwing function is.
   */
  isSuccess?: (value: T) => boolean
  /** Maps what was thrown, or the {@link RefusedValueError} of a refused value, to the error type. */
  onError?: (thrown: unknown) => E
}

/**
 * {@link TryOptions} whose success test is a type guard: the `ok` type is `S`.
 *
 * @example
 * ```ts
 * const found = tryCatch((id: string) => orders.get(id), { isSuccess: (o): o is Order => o !== undefined })
 * found('42') // Result<Order, Error>, not Result<Order | undefined, Error>
 * ```
 */
export interface TryGuardOptions<T, S extends T, E> extends TryOptions<T, E> {
  isSuccess: (value: T) => value is S
}

/**
 * The success test and the error mapper of a `(fn, onError)` or `(fn, { isSuccess, onError })`
 * call, checked once when the function is wrapped: one that is not a function is a `TypeError`
 * naming it, rather than an `err` on every call.
 */
const optionsOf = <T, E>(
  wrapper: 'tryCatch' | 'tryAsync',
  second: ((thrown: unknown) => E) | TryOptions<T, E> | undefined,
): {
  isSuccess: ((value: T) => boolean) | undefined
  mapThrown: (thrown: unknown) => E | Error
} => {
  if (typeof second === 'function') return { isSuccess: undefined, mapThrown: second }
  if (second !== undefined && (typeof second !== 'object' || second === null)) {
    throw new TypeError(`${wrapper}: the second argument must be an onError function or options`)
  }
  const { isSuccess, onError } = second ?? {}
  for (const [name, value] of [
    ['isSuccess', isSuccess],
    ['onError', onError],
  ] as const) {
    if (value !== undefined && typeof value !== 'function') {
      throw new TypeError(`${wrapper}: ${name} must be a function`)
    }
  }
  return { isSuccess, mapThrown: onError ?? toError }
}

/**
 * Wraps a throwing function so that it returns a Result (the seed's monadic try decorator).
 * `onError` maps what was thrown to the error type; by default it becomes an `Error`. With
 * `{ isSuccess }`, a returned value the test refuses is an `err` too: a {@link RefusedValueError}
 * carrying the value (passed through `onError` when given).
 *
 * @example
 * ```ts
 * const parse = tryCatch(JSON.parse)
 * parse('{"a":1}') // ok({ a: 1 })
 * parse('{')       // err(SyntaxError)
 *
 * const positive = tryCatch((s: string) => Number(s), { isSuccess: (n) => n > 0 })
 * positive('-1')   // err(RefusedValueError { value: -1 })
 * ```
 */
export function tryCatch<A extends unknown[], T>(
  fn: (...args: A) => T,
): (...args: A) => Result<T, Error>
export function tryCatch<A extends unknown[], T, E>(
  fn: (...args: A) => T,
  onError: (thrown: unknown) => E,
): (...args: A) => Result<T, E>
export function tryCatch<A extends unknown[], T, S extends T>(
  fn: (...args: A) => T,
  options: TryGuardOptions<T, S, never> & { onError?: undefined },
): (...args: A) => Result<S, Error>
export function tryCatch<A extends unknown[], T, S extends T, E>(
  fn: (...args: A) => T,
  options: TryGuardOptions<T, S, E> & { onError: (thrown: unknown) => E },
): (...args: A) => Result<S, E>
export function tryCatch<A extends unknown[], T>(
  fn: (...args: A) => T,
  options: TryOptions<T, never> & { onError?: undefined },
): (...args: A) => Result<T, Error>
export function tryCatch<A extends unknown[], T, E>(
  fn: (...args: A) => T,
  options: TryOptions<T, E> & { onError: (thrown: unknown) => E },
): (...args: A) => Result<T, E>
export function tryCatch<A extends unknown[], T, E>(
  fn: (...args: A) => T,
  second?: ((thrown: unknown) => E) | TryOptions<T, E>,
): (...args: A) => Result<T, E | Error> {
  const { isSuccess, mapThrown } = optionsOf('tryCatch', second)
  return (...args: A) => {
    try {
      const value = fn(...args)
      if (isSuccess === undefined || isSuccess(value)) return ok(value)
      return err(mapThrown(new RefusedValueError(value)))
    } catch (thrown) {
      return err(mapThrown(thrown))
    }
  }
}

/**
 * Wraps an async (or sync) throwing function so that it resolves to a Result and never rejects.
 * Takes the same `onError` or `{ isSuccess, onError }` as {@link tryCatch}; the success test sees
 * the awaited value.
 *
 * @example
 * ```ts
 * const load = tryAsync(async (id: string) => db.get(id))
 * const result = await load('42') // ok(item) or err(Error)
 *
 * const found = tryAsync(async (id: string) => db.get(id), { isSuccess: (item) => item !== undefined })
 * await found('missing') // err(RefusedValueError { value: undefined })
 * ```
 */
export function tryAsync<A extends unknown[], T>(
  fn: (...args: A) => T | PromiseLike<T>,
): (...args: A) => Promise<Result<Awaited<T>, Error>>
export function tryAsync<A extends unknown[], T, E>(
  fn: (...args: A) => T | PromiseLike<T>,
  onError: (thrown: unknown) => E,
): (...args: A) => Promise<Result<Awaited<T>, E>>
export function tryAsync<A extends unknown[], T, S extends Awaited<T>>(
  fn: (...args: A) => T | PromiseLike<T>,
  options: TryGuardOptions<Awaited<T>, S, never> & { onError?: undefined },
): (...args: A) => Promise<Result<S, Error>>
export function tryAsync<A extends unknown[], T, S extends Awaited<T>, E>(
  fn: (...args: A) => T | PromiseLike<T>,
  options: TryGuardOptions<Awaited<T>, S, E> & { onError: (thrown: unknown) => E },
): (...args: A) => Promise<Result<S, E>>
export function tryAsync<A extends unknown[], T>(
  fn: (...args: A) => T | PromiseLike<T>,
  options: TryOptions<Awaited<T>, never> & { onError?: undefined },
): (...args: A) => Promise<Result<Awaited<T>, Error>>
export function tryAsync<A extends unknown[], T, E>(
  fn: (...args: A) => T | PromiseLike<T>,
  options: TryOptions<Awaited<T>, E> & { onError: (thrown: unknown) => E },
): (...args: A) => Promise<Result<Awaited<T>, E>>
export function tryAsync<A extends unknown[], T, E>(
  fn: (...args: A) => T | PromiseLike<T>,
  second?: ((thrown: unknown) => E) | TryOptions<Awaited<T>, E>,
): (...args: A) => Promise<Result<Awaited<T>, E | Error>> {
  const { isSuccess, mapThrown } = optionsOf('tryAsync', second)
  return async (...args: A) => {
    try {
      const value = await fn(...args)
      if (isSuccess === undefined || isSuccess(value)) return ok(value)
      return err(mapThrown(new RefusedValueError(value)))
    } catch (thrown) {
      return err(mapThrown(thrown))
    }
  }
}
