/**
 * Internal to metis-app: tells a handler's Result from a plain return value, and makes an
 * `Error` of whatever was thrown.
 * @module
 */
import type { Result } from '../result/index.ts'

/**
 * True when `value` has the shape of a Result (an object with a boolean `ok` and the matching
 * `value` or `error` key). Used to tell a handler's Result from a plain return value.
 *
 * @example
 * ```ts
 * isResult(ok(1)) // true
 * isResult({ ok: true }) // false: no value
 * ```
 */
export const isResult = (value: unknown): value is Result<unknown, unknown> => {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as { ok?: unknown }
  if (candidate.ok === true) return 'value' in candidate
  if (candidate.ok === false) return 'error' in candidate
  return false
}

/** Turns whatever was thrown into an `Error`, keeping it as the `cause` when it was not one. */
export const toError = (thrown: unknown): Error =>
  thrown instanceof Error ? thrown : new Error(String(thrown), { cause: thrown })
