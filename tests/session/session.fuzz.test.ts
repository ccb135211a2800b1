import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SessionTooLargeError, sessionCookie } from '../../src/session/index.ts'
import { KEY, requestWith, shapes } from './support.ts'

const signed = sessionCookie({ signingKey: KEY })
const plain = sessionCookie()
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'
const cookieChar = fc.constantFrom(...ALPHABET)

/** A JSON object, as `JSON.stringify` would keep it. */
const data = fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), {
  maxKeys: 6,
})

/** One change to a cookie value, keeping it within the characters a signed cookie has. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('replace'), at: fc.nat(), char: cookieChar }),
  fc.record({ kind: fc.constant('insert'), at: fc.nat(), char: cookieChar }),
  fc.record({ kind: fc.constant('delete'), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate'), at: fc.nat() }),
)
type Mutation = { kind: string; at: number; char?: string }

const mutate = (value: string, { kind, at, char = '' }: Mutation): string => {
  const i = at % (value.length + 1)
  if (kind === 'replace') return value.slice(0, i) + char + value.slice(i + 1)
  if (kind === 'insert') return value.slice(0, i) + char + value.slice(i)
  if (kind === 'delete') return value.slice(0, i) + value.slice(i + 1)
  return value.slice(0, i)
}

describe('session cookies, for any input', () => {
  it('read back what set wrote, signed or not, in every HTTP shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        data,
        fc.boolean(),
        fc.constantFrom(...shapes),
        async (session, sign, shape) => {
          const cookie = sign ? signed : plain
          const written = await cookie.set(session).catch((error: unknown) => error)
          if (written instanceof SessionTooLargeError) {
            expect(written.bytes).toBeGreaterThan(4096)
            return
          }
          const { value } = written as { value: string }
          const read = await cookie.read(requestWith([`session=${value}`], shape))
          expect(read).toEqual(JSON.parse(JSON.stringify(session)))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('read a signed cookie changed in any way as no session', async () => {
    await fc.assert(
      fc.asyncProperty(
        data,
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        async (session, changes) => {
          const { value } = await signed.set(session)
          const tampered = changes.reduce(mutate, value)
          fc.pre(tampered !== value)
          expect(await signed.read(requestWith([`session=${tampered}`]))).toBeUndefined()
        },
      ),
      { numRuns: 500 },
    )
  })

  it('read a signed session under another cookie name, or another key, as no session', async () => {
    const elsewhere = sessionCookie({ name: 'other', signingKey: KEY })
    const otherKey = sessionCookie({ signingKey: `${KEY}!` })
    await fc.assert(
      fc.asyncProperty(data, async (session) => {
        const moved = (await elsewhere.set(session)).value
        const foreign = (await otherKey.set(session)).value
        expect(await signed.read(requestWith([`session=${moved}`]))).toBeUndefined()
        expect(await signed.read(requestWith([`session=${foreign}`]))).toBeUndefined()
      }),
    )
  })

  it('never throw on a Cookie header of any text: no session, or an object', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string(), { maxLength: 3 }),
        fc.constantFrom(...shapes),
        async (lines, shape) => {
          const request = requestWith(
            lines.map((line) => `session=${line}`),
            shape,
          )
          expect(await signed.read(request)).toBeUndefined()
          const read = await plain.read(request)
          if (read !== undefined) {
            expect(typeof read).toBe('object')
            expect(Array.isArray(read)).toBe(false)
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})
