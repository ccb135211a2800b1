/**
 * `metis-app/parameters` loads neither Powertools nor the AWS SDK at import (the first load does),
 * nothing of the other parts' dependencies, and not `node:http`. The same check as
 * tests/package/isolation.test.ts, for this subpath.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))

it('metis-app/parameters loads no third-party package and no node:http at import', () => {
  const output = execFileSync(
    process.execPath,
    [
      '--conditions=metis-source',
      '--import',
      './tests/support/record-loads.mjs',
      '--input-type=module',
      '-e',
      "const m = await import('metis-app/parameters'); if (typeof m.parameters !== 'function') process.exit(3)",
    ],
    { cwd: root, encoding: 'utf8' },
  )
  const loaded = JSON.parse(output.trim().split('\n').at(-1) ?? '[]') as string[]
  expect(loaded.some((url) => url.endsWith('/src/parameters/index.ts'))).toBe(true)
  expect(loaded.filter((url) => url.includes('/node_modules/'))).toEqual([])
  expect(loaded.filter((url) => url === 'node:http' || url === 'node:https')).toEqual([])
})
