/**
 * Runs a group of tinybench tasks in one run and prints each task's mean time and its ratio to a
 * named baseline (a peer), so results read as "ours is 0.4x of @middy/http-router".
 */
import { appendFileSync } from 'node:fs'
import { Bench } from 'tinybench'

/** One task: a name and an (async or sync) function to time. */
export interface Task {
  name: string
  fn: () => unknown
}

/** One row of a finished comparison. */
export interface Row {
  name: string
  meanUs: number
  p99Us: number
  ratio: number
}

/**
 * Times the tasks in one tinybench run and prints a table of mean, p99 and ratio to `baseline`.
 * Returns the rows so a bench can print further figures from them.
 */
export const compare = async (
  title: string,
  baseline: string,
  tasks: readonly Task[],
  options: { time?: number; warmupTime?: number } = {},
): Promise<Row[]> => {
  const bench = new Bench({ time: options.time ?? 500, warmupTime: options.warmupTime ?? 100 })
  for (const task of tasks) bench.add(task.name, task.fn)
  await bench.run()
  const means = new Map<string, { mean: number; p99: number }>()
  for (const task of bench.tasks) {
    const latency = task.result && 'latency' in task.result ? task.result.latency : undefined
    if (latency === undefined) throw new Error(`bench task ${task.name} failed`)
    means.set(task.name, { mean: latency.mean, p99: latency.p99 ?? latency.max })
  }
  const base = means.get(baseline)?.mean
  if (base === undefined) throw new Error(`no baseline task named ${baseline}`)
  const rows = [...means].map(([name, { mean, p99 }]) => ({
    name,
    meanUs: mean * 1000,
    p99Us: p99 * 1000,
    ratio: mean / base,
  }))
  console.log(`\n## ${title} (ratio to ${baseline})`)
  console.table(
    rows.map((r) => ({
      task: r.name,
      'mean (us)': r.meanUs.toFixed(2),
      'p99 (us)': r.p99Us.toFixed(2),
      ratio: `${r.ratio.toFixed(2)}x`,
    })),
  )
  return rows
}

/** One task's figures over several rounds: the median of the rounds' means and p99s. */
export interface RoundsRow extends Row {
  /** Each round's mean, in microseconds, in round order. */
  roundsUs: number[]
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/**
 * Times the tasks in several tinybench runs ("rounds"), reversing the task order every other
 * round so that neither the peer nor ours always runs first (on a shared machine, a neighbour's
 * load or a GC debt then hits both alike), and prints the median of the rounds' means and p99s
 * with the ratio to `baseline`. Returns the rows.
 */
export const compareRounds = async (
  title: string,
  baseline: string,
  tasks: readonly Task[],
  options: { rounds?: number; time?: number; warmupTime?: number } = {},
): Promise<RoundsRow[]> => {
  const rounds = options.rounds ?? 5
  const means = new Map<string, number[]>(tasks.map((t) => [t.name, []]))
  const p99s = new Map<string, number[]>(tasks.map((t) => [t.name, []]))
  for (let round = 0; round < rounds; round += 1) {
    const ordered = round % 2 === 0 ? tasks : [...tasks].reverse()
    const bench = new Bench({ time: options.time ?? 300, warmupTime: options.warmupTime ?? 100 })
    for (const task of ordered) bench.add(task.name, task.fn)
    await bench.run()
    for (const task of bench.tasks) {
      const latency = task.result && 'latency' in task.result ? task.result.latency : undefined
      if (latency === undefined) throw new Error(`bench task ${task.name} failed`)
      means.get(task.name)?.push(latency.mean * 1000)
      p99s.get(task.name)?.push((latency.p99 ?? latency.max) * 1000)
    }
  }
  const base = median(means.get(baseline) ?? [])
  if (!Number.isFinite(base)) throw new Error(`no baseline task named ${baseline}`)
  const rows = tasks.map((task) => {
    const roundsUs = means.get(task.name) ?? []
    const meanUs = median(roundsUs)
    return {
      name: task.name,
      meanUs,
      p99Us: median(p99s.get(task.name) ?? []),
      ratio: meanUs / base,
      roundsUs,
    }
  })
  console.log(`\n## ${title} (median of ${rounds} rounds; ratio to ${baseline})`)
  console.table(
    rows.map((r) => ({
      task: r.name,
      'mean (us)': r.meanUs.toFixed(2),
      'p99 (us)': r.p99Us.toFixed(2),
      ratio: `${r.ratio.toFixed(2)}x`,
      'rounds (us)': r.roundsUs.map((us) => us.toFixed(1)).join(' '),
    })),
  )
  return rows
}

/** One line of the summary `npm run bench` prints at the end: ours against a peer and a target. */
export interface SummaryLine {
  /** What is measured ("per invocation, repeated token"). */
  measure: string
  /** The peer it is compared with. */
  peer: string
  /** Our figure and the peer's, with their unit. */
  ours: number
  theirs: number
  unit: string
  /** The target ratio (ours / peer at most), if the issue sets one. */
  target?: number
}

/**
 * Hands a summary line to `scripts/bench.js` (through the file named by `METIS_BENCH_SUMMARY`,
 * one JSON line each), which prints every bench's lines as one table at the end; without that
 * variable (a bench run alone) it prints the line.
 */
export const summarize = (line: SummaryLine): void => {
  const file = process.env.METIS_BENCH_SUMMARY
  if (file === undefined || file === '') {
    const ratio = line.ours / line.theirs
    console.log(
      `summary: ${line.measure}: ${line.ours.toFixed(1)} vs ${line.theirs.toFixed(1)} ${line.unit} (${ratio.toFixed(2)}x${line.target === undefined ? '' : `, target <= ${line.target}x`})`,
    )
    return
  }
  appendFileSync(file, `${JSON.stringify(line)}\n`)
}
