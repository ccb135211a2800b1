/**
 * `metis-app/session` loads nothing of the other parts at import (DESIGN section 3): no heavy
 * package, not `node:http`, and of metis-app only the error model and the cookie serialiser,
 * not the responder, the request builder or the router. Imported in a fresh Node process that
 * records every module it resolves, as tests/package/isolation.test.ts does for the other parts.
 */
import { describe, expect, it } from 'vitest'
import { loadsOf } from '../support/loads.ts'

const loaded = (): string[] => {
  const { printed, loaded } = loadsOf(
    "const s = await import('metis-app/session'); console.log(Object.keys(s).sort().join(','))",
  )
  expect(printed).toContain('SessionTooLargeError,session,sessionCookie')
  return loaded
}

describe('importing metis-app/session', () => {
  const urls = loaded()

  it('loads no package from node_modules and not node:http', () => {
    expect(urls.filter((url) => url.includes('node_modules'))).toEqual([])
    expect(urls.filter((url) => url === 'node:http' || url === 'node:https')).toEqual([])
  })

  it('loads of metis-app only the session part, the errors and the cookie serialiser', () => {
    const own = urls
      .filter((url) => url.startsWith('file:'))
      .map((url) => url.slice(url.indexOf('/src/') + 1))
      .sort()
    expect(own).toEqual([
      'src/errors/errors.ts',
      'src/errors/index.ts',
      'src/internal/guards.ts',
      'src/internal/options.ts',
      'src/response/cookies.ts',
      'src/session/codec.ts',
      'src/session/cookie.ts',
      'src/session/errors.ts',
      'src/session/index.ts',
    ])
  })
})
