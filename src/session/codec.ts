/**
 * The session cookie's value: base64url JSON, and when signed `<payload>.<signature>`, the
 * signature an HMAC-SHA256 of `name=payload` (so that a value signed for one cookie is refused
 * as another). Reading never throws: whatever is not a well-formed, well-signed JSON object is
 * `undefined`. Internal to metis-app.
 */

import { createHmac, timingSafeEqual } from 'node:crypto'

/** The largest cookie browsers keep (RFC 6265 section 6.1; Chrome, Firefox, Safari): `name=value`. */
export const COOKIE_LIMIT = 4096

/** An HMAC-SHA256 key shorter than its output weakens it (RFC 2104 section 3). */
export const MIN_KEY_BYTES = 32

/** base64url without padding, as Node writes it: the only form `set` emits. */
const BASE64URL = /^[A-Za-z0-9_-]+$/

/** The HMAC-SHA256 of `name=payload`, base64url. */
export const sign = (key: Uint8Array, name: string, payload: string): string =>
  createHmac('sha256', key).update(`${name}=${payload}`).digest('base64url')

/** The cookie value of `json`: its UTF-8 bytes in base64url, signed when a key is given. */
export const encode = (name: string, json: string, key: Uint8Array | undefined): string => {
  const payload = Buffer.from(json, 'utf8').toString('base64url')
  return key === undefined ? payload : `${payload}.${sign(key, name, payload)}`
}

/** The signature in `value` matches, compared in constant time. */
const verified = (key: Uint8Array, name: string, payload: string, signature: string): boolean => {
  const expected = Buffer.from(sign(key, name, payload), 'ascii')
  const given = Buffer.from(signature, 'ascii')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** The JSON object a cookie value holds, or undefined when it is not one. */
export const decode = (
  name: string,
  value: string,
  key: Uint8Array | undefined,
): Record<string, unknown> | undefined => {
  if (name.length + 1 + value.length > COOKIE_LIMIT) return undefined
  const dot = value.indexOf('.')
  const payload = key === undefined || dot < 0 ? value : value.slice(0, dot)
  if (key !== undefined) {
    if (dot < 0 || !verified(key, name, payload, value.slice(dot + 1))) return undefined
  }
  // Node's decoder skips what is not base64url: only the canonical form it writes is read.
  if (!BASE64URL.test(payload)) return undefined
  const bytes = Buffer.from(payload, 'base64url')
  if (bytes.toString('base64url') !== payload) return undefined
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  let data: unknown
  try {
    data = JSON.parse(text.decode(bytes))
  } catch {
    return undefined
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined
  return data as Record<string, unknown>
}

/**
 * The raw values of cookie `name` in `Cookie` lines (`a=1; b=2`), in order, without decoding:
 * more than one means the browser holds several (other paths or domains) and none is trusted.
 */
export const rawValues = (lines: readonly string[], name: string): string[] => {
  const values: string[] = []
  for (const line of lines) {
    for (const pair of line.split(';')) {
      const eq = pair.indexOf('=')
      if (eq > 0 && pair.slice(0, eq).trim() === name) values.push(pair.slice(eq + 1).trim())
    }
  }
  return values
}
