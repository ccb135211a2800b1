import { dict, safeDecode } from '../internal/guards.ts'

/**
 * Parses `Cookie` header values (`a=1; b=2`) into a name -> value map. The first occurrence of a
 * name wins (RFC 6265 section 5.4 orders the more specific path first); pairs without `=` and
 * names that are empty are skipped; values are percent-decoded when they decode cleanly.
 *
 * @example
 * ```ts
 * parseCookies(['session=abc; theme=dark']) // { session: 'abc', theme: 'dark' }
 * ```
 */
export const parseCookies = (headerValues: readonly string[]): Record<string, string> => {
  const cookies = dict<string>()
  for (const header of headerValues) {
    for (const pair of header.split(';')) {
      const eq = pair.indexOf('=')
      if (eq <= 0) continue
      const name = pair.slice(0, eq).trim()
      if (name === '' || name in cookies) continue
      let value = pair.slice(eq + 1).trim()
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
        value = value.slice(1, -1)
      }
      cookies[name] = safeDecode(value) ?? value
    }
  }
  return cookies
}
