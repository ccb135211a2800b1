import { describe, expect, it } from 'vitest'
import { router } from '../../src/router/index.ts'
import { bodyOf, context, v2Event } from './support.ts'

describe('the request a route handler receives', () => {
  it('answers the 400 of an event with a malformed header, whichever route it asks for', async () => {
    const app = router({
      http: [
        { method: 'GET', path: '/headers', handler: (request) => request.headers },
        { method: 'GET', path: '/params', handler: () => 'fine' },
      ],
    })
    const malformed = (path: string) => ({
      ...v2Event('GET', path),
      headers: { bad: { not: 'a string' } },
    })
    expect(await app(malformed('/headers'), context())).toMatchObject({ statusCode: 400 })
    expect(await app(malformed('/params'), context())).toMatchObject({ statusCode: 400 })
  })

  it('serialises every field, the lazy views and the route inputs included', async () => {
    const seen: string[] = []
    const app = router({
      http: [
        {
          method: 'GET',
          path: '/x/{id}',
          handler: (request) => {
            seen.push(JSON.stringify(request), JSON.stringify(request.input))
            return null
          },
        },
      ],
    })
    await app(v2Event('GET', '/x/1', { query: 'q=2', headers: { 'x-a': 'b' } }), context())
    const [request, input] = seen.map((text) => JSON.parse(text))
    expect(request).toMatchObject({
      path: '/x/1',
      params: { id: '1' },
      headers: { 'x-a': 'b' },
      query: { q: '2' },
      multiValueQuery: { q: ['2'] },
      cookies: {},
    })
    expect(request).not.toHaveProperty('event')
    expect(input).toEqual({ query: { q: '2' } })
  })

  it('strips a named HTTP API stage from the path before routing', async () => {
    const app = router({ http: [{ method: 'GET', path: '/orders', handler: (r) => r.path }] })
    const event = v2Event('GET', '/prod/orders')
    event.requestContext.stage = 'prod'
    expect(bodyOf(await app(event, context()))).toBe('/orders')
  })
})
