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

/** The success side of a {@link Result}. */
export interface Ok<T> {
  /** Always `true`: tells an `Ok` from an `Err`. */
  readonly ok: true
  /** The value. */
  readonly value: T
}

/** The failure side of a {@link Result}. */
export interface Err<E> {
  /** Always `false`: tells an `Err` from an `Ok`. */
  readonly ok: false
  /** The error. */
  readonly error: E
}

/** Either a value of type `T` or an error of type `E`, told apart by the `ok` flag. */
export type Result<T, E = Error> = Ok<T> | Err<E>

/** A Result, or a promise of one. */
export type AsyncResult<T, E = Error> = Promise<Result<T, E>>

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

/** True when the Result holds a value. */
export const isOk = <T, E>(result: Result<T, E>): result is Ok<T> => result.ok

/** True when the Result holds an error. */
export const isErr = <T, E>(result: Result<T, E>): result is Err<E> => !result.ok

/**
 * True when `value` has the shape of a Result (an object with a boolean `ok` and the matching
 * `value` or `error` key). Used to tell a handler's Result from a plain return value.
 */
export const isResult = (value: unknown): value is Result<unknown, unknown> => {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as { ok?: unknown }
  if (candidate.ok === true) return 'value' in candidate
  if (candidate.ok === false) return 'error' in candidate
  return false
}

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

/** The value types of a tuple of Results. */
export type OkValues<R extends readonly Result<unknown, unknown>[]> = {
  -readonly [K in keyof R]: R[K] extends Result<infer T, unknown> ? T : never
}

/** The union of error types of a tuple of Results. */
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

/** Turns whatever was thrown into an `Error`, keeping it as the `cause` when it was not one. */
export const toError = (thrown: unknown): Error =>
  thrown instanceof Error ? thrown : new Error(String(thrown), { cause: thrown })

/**
 * Wraps a throwing function so that it returns a Result (the seed's monadic try decorator).
 * `onError` maps what was thrown to the error type; by default it becomes an `Error`.
 *
 * @example
 * ```ts
 * const parse = tryCatch(JSON.parse)
 * parse('{"a":1}') // ok({ a: 1 })
 * parse('{')       // err(SyntaxError)
 * ```
 */
export function tryCatch<A extends unknown[], T>(
  fn: (...args: A) => T,
): (...args: A) => Result<T, Error>
export function tryCatch<A extends unknown[], T, E>(
  fn: (...args: A) => T,
  onError: (thrown: unknown) => E,
): (...args: A) => Result<T, E>
export function tryCatch<A extends unknown[], T, E>(
  fn: (...args: A) => T,
  onError?: (thrown: unknown) => E,
): (...args: A) => Result<T, E | Error> {
  const mapThrown = onError ?? toError
  return (...args: A) => {
    try {
      return ok(fn(...args))
    } catch (thrown) {
      return err(mapThrown(thrown))
    }
  }
}

/**
 * Wraps an async (or sync) throwing function so that it resolves to a Result and never rejects.
 *
 * @example
 * ```ts
 * const load = tryAsync(async (id: string) => db.get(id))
 * const result = await load('42') // ok(item) or err(Error)
 * ```
 */
export function tryAsync<A extends unknown[], T>(
  fn: (...args: A) => T | PromiseLike<T>,
): (...args: A) => Promise<Result<Awaited<T>, Error>>
export function tryAsync<A extends unknown[], T, E>(
  fn: (...args: A) => T | PromiseLike<T>,
  onError: (thrown: unknown) => E,
): (...args: A) => Promise<Result<Awaited<T>, E>>
export function tryAsync<A extends unknown[], T, E>(
  fn: (...args: A) => T | PromiseLike<T>,
  onError?: (thrown: unknown) => E,
): (...args: A) => Promise<Result<Awaited<T>, E | Error>> {
  const mapThrown = onError ?? toError
  return async (...args: A) => {
    try {
      return ok(await fn(...args))
    } catch (thrown) {
      return err(mapThrown(thrown))
    }
  }
}
