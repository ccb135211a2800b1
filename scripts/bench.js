// Runs every benchmark in bench/ (or those named on the command line) one after another, each in
// its own Node process so that one bench's warm caches and loaded modules do not skew the next.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'

const wanted = process.argv.slice(2)
const files = readdirSync(new URL('../bench/', import.meta.url))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort()

let failed = 0
for (const file of files) {
  console.log(`\n# bench/${file}`)
  const run = spawnSync(process.execPath, [`bench/${file}`], { stdio: 'inherit' })
  if (run.status !== 0) failed += 1
}
if (failed > 0) process.exit(1)
