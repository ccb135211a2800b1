/**
 * Commands as a user runs them: npm, npx, a shell, each in its own process with an environment
 * that does not leak the repository (no `npm_*` variables of the running script, none of the
 * repository's `node_modules/.bin` on PATH), and the Node.js that runs this suite first on PATH.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { dirname, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's root directory. */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '')

/** What a finished command left. */
export interface Finished {
  /** The exit code; null when a signal ended it. */
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** PATH for a user's shell: this suite's Node.js first, nothing from the repository. */
const userPath = (): string => {
  const inRepo = (entry: string) => entry === REPO || entry.startsWith(`${REPO}${sep}`)
  const rest = (process.env.PATH ?? '').split(':').filter((entry) => entry !== '' && !inRepo(entry))
  return [dirname(process.execPath), ...rest].join(':')
}

/** The environment of a user's shell (without what npm and vitest set for this run), plus `extra`. */
export const userEnv = (extra: Readonly<Record<string, string>> = {}): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^npm_/i.test(name) || name.startsWith('VITEST')) continue
    if (['INIT_CWD', 'NODE_OPTIONS', 'NODE_ENV', 'TEST'].includes(name)) continue
    env[name] = value
  }
  return { ...env, PATH: userPath(), ...extra }
}

/** Options of {@link run}, {@link shell} and {@link Started}. */
export interface RunOptions {
  readonly cwd: string
  readonly env?: Readonly<Record<string, string>>
  /** Kills the command after this long (longer than any test may take); default 180 s. */
  readonly timeoutMs?: number
  /**
   * Starts it in a process group of its own, so that stopping it stops what it started too (npx
   * runs the command in a child); default false.
   */
  readonly group?: boolean
}

/** A command started in its own process, its output kept. */
export class Started {
  stdout = ''
  stderr = ''
  private readonly child: ChildProcess
  private readonly grouped: boolean
  private readonly ended: Promise<Finished>

  constructor(command: string, args: readonly string[], options: RunOptions) {
    this.child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? userEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.group ?? false,
    })
    this.grouped = options.group ?? false
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk
    })
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk
    })
    const timer = setTimeout(() => this.signal('SIGKILL'), options.timeoutMs ?? 180_000)
    this.ended = Promise.race([
      once(this.child, 'close'),
      once(this.child, 'error').then(([error]) => {
        this.stderr += String(error)
        return [127, null]
      }),
    ]).then(([code, signal]) => {
      clearTimeout(timer)
      return {
        code: code as number | null,
        signal: signal as NodeJS.Signals | null,
        stdout: this.stdout,
        stderr: this.stderr,
      }
    })
  }

  /** Resolves when the command has ended and its output is read. */
  finished(): Promise<Finished> {
    return this.ended
  }

  /** Resolves with the first match of `pattern` on stdout; rejects if the command ends first. */
  async waitForStdout(pattern: RegExp): Promise<RegExpExecArray> {
    const found = () => pattern.exec(this.stdout)
    return new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = found()
        if (match === null) return
        this.child.stdout?.off('data', check)
        resolve(match)
      }
      this.child.stdout?.on('data', check)
      check()
      void this.ended.then((end) =>
        reject(new Error(`exited ${end.code} before printing ${pattern}: ${end.stderr}`)),
      )
    })
  }

  /** Sends `signal` to the command (to its process group when it has one). */
  signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid
    if (pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return
    try {
      process.kill(this.grouped ? -pid : pid, signal)
    } catch {
      // it is gone already
    }
  }

  /** Stops the command and waits for its end. */
  async stop(): Promise<Finished> {
    this.signal('SIGTERM')
    return this.ended
  }
}

/** Runs a command to its end. */
export const run = (
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<Finished> => new Started(command, args, options).finished()

/** Runs a command line with `sh -c`, as a user pasting it into a shell. */
export const shell = (line: string, options: RunOptions): Promise<Finished> =>
  run('sh', ['-c', line], options)

/** A one-line summary of a finished command, for assertion messages. */
export const describeEnd = (end: Finished): string =>
  `exit ${end.code}${end.signal === null ? '' : ` (${end.signal})`}\n--- stdout\n${end.stdout}\n--- stderr\n${end.stderr}`
