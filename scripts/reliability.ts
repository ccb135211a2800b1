// `npm run reliability`: the reliability and security suite with many more cases than `npm test`,
// then RELIABILITY.md regenerated from what was tried and what held.
//
// 1. vitest on tests/reliability with FC_RUNS property runs (default 50,000 each), every check
//    tallying its cases;
// 2. the soak (tests/reliability/soak.ts): 20,000 invocations of the example stack;
// 3. secret hygiene over everything both wrote (the vitest workers' output and the soak's).
// Prints `N passed, N failed` last; exits 0 only when every check held.
import { spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { HYGIENE_DIR_ENV, type ScanReport, scanLogs } from '../tests/reliability/support/hygiene.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const fcRuns = Number(process.env.FC_RUNS ?? 50_000)
const work = mkdtempSync(join(tmpdir(), 'metis-reliability-'))
const figuresFile = join(work, 'figures.jsonl')
const vitestJson = join(work, 'vitest.json')
const env = {
  ...process.env,
  [HYGIENE_DIR_ENV]: work,
  FC_RUNS: String(fcRuns),
  RELIABILITY_FIGURES: figuresFile,
}

interface Check {
  readonly section: string
  readonly name: string
  readonly tried: string
  readonly held: boolean
}
const checks: Check[] = []

// 1. the property and fault tests, then the fleets (many processes each) on their own, so that
//    neither slows the other past its time limits on a 2-core machine
const vitestRun = (label: string, filter: string, output: string, extra: NodeJS.ProcessEnv) => {
  console.log(`# vitest ${label} (FC_RUNS=${fcRuns})`)
  return spawnSync(
    process.execPath,
    [
      'node_modules/vitest/vitest.mjs',
      'run',
      filter,
      // FC_RUNS multiplies the cases of a property by a few hundred: its time with them
      '--testTimeout=180000',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${output}`,
    ],
    { cwd: root, env: { ...env, ...extra }, stdio: 'inherit', timeout: 7 * 60_000 },
  )
}
const started = performance.now()
const fleetJson = join(work, 'vitest-fleet.json')
const runsOfVitest = [
  vitestRun('tests/reliability', 'tests/reliability', vitestJson, {}),
  vitestRun('fleets', 'tests/reliability/', fleetJson, { METIS_FLEET: 'only' }),
]
const vitest = runsOfVitest.find((run) => run.status !== 0) ?? runsOfVitest[0]
const vitestSeconds = (performance.now() - started) / 1000

interface Figure {
  test: string
  section: string
  what: string
  cases: number
}
const figures: Figure[] = existsSync(figuresFile)
  ? readFileSync(figuresFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Figure)
  : []

interface Assertion {
  ancestorTitles: string[]
  title: string
  status: string
}
const resultsOf = (file: string): Assertion[] =>
  existsSync(file)
    ? (
        JSON.parse(readFileSync(file, 'utf8')) as {
          testResults: { assertionResults: Assertion[] }[]
        }
      ).testResults.flatMap((tested) => tested.assertionResults)
    : []
const results: Assertion[] = [...resultsOf(vitestJson), ...resultsOf(fleetJson)]
if (results.length === 0) {
  checks.push({ section: 'fuzz', name: 'vitest run', tried: 'no results', held: false })
}
for (const result of results) {
  const name = [...result.ancestorTitles, result.title].join(' > ')
  const tallied = figures.filter((f) => f.test === name)
  const section = tallied[0]?.section ?? (name.includes('fail') ? 'fault' : 'fuzz')
  const tried = tallied.map((f) => `${f.cases.toLocaleString('en')} ${f.what}`).join('; ')
  const title = result.title
  checks.push({
    section,
    name: title,
    tried: tried || 'baseline',
    held: result.status === 'passed',
  })
}

// 2. the soak, its output kept with the rest for the hygiene scan
console.log('\n# soak: tests/reliability/soak.ts')
const soakLog = join(work, 'out-soak.log')
const fd = openSync(soakLog, 'w')
const soak = spawnSync(
  process.execPath,
  ['--expose-gc', '--conditions=metis-source', 'tests/reliability/soak.ts'],
  { cwd: root, env, stdio: ['ignore', fd, fd], timeout: 3 * 60_000 },
)
closeSync(fd)
const soakLine = readFileSync(soakLog, 'utf8')
  .split('\n')
  .find((line) => line.startsWith('SOAK '))
type Soak = {
  invocations: number
  concurrency: number
  soakMs: number
  perSecond: number
  heapWarmMB: number
  heapAfterMB: number
  heapGrowthPct: number
  unhandledRejections: number
  leftOpen: string[]
  statuses: Record<string, number>
  mismatches: number
  thrown: number
  checks: Record<'heap' | 'rejections' | 'handles' | 'statuses', boolean>
}
const soakFigures = soakLine === undefined ? undefined : (JSON.parse(soakLine.slice(5)) as Soak)
if (soakFigures === undefined) {
  console.log(`soak: no figures (exit ${soak.status}); its output is in ${soakLog}`)
  checks.push({ section: 'soak', name: 'soak run', tried: 'no figures', held: false })
} else {
  const s = soakFigures
  console.log(soakLine)
  const n = s.invocations.toLocaleString('en')
  checks.push(
    {
      section: 'soak',
      name: 'heap after the run grown by at most 10 % over the heap after warm-up',
      tried: `${n} invocations at concurrency ${s.concurrency}: ${s.heapWarmMB} MB -> ${s.heapAfterMB} MB (${s.heapGrowthPct} %)`,
      held: s.checks.heap,
    },
    {
      section: 'soak',
      name: 'no unhandled rejection',
      tried: `${s.unhandledRejections} seen`,
      held: s.checks.rejections,
    },
    {
      section: 'soak',
      name: 'no open handle left once the stack stopped',
      tried: s.leftOpen.length === 0 ? 'none left' : s.leftOpen.join(', '),
      held: s.checks.handles,
    },
    {
      section: 'soak',
      name: 'every invocation answered its expected status',
      tried: `${Object.entries(s.statuses)
        .map(([status, count]) => `${count} x ${status}`)
        .join(', ')}; ${s.mismatches} unexpected, ${s.thrown} thrown; ${s.perSecond}/s`,
      held: s.checks.statuses,
    },
  )
}

// 3. secret hygiene over everything written
const hygiene: ScanReport = scanLogs(work)
checks.push({
  section: 'hygiene',
  name: 'no client secret or bearer token in any line written',
  tried: `${hygiene.lines.toLocaleString('en')} lines (${(hygiene.bytes / 1048576).toFixed(1)} MB) from ${hygiene.files} outputs, ${hygiene.secrets} registered secrets and tokens, plus patterns (signed JWTs, the test client's secret and Basic credential)`,
  held: hygiene.hits.length === 0,
})
for (const hit of hygiene.hits) console.log(`secret hygiene: ${hit.file}: ${hit.what}`)

// RELIABILITY.md: the generated part, then whatever was written by hand below the marker
const MARKER = '<!-- Generated above by `npm run reliability`; written by hand below. -->'
const target = join(root, 'RELIABILITY.md')
const previous = existsSync(target) ? readFileSync(target, 'utf8') : ''
const handWritten = previous.includes(MARKER) ? previous.slice(previous.indexOf(MARKER)) : MARKER

const cell = (text: string): string => text.replaceAll('|', '\\|')
const table = (section: string): string => {
  const rows = checks
    .filter((c) => c.section === section)
    .map((c) => `| ${cell(c.name)} | ${cell(c.tried)} | ${c.held ? 'held' : '**FAILED**'} |`)
  return ['| check | tried | outcome |', '|---|---|---|', ...rows].join('\n')
}
const sum = (section: string): number =>
  figures.filter((f) => f.section === section).reduce((total, f) => total + f.cases, 0)
const passed = checks.filter((c) => c.held).length
const failed = checks.length - passed

const doc = `# Reliability and security

What DESIGN.md section 5 promises about bad input, measured. Regenerated by \`npm run reliability\`
(\`node scripts/reliability.ts\`): ${passed} checks held, ${failed} failed, on Node ${process.versions.node}
(${process.platform}), ${new Date().toISOString().slice(0, 10)}; the property tests ran ${fcRuns.toLocaleString('en')} cases each (\`FC_RUNS\`;
\`npm test\` runs the same tests with a few hundred). Vitest part: ${vitestSeconds.toFixed(0)} s.

## Property tests (fast-check): ${sum('fuzz').toLocaleString('en')} cases

${table('fuzz')}

## Fault injection: ${sum('fault').toLocaleString('en')} cases

Misbehaving loopback servers on 127.0.0.1 (refused connection, reset mid-body, 500, 503 with
Retry-After, slower than the timeout, HTML, truncated JSON) and DynamoDB errors thrown in front of
the real client over dynalite (throttling, conditional-check failures) or a dead endpoint. Every
test also listens for \`unhandledRejection\` and fails on one.

${table('fault')}

## Fleets: separate processes sharing one dynalite

Each Lambda instance a separate Node process with its own DynamoDB client, all on one dynalite
table on 127.0.0.1 (with a latency proxy in front where the row says so): what the shared circuit
and the shared self token promise across instances, counted.

${table('fleet')}

## Soak

${table('soak')}

## Secret hygiene

Every line the vitest workers and the soak wrote (stdout, stderr, \`console\`) was kept and
scanned. In \`npm test\` the same scan runs over the whole suite (\`tests/reliability/hygiene.setup.ts\`
and \`hygiene.global.ts\` in vitest.config.ts) and fails the run on a hit.

${table('hygiene')}

${handWritten}
`
writeFileSync(target, doc)
// Biome formats markdown tables (padded columns); `npm test` checks that it is formatted.
spawnSync(join(root, 'node_modules/.bin/biome'), ['format', '--write', 'RELIABILITY.md'], {
  cwd: root,
  stdio: 'ignore',
})
console.log(`\nRELIABILITY.md written. Work files in ${work}`)
if (vitest?.status !== 0 && results.every((r) => r.status === 'passed')) {
  console.log(`vitest exited ${vitest?.status ?? vitest?.signal}`)
  checks.push({ section: 'fuzz', name: 'vitest exit', tried: '', held: false })
}
const finalFailed = checks.filter((c) => !c.held).length
console.log(`${checks.length - finalFailed} passed, ${finalFailed} failed`)
process.exit(finalFailed === 0 ? 0 : 1)
