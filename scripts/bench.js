// Runs every benchmark in bench/ (or those named on the command line) one after another, each in
// its own Node process so that one bench's warm caches and loaded modules do not skew the next;
// then prints one table of ours against the peers, from the summary lines the benches wrote.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const wanted = process.argv.slice(2)
const files = readdirSync(new URL('../bench/', import.meta.url))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort()

const dir = mkdtempSync(join(tmpdir(), 'metis-bench-'))
const summary = join(dir, 'summary.jsonl')
const started = Date.now()
let failed = 0
for (const file of files) {
  console.log(`\n# bench/${file}`)
  const run = spawnSync(process.execPath, [`bench/${file}`], {
    stdio: 'inherit',
    env: { ...process.env, METIS_BENCH_SUMMARY: summary },
  })
  if (run.status !== 0) failed += 1
}

let lines = []
try {
  lines = readFileSync(summary, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
} catch {
  // no bench wrote a summary line
}
rmSync(dir, { recursive: true, force: true })
if (lines.length > 0) {
  console.log('\n# summary: metis-app against the peers (ratio = ours / peer; lower is better)')
  console.table(
    lines.map((l) => {
      const ratio = l.ours / l.theirs
      return {
        measure: l.measure,
        peer: l.peer,
        ours: `${l.ours.toFixed(1)} ${l.unit}`,
        peers: `${l.theirs.toFixed(1)} ${l.unit}`,
        ratio: `${ratio.toFixed(2)}x`,
        target: l.target === undefined ? '' : `<= ${l.target}x`,
        met: l.target === undefined ? '' : ratio <= l.target ? 'yes' : 'NO',
      }
    }),
  )
}
console.log(
  `\nnode ${process.version}, ${process.arch}, ${(await import('node:os')).availableParallelism()} cores; ${((Date.now() - started) / 1000).toFixed(0)} s`,
)
if (failed > 0) process.exit(1)
