import { describe, expect, it } from 'vitest'
import { findBearer, type HeaderView, NO_HEADERS, requestView } from '../../src/auth/token.ts'
import { buildRequest } from '../../src/request/index.ts'

/** The PIP's view of an event: the typed request's headers (an HTTP API event when it has cookies). */
const eventView = (event: Record<string, unknown> | null): HeaderView => {
  const base = Array.isArray(event?.cookies)
    ? { version: '2.0', rawPath: '/', requestContext: { http: { method: 'GET', path: '/' } } }
    : { httpMethod: 'GET', path: '/' }
  const built = buildRequest(event === null ? null : { ...base, ...event })
  return built.ok && built.value.kind === 'http' ? requestView(built.value) : NO_HEADERS
}

const location = { maxTokenLength: 100 }

describe('findBearer', () => {
  it('finds the token of a Bearer Authorization header whatever the scheme case', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const found = findBearer(
        eventView({ headers: { Authorization: `${scheme} abc.def.ghi` } }),
        location,
      )
      expect(found).toEqual({ found: true, token: 'abc.def.ghi', source: 'authorization' })
    }
  })

  it('says absent when no header, named header or cookie carries a token', () => {
    const found = findBearer(eventView({ headers: { accept: '*/*' } }), {
      ...location,
      header: 'x-token',
      cookie: 'at',
    })
    expect(found).toMatchObject({ found: false, reason: 'absent' })
  })

  it('calls another scheme, or Bearer without a token, malformed', () => {
    for (const value of [
      'Basic dXNlcjpwYXNz',
      'Bearer',
      'Bearer ',
      'Bearer\t',
      'Token abc',
      'Bearers abc',
    ]) {
      const found = findBearer(eventView({ headers: { authorization: value } }), location)
      expect(found, value).toMatchObject({
        found: false,
        reason: 'malformed',
        source: 'authorization',
      })
    }
  })

  it('hands the rest of the header over as the token, for the verifier to check its characters', () => {
    const found = findBearer(eventView({ headers: { authorization: 'bearer\t a b' } }), location)
    expect(found).toEqual({ found: true, token: 'a b', source: 'authorization' })
  })

  it('calls two Authorization headers malformed', () => {
    const view = eventView({ multiValueHeaders: { Authorization: ['Bearer a', 'Bearer b'] } })
    expect(findBearer(view, location)).toMatchObject({ found: false, reason: 'malformed' })
  })

  it('refuses a token longer than the limit before looking at it', () => {
    const found = findBearer(
      eventView({ headers: { authorization: `Bearer ${'a'.repeat(101)}` } }),
      location,
    )
    expect(found).toMatchObject({ found: false, reason: 'too-large' })
    const header = findBearer(eventView({ headers: { 'x-token': 'a'.repeat(101) } }), {
      ...location,
      header: 'x-token',
    })
    expect(header).toMatchObject({ found: false, reason: 'too-large', source: 'header' })
    const huge = findBearer(
      eventView({ headers: { authorization: `Bearer ${'a '.repeat(10_000)}` } }),
      location,
    )
    expect(huge).toMatchObject({ found: false, reason: 'too-large' })
  })

  it('reads a named header and a named cookie when Authorization is absent', () => {
    const header = findBearer(eventView({ headers: { 'X-Access-Token': 'h.t.k' } }), {
      ...location,
      header: 'x-access-token',
    })
    expect(header).toEqual({ found: true, token: 'h.t.k', source: 'header' })
    const v2 = findBearer(eventView({ cookies: ['theme=dark', 'at=c.o.k'] }), {
      ...location,
      cookie: 'at',
    })
    expect(v2).toEqual({ found: true, token: 'c.o.k', source: 'cookie' })
    const v1 = findBearer(eventView({ headers: { Cookie: 'theme=dark; at=c.o.k' } }), {
      ...location,
      cookie: 'at',
    })
    expect(v1).toEqual({ found: true, token: 'c.o.k', source: 'cookie' })
    const other = findBearer(eventView({ headers: { Cookie: 'theme=dark; =x' } }), {
      ...location,
      cookie: 'at',
    })
    expect(other).toMatchObject({ found: false, reason: 'absent' })
  })

  it('calls a repeated token header or an empty cookie malformed', () => {
    const twice = eventView({ multiValueHeaders: { 'x-token': ['a', 'b'] } })
    expect(findBearer(twice, { ...location, header: 'X-Token' })).toMatchObject({
      reason: 'malformed',
      source: 'header',
    })
    const bad = eventView({ cookies: ['at='] })
    expect(findBearer(bad, { ...location, cookie: 'at' })).toMatchObject({
      reason: 'malformed',
      source: 'cookie',
    })
  })

  it('reads a built request: lower-case headers, all values and cookies', () => {
    const view = eventView({
      headers: { Authorization: 'Bearer one', Cookie: 'at=c.o.k' },
      multiValueHeaders: { Authorization: ['Bearer one'], Cookie: ['at=c.o.k'] },
    })
    expect(findBearer(view, location)).toEqual({
      found: true,
      token: 'one',
      source: 'authorization',
    })
    expect(view.cookie('at')).toBe('c.o.k')
    const single = eventView({ headers: { authorization: 'Bearer two' } })
    expect(findBearer(single, location)).toMatchObject({ token: 'two' })
    expect(eventView({}).values('authorization')).toEqual([])
    const twice = eventView({ multiValueHeaders: { authorization: ['Bearer a', 'Bearer b'] } })
    expect(findBearer(twice, location)).toMatchObject({ found: false, reason: 'malformed' })
    expect(eventView({ headers: { authorization: 'Bearer c' } }).values('authorization')).toEqual([
      'Bearer c',
    ])
  })

  it('treats an event without headers as carrying no token', () => {
    expect(findBearer(eventView(null), location)).toMatchObject({ found: false, reason: 'absent' })
    // The request builder reads a number as its text: a header that is no Bearer is malformed.
    expect(findBearer(eventView({ headers: { authorization: 42 } }), location)).toMatchObject({
      reason: 'malformed',
    })
  })
})
