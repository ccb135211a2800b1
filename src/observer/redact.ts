/**
 * Redaction of what the observer logs: events and errors are copied with secret fields replaced,
 * so that a bearer token, a cookie or a configured secret never reaches a log line.
 */

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]'

/**
 * Field names redacted by default (compared lower-cased, at any depth): the HTTP credential
 * headers, the credentials API Gateway copies into its events (`requestContext.identity.apiKey`,
 * the `x-amz-security-token` of IAM-signed calls, a TOKEN authorizer's `authorizationToken`), the
 * OAuth 2 token and client-secret fields, and `password`. `password` is a default rather than left
 * to configuration because a login body is the most common secret a logged event carries, and
 * forgetting to configure it costs a leak while redacting it costs nothing.
 */
export const DEFAULT_REDACTED_FIELDS: readonly string[] = (
  'authorization proxy-authorization cookie cookies set-cookie x-api-key apikey ' +
  'x-amz-security-token authorizationtoken access_token refresh_token id_token client_secret password'
).split(' ')

/**
 * What the `body` of an object with `isBase64Encoded: true` is replaced with: the encoded body may
 * be a form post with secrets in it or a large binary, so it is neither logged nor decoded.
 */
export const REDACTED_BASE64_BODY = '[REDACTED base64 body]'

/** How deep a logged value is copied; deeper values are replaced by a marker. */
const MAX_DEPTH = 12

/** `Bearer <token>` and `Basic <credentials>` inside free text (error messages, stacks, bodies). */
const CREDENTIAL_IN_TEXT = /\b(bearer|basic)(\s+)([A-Za-z0-9\-._~+/]+=*)/gi

/**
 * Words that follow `bearer` / `basic` in prose ("the bearer token is not a compact JWS"), which
 * stay as they are; any other word after the scheme is taken for a credential and masked.
 */
const PROSE_AFTER_SCHEME = new Set([
  ...'access auth authentication authorization challenge credential credentials'.split(' '),
  ...'header jwt or realm scheme token tokens'.split(' '),
])

const isCredential = (word: string): boolean =>
  !PROSE_AFTER_SCHEME.has((word.endsWith('.') ? word.slice(0, -1) : word).toLowerCase())

const maskCredentials = (text: string): string =>
  text.replace(CREDENTIAL_IN_TEXT, (match: string, scheme: string, _space: string, word: string) =>
    isCredential(word) ? `${scheme} ${REDACTED}` : match,
  )

/**
 * A value after `"field":` in JSON text that did not parse: a JSON string (possibly cut short), a
 * single-quoted string, a string of JSON encoded twice (`\"...\"`, where an escaped quote inside
 * is three backslashes and a quote), or anything else up to the next `,`, `}`, `]` or line end.
 */
const JSON_VALUE = [
  String.raw`"(?:[^"\\]|\\[\s\S])*(?:"|\\?$)`,
  String.raw`'(?:[^'\\]|\\[\s\S])*(?:'|\\?$)`,
  String.raw`\\"(?:\\{4}|\\{3}"|\\{1,2}[^"\\]|[^\\])*(?:\\"|\\*$)`,
  String.raw`[^,}\]\r\n]*`,
].join('|')

/**
 * A function that returns a redacted copy of any value.
 *
 * @example
 * ```ts
 * const redact: Redactor = redactor(['pin'])
 * redact({ pin: '1234', amount: 10 }) // { pin: '[REDACTED]', amount: 10 }
 * ```
 */
export type Redactor = (value: unknown) => unknown
type Seen = WeakSet<object>
type Entries = Array<[string, unknown]>

/**
 * Builds a redactor for the default fields plus `extra` (case-insensitive names). The copy
 * replaces the value of a matching field at any depth; reads JSON text (a logged body, also JSON
 * encoded twice) and redacts inside it; replaces a base64 `body` with `'[REDACTED base64 body]'`;
 * and in other text masks `Bearer`/`Basic` credentials, `field=value`, `"field": value` (JSON that
 * did not parse) and `Field: value` header lines. It survives cycles.
 *
 * @example
 * ```ts
 * const redact = redactor(['pin'])
 * redact({ headers: { Authorization: 'Bearer x' }, pin: '1234', body: '{"password":"p",}' })
 * // { headers: { Authorization: '[REDACTED]' }, pin: '[REDACTED]',
 * //   body: '{"password":"[REDACTED]",}' }
 * ```
 */
export const redactor = (extra: readonly string[] = []): Redactor => {
  const fields = new Set([...DEFAULT_REDACTED_FIELDS, ...extra].map((name) => name.toLowerCase()))
  fields.delete('')
  const names = [...fields].map(escapeRegExp).join('|')
  // One scan decides whether the three field patterns below need to run at all.
  const anyField = new RegExp(names, 'i')
  // `name=value` in a query string or form body.
  const fieldInText = new RegExp(String.raw`(^|[?&;\s])(${names})=[^&;\s]*`, 'gi')
  // `"name": value` in JSON text that did not parse (or quoted in an error message), the quotes
  // possibly escaped once (JSON encoded twice).
  const fieldInJson = new RegExp(String.raw`(\\?["'])(${names})\1(\s*:\s*)(?:${JSON_VALUE})`, 'gi')
  // `Name: value` header lines written as text: masked to the end of the line, not to the first
  // `;`, because a Cookie header's value is itself a `;`-separated list of secrets.
  const headerInText = new RegExp(String.raw`(?<![\w-])(${names})([ \t]*:[ \t]*)[^\r\n]*`, 'gi')

  const copy = (value: unknown, depth: number, seen: Seen): unknown => {
    if (typeof value === 'string') return redactText(value, depth, seen)
    if (typeof value !== 'object' || value === null) return value
    if (seen.has(value)) return '[Circular]'
    if (depth >= MAX_DEPTH) return '[Truncated]'
    seen.add(value)
    if (Array.isArray(value)) return value.map((item) => copy(item, depth + 1, seen))
    if (value instanceof Error) return copyEntries(errorEntries(value), depth, seen)
    const entries = Object.entries(value)
    if (hasBase64Body(value)) return copyEntries(entries.map(hideBody), depth, seen)
    return copyEntries(entries, depth, seen)
  }

  const copyEntries = (entries: Entries, depth: number, seen: Seen): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    for (const [key, item] of entries) {
      out[key] = fields.has(key.toLowerCase()) ? REDACTED : copy(item, depth + 1, seen)
    }
    return out
  }

  const redactText = (text: string, depth: number, seen: Seen): string => {
    const first = text.trimStart()[0]
    if (first === '{' || first === '[' || first === '"') {
      const parsed = parseJson(text)
      if (parsed !== undefined) return JSON.stringify(copy(parsed, depth + 1, seen))
    }
    const masked = maskCredentials(text)
    if (!anyField.test(masked)) return masked
    return masked
      .replace(fieldInText, `$1$2=${REDACTED}`)
      .replace(fieldInJson, `$1$2$1$3$1${REDACTED}$1`)
      .replace(headerInText, `$1$2${REDACTED}`)
  }

  return (value) => copy(value, 0, new WeakSet())
}

/** API Gateway, ALB and function URLs set `isBase64Encoded` on an event whose `body` is base64. */
const hasBase64Body = (value: object): boolean => {
  const { isBase64Encoded, body } = value as { isBase64Encoded?: unknown; body?: unknown }
  return isBase64Encoded === true && typeof body === 'string'
}

/** Neither decoded nor copied: see {@link REDACTED_BASE64_BODY}. */
const hideBody = (entry: [string, unknown]): [string, unknown] =>
  entry[0] === 'body' ? ['body', REDACTED_BASE64_BODY] : entry

/** An error's name, message, own fields, stack and cause, in that order. */
const errorEntries = (error: Error): Entries => {
  const entries: Entries = [
    ['name', error.name],
    ['message', error.message],
    ...Object.entries(error),
  ]
  if (error.stack !== undefined) entries.push(['stack', error.stack])
  if (error.cause !== undefined) entries.push(['cause', error.cause])
  return entries
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Text that starts with `{`, `[` or `"`: an object, an array, a string (JSON encoded twice). */
const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}
