/**
 * Captures what Powertools really writes. Outside dev mode, Logger and Metrics each print through
 * a `new Console({ stdout: process.stdout, stderr: process.stderr })`, which calls the stream's
 * `write` at every line; a spy on those two `write` functions sees every JSON log line and EMF
 * blob, exactly as Lambda would ship them.
 */
import type { ObserverOptions } from 'metis-app/observer'
import { afterEach, beforeEach, vi } from 'vitest'

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
  /** The first EMF blob that declares this metric, or undefined. */
  metric(name: string): Line | undefined
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
    metric: (name) =>
      parsed().find((line) => line._aws !== undefined && metricNames(line).includes(name)),
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

/**
 * For a test file: before each test, a Lambda-like environment (cold starts on demand, tracing
 * off, Powertools' own Console on stdout) and a fresh capture; after it, both undone. Returns a
 * capture that always reads the current test's output.
 */
export const useCapturedOutput = (): Omit<Capture, 'restore'> => {
  let current: Capture | undefined
  beforeEach(() => {
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand')
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'false')
    vi.stubEnv('POWERTOOLS_DEV', 'false')
    vi.stubEnv('POWERTOOLS_LOGGER_LOG_EVENT', 'false')
    current = captureOutput()
  })
  afterEach(() => {
    current?.restore()
    vi.unstubAllEnvs()
  })
  const now = (): Capture => current as Capture
  return {
    get raw() {
      return now().raw
    },
    logs: () => now().logs(),
    emf: () => now().emf(),
    line: (message) => now().line(message),
    metric: (name) => now().metric(name),
  }
}

/**
 * The observer options most tests use: named instances, tracing off, and the access-log setting
 * (every end line written; the default, DEBUG, has tests of its own).
 */
export const options = (extra: Partial<ObserverOptions> = {}): ObserverOptions => ({
  serviceName: 'orders',
  metricsNamespace: 'shop',
  tracing: false,
  requestEndLevel: 'INFO',
  ...extra,
})
