/**
 * Defensive readers for untrusted input (Lambda events, token endpoints, stores): each returns
 * `undefined` instead of throwing when the value has the wrong type. Internal to metis-app.
 */

/** A plain object record, or undefined. */
export type Json = Record<string, unknown>

/** `value` when it is a non-null, non-array object. */
export const asRecord = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined

/** True when `value` is a non-null, non-array object (the guard form of {@link asRecord}). */
export const isRecord = (value: unknown): value is Json => asRecord(value) !== undefined

/** `value` when it is a string. */
export const asString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined

/** `value` when it is a finite number. */
export const asNumber = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined

/** `value` when it is an array. */
export const asArray = (value: unknown): unknown[] | undefined =>
  Array.isArray(value) ? value : undefined

/** Reads a nested property path, undefined as soon as a step is not an object. */
export const pick = (value: unknown, ...path: string[]): unknown => {
  let current: unknown = value
  for (const key of path) {
    const record = asRecord(current)
    if (record === undefined) return undefined
    current = record[key]
  }
  return current
}

/** The last `:`-separated segment of an ARN (queue, topic names), or undefined. */
export const arnName = (arn: unknown): string | undefined => {
  const text = asString(arn)
  if (text === undefined) return undefined
  const name = text.slice(text.lastIndexOf(':') + 1)
  return name === '' ? undefined : name
}

/** True when text holds CR, LF or NUL: in a header it would end the line and start another. */
export const hasLineBreak = (text: string): boolean => LINE_BREAK.test(text)
const LINE_BREAK = /[\r\n\0]/

/** `decodeURIComponent` that answers undefined instead of throwing on a malformed escape. */
export const safeDecode = (text: string): string | undefined => {
  if (!text.includes('%')) return text
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}

/**
 * Objects built by this constructor have no `Object.prototype` in their chain (so a `__proto__` or
 * `constructor` key from input is just a key), yet stay in V8's fast mode, unlike
 * `Object.create(null)`, which starts in dictionary mode and is slower to fill.
 */
function NullPrototype(): void {}
NullPrototype.prototype = Object.freeze(Object.create(null))

/** A prototype-free object, safe against `__proto__` keys from input. */
export const dict = <T>(): Record<string, T> =>
  new (NullPrototype as unknown as new () => Record<string, T>)()

/** The string-valued entries of an object, in a prototype-free record (others are skipped). */
export const stringEntries = (value: unknown): Record<string, string> => {
  const out = dict<string>()
  const record = asRecord(value)
  for (const name in record) {
    const item = record[name]
    if (typeof item === 'string') out[name] = item
  }
  return out
}
