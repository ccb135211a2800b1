/**
 * Captures what Powertools really writes. Outside dev mode, Logger and Metrics each print through
 * a `new Console({ stdout: process.stdout, stderr: process.stderr })`, which calls the stream's
 * `write` at every line; a spy on those two `write` functions sees every JSON log line and EMF
 * blob, exactly as Lambda would ship them.
 */
import { vi } from 'vitest'

/** One captured JSON line. */
export type Line = Record<string, unknown>

export interface Capture {
  /** Every raw chunk written, in order. */
  readonly raw: string[]
  /** The structured log lines (those with a `level`). */
  logs(): Line[]
  /** The EMF metric blobs (those with `_aws`). */
  emf(): Line[]
  /** The log line with this message, or a failure naming what was written. */
  line(message: string): Line
  restore(): void
}

/** Starts capturing stdout and stderr writes; call `restore()` in `afterEach`. */
export const captureOutput = (): Capture => {
  const raw: string[] = []
  const record = (chunk: unknown): boolean => {
    raw.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'))
    return true
  }
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(record)
  const errOut = vi.spyOn(process.stderr, 'write').mockImplementation(record)
  const parsed = (): Line[] =>
    raw
      .flatMap((chunk) => chunk.split('\n'))
      .filter((text) => text.startsWith('{'))
      .map((text) => JSON.parse(text) as Line)
  return {
    raw,
    logs: () => parsed().filter((line) => typeof line.level === 'string'),
    emf: () => parsed().filter((line) => line._aws !== undefined),
    line(message) {
      const found = parsed().find((line) => line.message === message)
      if (found === undefined) throw new Error(`no '${message}' line in:\n${raw.join('')}`)
      return found
    },
    restore() {
      out.mockRestore()
      errOut.mockRestore()
    },
  }
}

/** The names of the metrics an EMF blob declares. */
export const metricNames = (blob: Line): string[] => {
  const directives = (
    blob._aws as { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> }
  ).CloudWatchMetrics
  return directives.flatMap((directive) => directive.Metrics.map((metric) => metric.Name))
}
