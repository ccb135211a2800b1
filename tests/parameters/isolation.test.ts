/**
 * `metis-app/parameters` loads neither Powertools nor the AWS SDK at import (the first load does),
 * nothing of the other parts' dependencies, and not `node:http`. The same check as
 * tests/package/isolation.test.ts, for this subpath.
 */
import { expect, it } from 'vitest'
import { loadsOf } from '../support/loads.ts'

it('metis-app/parameters loads no third-party package and no node:http at import', () => {
  const { loaded } = loadsOf(
    "const m = await import('metis-app/parameters'); if (typeof m.parameters !== 'function') process.exit(3)",
  )
  expect(loaded.some((url) => url.endsWith('/src/parameters/index.ts'))).toBe(true)
  expect(loaded.filter((url) => url.includes('/node_modules/'))).toEqual([])
  expect(loaded.filter((url) => url === 'node:http' || url === 'node:https')).toEqual([])
})
