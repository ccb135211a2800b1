/**
 * Redaction of what the observer logs: events and errors are copied with secret fields replaced,
 * so that a bearer token, a cookie or a configured secret never reaches a log line.
 */

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]'

/** Field names redacted by default (compared lower-cased, at any depth). */
export const DEFAULT_REDACTED_FIELDS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'cookies',
  'set-cookie',
  'x-api-key',
]

/** How deep a logged value is copied; deeper values are replaced by a marker. */
const MAX_DEPTH = 12

/** `Bearer <token>` and `Basic <credentials>` inside free text (error messages, stacks, bodies). */
const CREDENTIAL_IN_TEXT = /\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]+=*/gi

/** A function that returns a redacted copy of any value. */
export type Redactor = (value: unknown) => unknown

/**
 * Builds a redactor for the default fields plus `extra` (case-insensitive names). The copy
 * replaces the value of a matching field at any depth, masks credentials written in text, reads
 * JSON text (a logged body) and redacts inside it, and survives cycles.
 *
 * @example
 * ```ts
 * const redact = redactor(['password'])
 * redact({ headers: { Authorization: 'Bearer x' }, password: 'p' })
 * // { headers: { Authorization: '[REDACTED]' }, password: '[REDACTED]' }
 * ```
 */
export const redactor = (extra: readonly string[] = []): Redactor => {
  const fields = new Set([...DEFAULT_REDACTED_FIELDS, ...extra].map((name) => name.toLowerCase()))
  const fieldInText = new RegExp(
    `(^|[?&;\\s])(${[...fields].map(escapeRegExp).join('|')})=[^&;\\s]*`,
    'gi',
  )

  const copy = (value: unknown, depth: number, seen: WeakSet<object>): unknown => {
    if (typeof value === 'string') return redactText(value, depth, seen)
    if (typeof value !== 'object' || value === null) return value
    if (seen.has(value)) return '[Circular]'
    if (depth >= MAX_DEPTH) return '[Truncated]'
    seen.add(value)
    if (Array.isArray(value)) return value.map((item) => copy(item, depth + 1, seen))
    if (value instanceof Error) return copyEntries(errorEntries(value), depth, seen)
    return copyEntries(Object.entries(value), depth, seen)
  }

  const copyEntries = (
    entries: Array<[string, unknown]>,
    depth: number,
    seen: WeakSet<object>,
  ): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    for (const [key, item] of entries) {
      out[key] = fields.has(key.toLowerCase()) ? REDACTED : copy(item, depth + 1, seen)
    }
    return out
  }

  const redactText = (text: string, depth: number, seen: WeakSet<object>): string => {
    const first = text.trimStart()[0]
    if (first === '{' || first === '[') {
      const parsed = parseJson(text)
      if (parsed !== undefined) return JSON.stringify(copy(parsed, depth + 1, seen))
    }
    return text
      .replace(CREDENTIAL_IN_TEXT, `$1 ${REDACTED}`)
      .replace(fieldInText, `$1$2=${REDACTED}`)
  }

  return (value) => copy(value, 0, new WeakSet())
}

/** An error's name, message, own fields, stack and cause, in that order. */
const errorEntries = (error: Error): Array<[string, unknown]> => {
  const entries: Array<[string, unknown]> = [
    ['name', error.name],
    ['message', error.message],
    ...Object.entries(error),
  ]
  if (error.stack !== undefined) entries.push(['stack', error.stack])
  if (error.cause !== undefined) entries.push(['cause', error.cause])
  return entries
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Text that starts with `{` or `[` parses to an object or array, or not at all. */
const parseJson = (text: string): object | undefined => {
  try {
    return JSON.parse(text) as object
  } catch {
    return undefined
  }
}
