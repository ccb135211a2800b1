import fc from 'fast-check'
import { redactor } from 'metis-app/observer'
import { describe, expect, it } from 'vitest'

const SECRET = 'zq-secret-9f31'

/** A field name to redact, in any mix of upper and lower case. */
const secretField = fc
  .constantFrom('authorization', 'cookie', 'set-cookie', 'password', 'X-Api-Key')
  .chain((name) =>
    fc
      .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
      .map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('')),
  )

/** Wraps a value in `depth` layers of objects and arrays beside arbitrary JSON. */
const nestAt = (value: unknown) =>
  fc
    .array(fc.tuple(fc.boolean(), fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 })), {
      maxLength: 6,
    })
    .map((layers) =>
      layers.reduce<unknown>(
        (inner, [asArray, key, noise]) =>
          asArray ? [noise, inner] : { noise, [key === 'noise' ? 'k' : key]: inner },
        value,
      ),
    )

describe('redactor (property)', () => {
  it('never lets a secret under a redacted field, in any case, at any depth, through', () => {
    const secretValue = fc.constantFrom<unknown>(
      SECRET,
      [SECRET],
      { value: SECRET },
      `Bearer ${SECRET}`,
    )
    const sibling = fc.jsonValue({ maxDepth: 2 })
    const event = fc
      .tuple(secretField, secretValue, sibling)
      .chain(([field, secret, other]) => nestAt({ [field]: secret, other }))
    const redact = redactor(['password'])
    fc.assert(
      fc.property(event, (value) => {
        expect(JSON.stringify(redact(value))).not.toContain(SECRET)
      }),
      { numRuns: 300 },
    )
  })

  it('never lets a bearer token inside text or JSON text through', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.stringMatching(/^[A-Za-z0-9._~+/-]{8,40}$/),
        fc.boolean(),
        (prefix, token, asJson) => {
          const text = `${prefix} Bearer ${token}`
          const value = asJson ? JSON.stringify({ note: text }) : text
          fc.pre(!prefix.includes(token))
          expect(JSON.stringify(redactor()(value))).not.toContain(token)
        },
      ),
    )
  })

  it('never lets a field value through in JSON text that does not parse, encoded once or twice', () => {
    /** Text around the secret that JSON must escape: quotes, backslashes, commas, braces. */
    const awkward = fc.string({
      unit: fc.constantFrom('"', '\\', "'", ',', '}', ']', ':', ' ', '\n', 'a', '\\"'),
      maxLength: 8,
    })
    /** Ways a body stops being JSON: a trailing comma, a cut end, a stray character. */
    const corrupt = fc.constantFrom(
      (text: string) => text.replace(/\}\s*$/, ',}'),
      (text: string) => text.replace(/\}\s*$/, ''),
      (text: string) => `${text}x`,
      (text: string) => text.replace(/^\{/, '{,'),
    )
    fc.assert(
      fc.property(
        secretField,
        awkward,
        awkward,
        fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
        fc.constantFrom(0, 2),
        corrupt,
        fc.boolean(),
        (field, before, after, others, indent, breakIt, twice) => {
          const body = breakIt(
            JSON.stringify({ ...others, [field]: `${before}${SECRET}${after}` }, null, indent),
          )
          const text = twice ? JSON.stringify(body) : body
          expect(JSON.stringify(redactor(['password'])(text))).not.toContain(SECRET)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('never lets a header value written as text through', () => {
    fc.assert(
      fc.property(
        secretField,
        fc.string({ maxLength: 20 }).filter((text) => !/[\r\n]/.test(text)),
        fc.constantFrom('\r\n', '\n', ' '),
        fc.constantFrom(':', ': ', ' :\t'),
        (field, prefix, eol, colon) => {
          const text = `${prefix}${eol}${field}${colon}x=${SECRET}; y=${SECRET}${eol}Host: h`
          expect(redactor(['password'])(text)).not.toContain(SECRET)
        },
      ),
    )
  })
})
