import { redactor } from 'metis-app/observer'
import { DEFAULT_REDACTED_FIELDS } from '../../src/observer/redact.ts'

const REDACTED = '[REDACTED]'

import { describe, expect, it } from 'vitest'
import { loadEvent } from '../support/events.ts'

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
    expect(redactor()({ username: 'u' })).toEqual({ username: 'u' })
  })

  it('leaves prose about bearer tokens as it is, and masks the credential in the same text', () => {
    expect(redact('The bearer token is not a compact JWS')).toBe(
      'The bearer token is not a compact JWS',
    )
    expect(redact('Basic auth failed; sent Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln')).toBe(
      `Basic auth failed; sent Bearer ${REDACTED}`,
    )
    expect(redact('use a bearer token. Bearer token.')).toBe('use a bearer token. Bearer token.')
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

describe('redactor: credentials real events carry', () => {
  const redact = redactor()
  const logged = (value: unknown) => JSON.stringify(redact(value))

  it('redacts the API key API Gateway copies into requestContext.identity', () => {
    const event = loadEvent<{ requestContext: { identity: Record<string, unknown> } }>(
      'apigw-rest/console-test-ui',
    )

    const copied = redact(event) as typeof event

    expect(copied.requestContext.identity.apiKey).toBe(REDACTED)
    expect(copied.requestContext.identity.apiKeyId).toBe('test-invoke-api-key-id')
  })

  it('redacts the x-amz-security-token header of IAM-signed requests, in every event shape', () => {
    for (const name of ['apigw-http/iam-auth', 'apigw-rest/iam-auth']) {
      expect(logged(loadEvent(name))).not.toContain('IQoJb3JpZ')
    }
  })

  it("redacts a TOKEN authorizer's authorizationToken", () => {
    const event = loadEvent('apigw-rest/authorizer-token')

    expect(redact({ ...event, authorizationToken: 'eyJhbGciOi.eyJzdWIi.sig' })).toMatchObject({
      type: 'TOKEN',
      authorizationToken: REDACTED,
    })
  })

  it('redacts OAuth tokens, client secrets and passwords without being told to', () => {
    const grant = {
      access_token: 'at',
      Refresh_Token: 'rt',
      ID_TOKEN: 'it',
      token_type: 'Bearer',
      client_secret: 'cs',
      password: 'pw',
    }

    expect(redact(grant)).toEqual({
      access_token: REDACTED,
      Refresh_Token: REDACTED,
      ID_TOKEN: REDACTED,
      token_type: 'Bearer',
      client_secret: REDACTED,
      password: REDACTED,
    })
    expect(redact('grant_type=refresh_token&refresh_token=rt1')).toBe(
      `grant_type=refresh_token&refresh_token=${REDACTED}`,
    )
  })
})

describe('redactor: bodies and text that are not plain JSON', () => {
  const redact = redactor(['pin'])

  it('replaces a base64-encoded body with a marker instead of logging reversible base64', () => {
    const body = Buffer.from('user=a&password=hunter2').toString('base64')

    expect(redact({ isBase64Encoded: true, body, path: '/login' })).toEqual({
      isBase64Encoded: true,
      body: '[REDACTED base64 body]',
      path: '/login',
    })
    expect(redact({ isBase64Encoded: false, body: 'pin=1234' })).toEqual({
      isBase64Encoded: false,
      body: `pin=${REDACTED}`,
    })
    expect(redact({ isBase64Encoded: true, body: null })).toEqual({
      isBase64Encoded: true,
      body: null,
    })
  })

  it('masks quoted and unquoted fields in JSON text that does not parse, whatever their case', () => {
    expect(redact('{"user":"a","password":"hunter2",}')).toBe(
      `{"user":"a","password":"${REDACTED}",}`,
    )
    expect(redact('{ "PIN" : 1234, "x": 1')).toBe(`{ "PIN" : "${REDACTED}", "x": 1`)
    expect(redact(`{'Password': 'a\\'b,c', 'x': 1}`)).toBe(`{'Password': '${REDACTED}', 'x': 1}`)
    expect(redact('{"password":"a\\"b,c\\\\", "x": 1,}')).toBe(
      `{"password":"${REDACTED}", "x": 1,}`,
    )
    expect(redact('{"password":"unterminated, still secret')).toBe(`{"password":"${REDACTED}"`)
  })

  it('masks JSON fields quoted inside a message, as JSON.parse quotes the text it rejects', () => {
    let message = ''
    try {
      JSON.parse('{"password":hunter2}')
    } catch (thrown) {
      message = (thrown as Error).message
    }

    expect(message).toContain('hunter2')
    expect(JSON.stringify(redact(new SyntaxError(message)))).not.toContain('hunter2')
  })

  it('redacts inside JSON text that was encoded twice, parsed or not', () => {
    const twice = JSON.stringify(JSON.stringify({ password: 'hunter2', user: 'a' }))

    expect(JSON.parse(JSON.parse(redact(twice) as string) as string)).toEqual({
      password: REDACTED,
      user: 'a',
    })
    expect(redact(`${twice.slice(0, -2)},}"`)).not.toContain('hunter2')
    expect(redact('"{\\"password\\":\\"a\\\\\\"b\\",')).toBe(`"{\\"password\\":\\"${REDACTED}\\",`)
    expect(redact('"just a quoted word"')).toBe('"just a quoted word"')
  })

  it('masks header lines written as text in error messages, to the end of the line', () => {
    const error = new Error(
      'upstream failed: GET / HTTP/1.1\r\nCookie: sid=c9; csrf=x9\r\nX-Api-Key: k9\r\n' +
        'authorization:xyz\nHost: example.com',
    )

    const copied = redact(error) as { message: string; stack: string }

    expect(copied.message).toBe(
      `upstream failed: GET / HTTP/1.1\r\nCookie: ${REDACTED}\r\nX-Api-Key: ${REDACTED}\r\n` +
        `authorization:${REDACTED}\nHost: example.com`,
    )
    for (const secret of ['c9', 'x9', 'k9', 'xyz']) expect(copied.stack).not.toContain(secret)
    expect(redact('see my-cookie: value and x_password: v')).toBe(
      'see my-cookie: value and x_password: v',
    )
  })

  it('ignores an empty configured field name instead of masking after every colon and equals sign', () => {
    expect(redactor([''])('a :b c =d')).toBe('a :b c =d')
  })
})
