/**
 * Vitest global setup: makes the secret-hygiene directory for this run and, once every test file
 * has run, scans what was written for the secrets and tokens the tests used. A hit fails the run;
 * the report names the file and a masked prefix of the secret, never the secret itself.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HYGIENE_DIR_ENV, scanLogs } from './support/hygiene.ts'

export default function setup(): () => void {
  const inherited = process.env[HYGIENE_DIR_ENV]
  // The reliability script makes the directory itself, to add its own processes' output.
  const owned = inherited === undefined || inherited === ''
  const dir = owned ? mkdtempSync(join(tmpdir(), 'metis-hygiene-')) : inherited
  process.env[HYGIENE_DIR_ENV] = dir
  return () => {
    const report = scanLogs(dir)
    const summary = process.env.RELIABILITY_HYGIENE
    if (summary !== undefined && summary !== '') writeFileSync(summary, JSON.stringify(report))
    if (owned) rmSync(dir, { recursive: true, force: true })
    if (report.hits.length > 0) {
      const list = report.hits.map((hit) => `  ${hit.file}: ${hit.what}`).join('\n')
      throw new Error(
        `Secret hygiene: ${report.hits.length} secret(s) in the test output:\n${list}`,
      )
    }
  }
}
