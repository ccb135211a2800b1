import { describe, expect, it } from 'vitest'
import { serializeCookie } from '../../src/response/cookies.ts'

describe('serializeCookie', () => {
  it('writes the name, the value and every attribute in RFC 6265 form', () => {
    const header = serializeCookie('session', 'abc123', {
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
      maxAge: 3600,
      expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
      path: '/app',
      domain: 'example.com',
    })
    expect(header).toBe(
      'session=abc123; Max-Age=3600; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Domain=example.com; Path=/app; Secure; HttpOnly; SameSite=Strict',
    )
  })

  it('writes a bare pair when no attribute is given, and accepts a quoted value', () => {
    expect(serializeCookie('a', 'b')).toBe('a=b')
    expect(serializeCookie('a', '"quoted"')).toBe('a="quoted"')
    expect(serializeCookie('a', '')).toBe('a=')
  })

  it.each([
    ['a name with a space', 'bad name', 'v', {}],
    ['a name with =', 'a=b', 'v', {}],
    ['an empty name', '', 'v', {}],
    ['a value with ;', 'a', 'x;y', {}],
    ['a value with a comma', 'a', 'x,y', {}],
    ['a value with a space', 'a', 'x y', {}],
    ['a value with a lone quote', 'a', '"x', {}],
    ['a fractional Max-Age', 'a', 'v', { maxAge: 1.5 }],
    ['an invalid date', 'a', 'v', { expires: new Date('nope') }],
    ['a domain with a slash', 'a', 'v', { domain: 'evil.com/x' }],
    ['a path with ;', 'a', 'v', { path: '/a;b' }],
    ['an unknown SameSite', 'a', 'v', { sameSite: 'Sometimes' as 'Lax' }],
    ['SameSite=None without Secure', 'a', 'v', { sameSite: 'None' as const }],
    ['a __Secure- cookie without Secure', '__Secure-a', 'v', {}],
    [
      'a __Host- cookie with a Domain',
      '__Host-a',
      'v',
      { secure: true, path: '/', domain: 'x.io' },
    ],
    ['a __Host- cookie without Path=/', '__Host-a', 'v', { secure: true }],
  ])('rejects %s', (_case, name, value, attributes) => {
    expect(() => serializeCookie(name, value, attributes)).toThrow(TypeError)
  })

  it('accepts the prefixes when their rules are kept', () => {
    expect(serializeCookie('__Host-id', '1', { secure: true, path: '/' })).toBe(
      '__Host-id=1; Path=/; Secure',
    )
    expect(serializeCookie('__Secure-id', '1', { secure: true, sameSite: 'None' })).toBe(
      '__Secure-id=1; Secure; SameSite=None',
    )
  })
})
