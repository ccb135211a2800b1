/**
 * The header and query maps of an HTTP event, checked and collected: the checks that run on every
 * invocation (values are text), and the views built on first read (single-value and multi-value
 * headers, query parameters from a map or a raw query string, decoded). Where each shape keeps its
 * maps is `http-shapes.ts`'s job; this file only reads the maps it is given.
 */

import { BadRequestError } from '../errors/index.ts'
import { asRecord, dict, safeDecode } from '../internal/guards.ts'
import { err, ok, type Result } from '../result/index.ts'

/** Header or parameter values must be strings; numbers and booleans are taken as text. */
const textOf = (value: unknown): string | null | undefined => {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value === null || value === undefined) return undefined
  return null
}

const notText = (name: string) =>
  err(new BadRequestError(`Header or parameter '${name}' does not have a string value`))

/**
 * Visits the headers of the single-value view: the `headers` map when the event has one (API
 * Gateway puts the last value of a repeated header there), else the last value of each
 * multi-value header (ALB in multi-value mode, Lattice v2); own keys only, text values only.
 * The values were checked by {@link checkValues} before; what is not text is skipped. `only` (a
 * lower-case name) limits the visit to the spellings of one header.
 */
const eachHeader = (
  single: unknown,
  multi: unknown,
  visit: (name: string, value: string) => void,
  only?: string,
): void => {
  const singleRecord = asRecord(single)
  if (singleRecord !== undefined) {
    for (const name of Object.keys(singleRecord)) {
      if (only !== undefined && name.toLowerCase() !== only) continue
      const value = textOf(singleRecord[name])
      if (typeof value === 'string') visit(name, value)
    }
    return
  }
  // API Gateway REST v1 sends the same headers in both maps: the single map is enough.
  const multiRecord = asRecord(multi) ?? {}
  for (const name of Object.keys(multiRecord)) {
    if (only !== undefined && name.toLowerCase() !== only) continue
    const values = multiRecord[name]
    const last: unknown = Array.isArray(values) ? values[values.length - 1] : values
    if (typeof last === 'string') visit(name, last)
  }
}

/** The single-value view of headers, by lower-case name (a later spelling of a name wins). */
export const singleHeaders = (single: unknown, multi: unknown): Record<string, string> => {
  const headers = dict<string>()
  eachHeader(single, multi, (name, value) => {
    headers[name.toLowerCase()] = value
  })
  return headers
}

/** One header of {@link singleHeaders}, by lower-case name, without building the others. */
export const singleHeader = (
  single: unknown,
  multi: unknown,
  wanted: string,
): string | undefined => {
  let found: string | undefined
  eachHeader(
    single,
    multi,
    (_name, value) => {
      found = value
    },
    wanted,
  )
  return found
}

/** The one passing check, shared: checks run on every invocation. */
const OK: Result<void, never> = Object.freeze(ok(undefined))

/**
 * Checks the values of a header or query map without building anything (the views are built on
 * first read): single maps hold text, multi-value maps lists of text (or, `loose`, one text).
 */
export const checkValues = (
  map: unknown,
  multi: boolean,
  loose = false,
): Result<void, BadRequestError> => {
  const record = asRecord(map)
  if (record === undefined) return OK
  if (!multi) {
    for (const name in record) if (textOf(record[name]) === null) return notText(name)
    return OK
  }
  for (const name in record) {
    const values = record[name]
    // Lattice v2 lists, as some tools write them, may be a plain string: one value
    if (loose && typeof values === 'string') continue
    if (!Array.isArray(values)) return notText(name)
    for (const item of values) if (typeof item !== 'string') return notText(name)
  }
  return OK
}

/**
 * Merges a single-value map and a multi-value map into name -> all values. The multi-value map
 * wins for a name present in both (API Gateway and ALB put the same values in both). Values were
 * checked before; anything that is not text is skipped here.
 */
export const collect = (
  single: unknown,
  multi: unknown,
  lowerCase: boolean,
  decode: boolean,
): Record<string, string[]> => {
  const all = dict<string[]>()
  const add = (rawName: string, value: unknown) => {
    const text = textOf(value)
    if (typeof text !== 'string') return
    const name = lowerCase ? rawName.toLowerCase() : decodeComponent(rawName, decode)
    const item = decode ? decodeComponent(text, true) : text
    const list = all[name]
    if (list === undefined) all[name] = [item]
    else list.push(item)
  }
  const multiRecord = asRecord(multi)
  if (multiRecord !== undefined) {
    for (const name in multiRecord) {
      const values = multiRecord[name]
      for (const value of Array.isArray(values) ? values : [values]) add(name, value)
    }
  }
  const singleRecord = asRecord(single)
  if (singleRecord !== undefined) {
    for (const name in singleRecord) {
      const key = lowerCase ? name.toLowerCase() : decodeComponent(name, decode)
      if (multiRecord === undefined || !(key in all)) add(name, singleRecord[name])
    }
  }
  return all
}

const decodeComponent = (text: string, decode: boolean): string =>
  decode ? (safeDecode(text.replaceAll('+', ' ')) ?? text) : text

/** The last value of each name (what a single-value view shows, as API Gateway does). */
export const lastValues = (all: Record<string, string[]>): Record<string, string> => {
  const single = dict<string>()
  for (const name in all) {
    const values = all[name] as string[]
    single[name] = values[values.length - 1] as string
  }
  return single
}

/** Parses a raw query string (`a=1&a=2&b`) into name -> all values. */
export const parseRawQuery = (raw: string): Record<string, string[]> => {
  const all = dict<string[]>()
  if (raw === '') return all
  for (const pair of raw.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const name = decodeComponent(eq < 0 ? pair : pair.slice(0, eq), true)
    const value = eq < 0 ? '' : decodeComponent(pair.slice(eq + 1), true)
    const list = all[name]
    if (list === undefined) all[name] = [value]
    else list.push(value)
  }
  return all
}

/**
 * RFC 9110 section 5.3 combines the lines of a field with `, `; RFC 9113 section 8.2.3 combines
 * cookies with `; `.
 */
export const combine = (name: string, values: readonly string[]): string =>
  values.join(name === 'cookie' ? '; ' : ', ')
