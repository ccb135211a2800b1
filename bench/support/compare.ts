/**
 * Runs a group of tinybench tasks in one run and prints each task's mean time and its ratio to a
 * named baseline (a peer), so results read as "ours is 0.4x of @middy/http-router".
 */
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
