import { describe, expect, it, vi } from 'vitest'
import { buildRequest } from '../../src/request/index.ts'
import { json } from '../../src/response/index.ts'
import {
  type SessionCookieOptions,
  SessionTooLargeError,
  session,
  sessionCookie,
} from '../../src/session/index.ts'
import { loadEvent } from '../support/events.ts'
import {
  context,
  counter,
  eventWith,
  KEY,
  logout,
  requestWith,
  type Sample,
  sentBack,
  setCookies,
  shapes,
} from './support.ts'

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url')
const DEFAULTS = 'Path=/; Secure; HttpOnly; SameSite=Lax'

/** Where each shape's response carries `Set-Cookie`. */
const where: Record<Sample, 'multiValueHeaders' | 'cookies' | 'headers'> = {
  'apigw-rest/no-auth': 'multiValueHeaders',
  'apigw-http/no-auth': 'cookies',
  'function-url/get-request': 'cookies',
  'alb/base': 'headers',
  'alb/multi-fields': 'multiValueHeaders',
  'lattice/v1': 'headers',
  'lattice/v2': 'headers',
}

describe('a session through middy and the responder', () => {
  const cookie = sessionCookie<{ count: number }>({ signingKey: KEY })

  it.each(shapes)('starts, reads back and clears a session in the %s shape', async (sample) => {
    const first = (await counter(cookie)(eventWith(sample, []), context())) as Record<
      string,
      unknown
    >
    expect(first.statusCode).toBe(200)
    expect(JSON.parse(String(first.body))).toEqual({ count: 1 })
    const [set] = setCookies(first)
    expect(set).toMatch(new RegExp(`^session=[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}; ${DEFAULTS}$`))
    expect(JSON.stringify(first[where[sample]])).toContain('session=')

    const lines = ['theme=dark', sentBack(set ?? '')]
    const second = (await counter(cookie)(eventWith(sample, lines), context())) as {
      body: string
    }
    expect(JSON.parse(second.body)).toEqual({ count: 2 })

    const ended = (await logout(cookie)(eventWith(sample, lines), context())) as {
      statusCode: number
    }
    expect(ended.statusCode).toBe(204)
    expect(setCookies(ended)).toEqual([
      `session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; ${DEFAULTS}`,
    ])
  })

  it.each(shapes)('starts over when the %s request carries a tampered cookie', async (sample) => {
    const set = await cookie.set({ count: 41 })
    const forged = `session=${b64('{"count":1000}')}.${set.value.split('.')[1]}`
    const response = (await counter(cookie)(eventWith(sample, [forged]), context())) as {
      statusCode: number
      body: string
    }
    expect(response.statusCode).toBe(200)
    expect(JSON.parse(response.body)).toEqual({ count: 1 })
  })

  it('answers a 500 that names nothing when the session is too large for its cookie', async () => {
    const big = sessionCookie<{ count: number; pad?: string }>({ signingKey: KEY })
    const response = (await counter({
      ...big,
      set: () => big.set({ count: 1, pad: 'x'.repeat(5000) }),
    })(eventWith('apigw-http/no-auth', []), context())) as { statusCode: number; body: string }
    expect(response.statusCode).toBe(500)
    expect(response.body).not.toContain('session')
    expect(setCookies(response)).toEqual([])
  })
})

describe('reading a session', () => {
  const plain = sessionCookie()
  const signed = sessionCookie({ signingKey: KEY })

  it('is undefined without the cookie, and for a request that is not HTTP', async () => {
    expect(await plain.read(requestWith([]))).toBeUndefined()
    expect(await plain.read(requestWith(['theme=dark; lang=en']))).toBeUndefined()
    const sqs = buildRequest(loadEvent('sqs/base'))
    expect(sqs.ok).toBe(true)
    if (sqs.ok) expect(await plain.read(sqs.value)).toBeUndefined()
  })

  it('reads the cookies array of an HTTP API v2 event, skipping what is not text', async () => {
    const bare = buildRequest(loadEvent('apigw-http/no-auth'))
    if (!bare.ok) throw bare.error
    expect(await plain.read(bare.value)).toBeUndefined()
    const event = { ...loadEvent('apigw-http/no-auth'), cookies: [42, `session=${b64('{"a":1}')}`] }
    const mixed = buildRequest(event)
    if (!mixed.ok) throw mixed.error
    expect(await plain.read(mixed.value)).toEqual({ a: 1 })
  })

  it('reads an unsigned cookie as the JSON object it encodes, among other cookies', async () => {
    const value = b64('{"user":"zoë","roles":["a"],"n":1.5}')
    const request = requestWith([`a=1; session=${value}`, 'b=2'], 'apigw-rest/no-auth')
    expect(await plain.read(request)).toEqual({ user: 'zoë', roles: ['a'], n: 1.5 })
  })

  it('reads what set wrote, in every request shape', async () => {
    const { value } = await signed.set({ user: 'u1' })
    for (const sample of shapes) {
      expect(await signed.read(requestWith([`session=${value}`], sample))).toEqual({ user: 'u1' })
    }
  })

  it.each([
    ['a cookie sent twice (two paths or domains)', (v: string) => [`session=${v}`, `session=${v}`]],
    ['a cookie sent twice in one line', (v: string) => [`session=${v}; session=${v}`]],
    ['an empty value', () => ['session=']],
    ['a quoted value', (v: string) => [`session="${v}"`]],
  ])('is undefined for %s', async (_case, lines) => {
    const { value } = await signed.set({ user: 'u1' })
    expect(await signed.read(requestWith(lines(value)))).toBeUndefined()
  })

  it.each([
    ['characters outside base64url', 'e30*'],
    ['percent-encoding', '%7B%7D'],
    ['base64 with padding', `${b64('{"a":1}')}=`],
    ['standard base64', Buffer.from('{"a":">>>"}').toString('base64')],
    ['base64url that is not canonical', `${b64('{}').slice(0, -1)}1`],
    ['JSON that does not parse', b64('{"a":')],
    ['an array', b64('[1,2]')],
    ['a string', b64('"session"')],
    ['a number', b64('42')],
    ['null', b64('null')],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')],
    ['a signature where none is expected', `${b64('{}')}.abc`],
  ])('is undefined for an unsigned cookie holding %s', async (_case, value) => {
    expect(await plain.read(requestWith([`session=${value}`]))).toBeUndefined()
  })

  it('is undefined for a signed cookie changed, re-signed, moved or stripped', async () => {
    const { value } = await signed.set({ role: 'user' })
    const [payload = '', signature = ''] = value.split('.')
    const other = sessionCookie({ signingKey: 'another-key-of-32-bytes-or-more!!' })
    const wrongKey = (await other.set({ role: 'user' })).value
    const named = sessionCookie({ name: 'other', signingKey: KEY })
    const movedFrom = (await named.set({ role: 'user' })).value
    const cases = [
      `${b64('{"role":"admin"}')}.${signature}`,
      `${payload}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`,
      `${payload}.${signature.slice(0, -1)}`,
      `${payload}.${signature}A`,
      `${payload}.`,
      payload,
      `${payload}.${signature}.${signature}`,
      wrongKey,
      movedFrom,
    ]
    for (const tampered of cases) {
      expect(await signed.read(requestWith([`session=${tampered}`]))).toBeUndefined()
    }
    expect(await signed.read(requestWith([`session=${value}`]))).toEqual({ role: 'user' })
  })

  it('is undefined for a cookie over 4096 bytes, and reads one of exactly 4096', async () => {
    const sized = (bytes: number) => {
      // `session=` + base64url of {"p":"xxx"}: 4 characters for every 3 bytes of JSON.
      const json = `{"p":"${'x'.repeat(((bytes - 8) / 4) * 3 - 8)}"}`
      const line = `session=${b64(json)}`
      return line
    }
    expect(sized(4096)).toHaveLength(4096)
    expect(await plain.read(requestWith([sized(4096)]))).toMatchObject({ p: expect.any(String) })
    expect(sized(4100)).toHaveLength(4100)
    expect(await plain.read(requestWith([sized(4100)]))).toBeUndefined()
  })

  it('accepts only what validate accepts', async () => {
    const isCart = (data: unknown): data is { items: string[] } =>
      Array.isArray((data as { items?: unknown }).items)
    const cart = sessionCookie({ name: 'cart', validate: isCart })
    expect(await cart.read(requestWith([`cart=${b64('{"items":["a"]}')}`]))).toEqual({
      items: ['a'],
    })
    expect(await cart.read(requestWith([`cart=${b64('{"items":"a"}')}`]))).toBeUndefined()
  })

  it('calls a signingKey function on every read and write, and awaits it', async () => {
    const key = vi.fn(async () => new TextEncoder().encode(KEY))
    const rotating = sessionCookie({ signingKey: key })
    const { value } = await rotating.set({ a: 1 })
    expect(await rotating.read(requestWith([`session=${value}`]))).toEqual({ a: 1 })
    expect(key).toHaveBeenCalledTimes(2)
    // The same key as text or bytes signs alike.
    expect(await signed.read(requestWith([`session=${value}`]))).toEqual({ a: 1 })
  })

  it('rejects, naming the option, when the signingKey function gives a short key', async () => {
    const short = sessionCookie({ signingKey: () => 'short' })
    await expect(short.read(requestWith(['session=e30']))).rejects.toThrow(
      'sessionCookie: the key the signingKey function returned must be a string or Uint8Array of at least 32 bytes',
    )
  })

  it('reads in one call with session(), from options or a cookie', async () => {
    const { value } = await signed.set({ user: 'u2' })
    const request = requestWith([`session=${value}`])
    expect(await session(request, { signingKey: KEY })).toEqual({ user: 'u2' })
    expect(await session(request, signed)).toEqual({ user: 'u2' })
    expect(await session(request)).toBeUndefined()
    expect(await session(requestWith([`session=${b64('{"a":1}')}`]))).toEqual({ a: 1 })
  })
})

describe('writing a session', () => {
  it('sets HttpOnly, Secure, SameSite=Lax and Path=/ by default', async () => {
    const init = await sessionCookie().set({ a: 1 })
    expect(init).toEqual({
      name: 'session',
      value: b64('{"a":1}'),
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
      path: '/',
      domain: undefined,
      maxAge: undefined,
    })
  })

  it('sets the attributes the options give, and clears with the same ones', async () => {
    const options: SessionCookieOptions = {
      name: 'sid',
      httpOnly: false,
      secure: false,
      sameSite: 'Strict',
      path: '/app',
      domain: 'example.com',
      maxAge: 3600,
    }
    const cookie = sessionCookie(options)
    const reply = json({}, { cookies: [await cookie.set({ a: 1 }), cookie.clear()] })
    expect(reply.cookies).toEqual([
      `sid=${b64('{"a":1}')}; Max-Age=3600; Domain=example.com; Path=/app; SameSite=Strict`,
      'sid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Domain=example.com; Path=/app; SameSite=Strict',
    ])
  })

  it('throws SessionTooLargeError, naming the cookie and its size, over 4096 bytes', async () => {
    const cookie = sessionCookie({ name: 'cart', signingKey: KEY })
    const error = await cookie.set({ pad: 'x'.repeat(3100) }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SessionTooLargeError)
    const tooLarge = error as SessionTooLargeError
    expect(tooLarge).toMatchObject({
      cookieName: 'cart',
      limit: 4096,
      statusCode: 500,
      expose: false,
      code: 'SESSION_TOO_LARGE',
    })
    expect(tooLarge.bytes).toBe('cart='.length + b64(`{"pad":"${'x'.repeat(3100)}"}`).length + 44)
    expect(tooLarge.message).toBe(
      `The session cookie 'cart' would be ${tooLarge.bytes} bytes, over the 4096 bytes browsers keep`,
    )
    expect(tooLarge.message).not.toContain('xxx')
  })

  it('writes a cookie of exactly 4096 bytes, and not one byte more', async () => {
    const cookie = sessionCookie()
    // session= (8) + base64url of {"p":"..."}: 4088 characters are 3066 bytes of JSON.
    const fits = { p: 'x'.repeat(3066 - 8) }
    const init = await cookie.set(fits)
    expect(`${init.name}=${init.value}`).toHaveLength(4096)
    await expect(cookie.set({ p: `${fits.p}x` })).rejects.toThrow(SessionTooLargeError)
  })

  it('throws a TypeError for data that is not a JSON-serialisable object', async () => {
    const cookie = sessionCookie<object>()
    await expect(cookie.set([1, 2])).rejects.toThrow(
      "sessionCookie: the session 'session' must be an object",
    )
    await expect(cookie.set({ n: 1n })).rejects.toThrow(
      "sessionCookie: the session 'session' cannot be serialised as JSON",
    )
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    await expect(cookie.set(cyclic)).rejects.toThrow(TypeError)
  })
})

describe('session cookie options', () => {
  const wrong = (value: unknown) => value as never

  it.each([
    [
      'a name that is no token',
      { name: 'my session' },
      "name 'my session' is not an RFC 6265 token",
    ],
    ['an empty name', { name: '' }, "name '' is not an RFC 6265 token"],
    [
      'a short key',
      { signingKey: 'short' },
      'signingKey must be a string or Uint8Array of at least 32 bytes',
    ],
    [
      'a key of another type',
      { signingKey: wrong(42) },
      'signingKey must be a string or Uint8Array of at least 32 bytes',
    ],
    [
      'an unset key',
      { signingKey: undefined },
      'signingKey is undefined; leave it out for an unsigned cookie',
    ],
    [
      'an unknown SameSite',
      { sameSite: wrong('lax') },
      "sameSite must be one of 'Strict', 'Lax', 'None'",
    ],
    ['SameSite=None without Secure', { sameSite: 'None', secure: false }, 'only with Secure'],
    ['a zero maxAge', { maxAge: 0 }, 'maxAge must be an integer >= 1'],
    ['a fractional maxAge', { maxAge: 1.5 }, 'maxAge must be an integer >= 1'],
    ['httpOnly that is no boolean', { httpOnly: wrong('yes') }, 'httpOnly must be a boolean'],
    ['secure that is no boolean', { secure: wrong(1) }, 'secure must be a boolean'],
    ['validate that is no function', { validate: wrong(true) }, 'validate must be a function'],
    ['a path with a ;', { path: '/a;b' }, "Path of 'session' has a control character or ';'"],
    [
      'a domain that is no host',
      { domain: 'exa mple.com' },
      "Domain 'exa mple.com' is not a host name",
    ],
    [
      'a __Host- cookie with a Domain',
      { name: '__Host-sid', domain: 'example.com' },
      'needs Secure, Path=/ and no Domain',
    ],
  ] as [string, SessionCookieOptions, string][])(
    'throws at creation for %s',
    (_case, options, says) => {
      const thrown = (() => {
        try {
          sessionCookie(options)
        } catch (error) {
          return error
        }
      })()
      expect(thrown).toBeInstanceOf(TypeError)
      expect((thrown as Error).message).toMatch(/^sessionCookie: /)
      expect((thrown as Error).message).toContain(says)
    },
  )

  it('accepts the defaults, a key as bytes and a __Host- cookie', () => {
    expect(sessionCookie().name).toBe('session')
    expect(sessionCookie({ signingKey: new Uint8Array(32) }).name).toBe('session')
    expect(sessionCookie({ name: '__Host-sid', signingKey: KEY }).name).toBe('__Host-sid')
  })
})
