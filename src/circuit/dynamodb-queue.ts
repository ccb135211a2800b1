/**
 * The DynamoDB circuit store's write queue: writes to one circuit from this container go one
 * batch at a time (a batch of changes replayed into one write), so that the calls that fail
 * together in one container cost one write, not a race among themselves.
 * @module
 */
import type { CircuitChange, CircuitSnapshot, CircuitUpdate, FailureRule } from './store.ts'

/** A change, or failures to count, waiting for its circuit's next write. */
export type Job = {
  readonly now: number
  readonly resolve: (outcome: CircuitUpdate) => void
  readonly reject: (error: unknown) => void
} & ({ readonly change: CircuitChange } | { readonly rule: FailureRule })

/** A job that counts a failure. */
export type CountJob = Extract<Job, { rule: FailureRule }>

/** A job that applies a change. */
export type ChangeJob = Extract<Job, { change: CircuitChange }>

/** Applies changes in order to `start`: each one's outcome, and the state after all of them. */
export const replay = (start: CircuitSnapshot, jobs: readonly ChangeJob[]) => {
  let state = start
  const steps: { previous: CircuitSnapshot; next: CircuitSnapshot }[] = []
  for (const job of jobs) {
    const next = job.change(state)
    const after: CircuitSnapshot =
      next === undefined ? state : { ...next, version: start.version + 1 }
    steps.push({ previous: state, next: after })
    state = after
  }
  return { steps, final: state }
}

/** What the queue runs a batch with: each answers one outcome per job, in order. */
export interface BatchWriters {
  countFailures(name: string, jobs: readonly CountJob[]): Promise<CircuitUpdate[]>
  applyChanges(name: string, jobs: readonly ChangeJob[]): Promise<CircuitUpdate[]>
}

/** The store's `update` and `countFailure`, queued per circuit. */
export interface WriteQueue {
  update(name: string, now: number, change: CircuitChange): Promise<CircuitUpdate>
  countFailure(name: string, now: number, rule: FailureRule): Promise<CircuitUpdate>
}

/**
 * Queues writes per circuit and runs them with `writers`, each run of changes or of counts as one
 * batch; a batch that fails rejects each of its jobs.
 *
 * @example
 * ```ts
 * const { update, countFailure } = writeQueue({ countFailures, applyChanges })
 * ```
 */
export const writeQueue = ({ countFailures, applyChanges }: BatchWriters): WriteQueue => {
  const waiting = new Map<string, Job[]>()

  /** Runs `jobs` in order, each run of changes or of counts as one batch. */
  const run = async (name: string, jobs: readonly Job[]): Promise<void> => {
    for (let i = 0; i < jobs.length; ) {
      const counting = 'rule' in (jobs[i] as Job)
      let end = i
      while (end < jobs.length && 'rule' in (jobs[end] as Job) === counting) end++
      const batch = jobs.slice(i, end)
      i = end
      try {
        const outcomes = counting
          ? await countFailures(name, batch as CountJob[])
          : await applyChanges(name, batch as ChangeJob[])
        for (const [k, job] of batch.entries()) job.resolve(outcomes[k] as CircuitUpdate)
      } catch (error) {
        for (const job of batch) job.reject(error)
      }
    }
  }

  const drain = async (name: string): Promise<void> => {
    for (let jobs = waiting.get(name); jobs !== undefined; jobs = waiting.get(name)) {
      waiting.set(name, [])
      if (jobs.length === 0) break
      await run(name, jobs)
    }
    waiting.delete(name)
  }

  const enqueue = (name: string, job: Job): void => {
    const queued = waiting.get(name)
    if (queued !== undefined) {
      queued.push(job)
      return
    }
    waiting.set(name, [job])
    void drain(name)
  }

  return {
    update: (name, now, change) =>
      new Promise((resolve, reject) => enqueue(name, { now, change, resolve, reject })),
    countFailure: (name, now, rule) =>
      new Promise((resolve, reject) => enqueue(name, { now, rule, resolve, reject })),
  }
}
