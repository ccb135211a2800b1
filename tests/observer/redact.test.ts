import { DEFAULT_REDACTED_FIELDS, REDACTED, redactor } from 'metis-app/observer'
import { describe, expect, it } from 'vitest'

describe('redactor', () => {
  const redact = redactor(['Password', 'client_secret'])

  it('redacts default and configured fields at any depth, whatever their case', () => {
    const value = {
      headers: { AUTHORIZATION: 'Bearer t', Cookie: 'a=b', 'Set-Cookie': ['c=d'] },
      multiValueHeaders: { 'x-api-key': ['k'] },
      user: { profile: { password: 'p' } },
      list: [{ CLIENT_SECRET: 's' }, 1, null, true],
      cookies: ['a=b'],
      keep: 'visible',
    }

    expect(redact(value)).toEqual({
      headers: { AUTHORIZATION: REDACTED, Cookie: REDACTED, 'Set-Cookie': REDACTED },
      multiValueHeaders: { 'x-api-key': REDACTED },
      user: { profile: { password: REDACTED } },
      list: [{ CLIENT_SECRET: REDACTED }, 1, null, true],
      cookies: REDACTED,
      keep: 'visible',
    })
    expect(value.user.profile.password).toBe('p')
  })

  it('redacts authorization, cookie and set-cookie by default', () => {
    expect(DEFAULT_REDACTED_FIELDS).toEqual(
      expect.arrayContaining(['authorization', 'cookie', 'set-cookie']),
    )
    expect(redactor()({ password: 'p' })).toEqual({ password: 'p' })
  })

  it('masks bearer and basic credentials written in text', () => {
    expect(redact('failed with Bearer abc.def-ghi and basic dXNlcjpwYXNz==')).toBe(
      `failed with Bearer ${REDACTED} and basic ${REDACTED}`,
    )
  })

  it('masks configured fields in query strings and form bodies', () => {
    expect(redact('grant_type=cc&client_secret=s3cr3t&scope=a')).toBe(
      `grant_type=cc&client_secret=${REDACTED}&scope=a`,
    )
    expect(redact('/path?password=p;x=1')).toBe(`/path?password=${REDACTED};x=1`)
  })

  it('redacts inside JSON text and leaves text that only looks like JSON as text', () => {
    expect(
      JSON.parse(redact(' {"Authorization":"Bearer x","a":[{"password":1}]}') as string),
    ).toEqual({
      Authorization: REDACTED,
      a: [{ password: REDACTED }],
    })
    expect(redact('{not json, Bearer tok}')).toBe(`{not json, Bearer ${REDACTED}}`)
    expect(redact('[1,2]')).toBe('[1,2]')
    expect(redact('["Bearer tok"]')).toBe(`["Bearer ${REDACTED}"]`)
    expect(redact('{"a":1')).toBe('{"a":1')
    expect(redact('[]')).toBe('[]')
    expect(redact('  ')).toBe('  ')
  })

  it('copies errors with their name, message, own fields, stack and cause, all redacted', () => {
    const cause = new RangeError('inner Bearer abc')
    const error = Object.assign(new Error('outer', { cause }), {
      code: 'E_UP',
      headers: { authorization: 'Bearer abc' },
    })

    const copied = redact(error) as Record<string, unknown>

    expect(copied).toMatchObject({
      name: 'Error',
      message: 'outer',
      code: 'E_UP',
      headers: { authorization: REDACTED },
      cause: { name: 'RangeError', message: `inner Bearer ${REDACTED}` },
    })
    expect(copied.stack).toContain('outer')
    const bare = new Error('no stack')
    bare.stack = undefined
    expect(redact(bare)).toEqual({ name: 'Error', message: 'no stack' })
  })

  it('survives cycles and very deep values', () => {
    const cyclic: Record<string, unknown> = { name: 'a' }
    cyclic.self = cyclic
    let deep: Record<string, unknown> = { leaf: true }
    for (let i = 0; i < 20; i++) deep = { next: deep }

    expect(redact(cyclic)).toEqual({ name: 'a', self: '[Circular]' })
    expect(JSON.stringify(redact(deep))).toContain('[Truncated]')
  })

  it('passes primitives through unchanged', () => {
    expect(redact(42)).toBe(42)
    expect(redact(undefined)).toBeUndefined()
    expect(redact(null)).toBeNull()
    expect(redact('plain')).toBe('plain')
  })
})
