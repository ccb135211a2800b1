/**
 * How many cases a reliability check runs, and what it tried, for RELIABILITY.md.
 *
 * `npm test` runs each property a modest number of times (`runs(n)` answers `n`); the reliability
 * script sets `FC_RUNS` and every property runs that many times instead. When the script sets
 * `RELIABILITY_FIGURES` (a file), {@link tally} appends one JSON line per check with the count of
 * cases it tried, and the script builds its table from them.
 */
import { appendFileSync } from 'node:fs'
import { expect } from 'vitest'

/** The number of runs of a property: `FC_RUNS` when set, else `modest`. */
export const runs = (modest: number): number => {
  const wanted = Number(process.env.FC_RUNS)
  return Number.isInteger(wanted) && wanted > 0 ? wanted : modest
}

/** One line of the figures file. */
export interface Figure {
  /** The test's full name (describe blocks and test name). */
  readonly test: string
  /** The section of RELIABILITY.md: fuzz, fault, soak, hygiene. */
  readonly section: string
  /** What was tried, in a few words. */
  readonly what: string
  /** How many cases (inputs, fault cases, tokens). */
  readonly cases: number
}

/** Records that the current test tried `cases` cases of `what` (a no-op outside the script). */
export const tally = (section: string, what: string, cases: number): void => {
  const file = process.env.RELIABILITY_FIGURES
  if (file === undefined || file === '') return
  const test = expect.getState().currentTestName ?? what
  const figure: Figure = { test, section, what, cases }
  appendFileSync(file, `${JSON.stringify(figure)}\n`)
}
