/**
 * Runs a module script in a fresh Node process that records every module it resolves
 * (`record-loads.mjs`), with the package's source condition: what a user's import of a subpath
 * really loads, without the test runner's own module graph in the way.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))

/** What `script` printed (its lines before the record) and the URLs of every module it loaded. */
export const loadsOf = (script: string): { printed: string[]; loaded: string[] } => {
  const output = execFileSync(
    process.execPath,
    [
      '--conditions=metis-source',
      '--import',
      './tests/support/record-loads.mjs',
      '--input-type=module',
      '-e',
      script,
    ],
    { cwd: root, encoding: 'utf8' },
  )
  const lines = output.trim().split('\n')
  return { printed: lines.slice(0, -1), loaded: JSON.parse(lines.at(-1) ?? '[]') as string[] }
}
