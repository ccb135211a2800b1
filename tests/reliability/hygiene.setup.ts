/**
 * Vitest setup file (every worker, every test file): tees what the tests write to stdout and
 * stderr, and what they log through `console`, into the secret-hygiene capture (see
 * `support/hygiene.ts`). Writes still reach the terminal as before.
 */
import { format } from 'node:util'
import { keepOutput } from './support/hygiene.ts'

const TEED = Symbol.for('metis-app/hygiene-teed')

type Write = typeof process.stdout.write

const tee = (stream: NodeJS.WriteStream): void => {
  const marked = stream as NodeJS.WriteStream & { [TEED]?: true }
  if (marked[TEED] === true) return
  marked[TEED] = true
  const original = stream.write.bind(stream) as Write
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    keepOutput(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    return (original as (...args: unknown[]) => boolean)(chunk, ...rest)
  }) as Write
}

const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const

// Vitest routes `console` in a worker to its reporter, not through process.stdout: tee it too.
const teeConsole = (target: Console): void => {
  const marked = target as Console & { [TEED]?: true }
  if (marked[TEED] === true) return
  marked[TEED] = true
  for (const method of METHODS) {
    const original = target[method].bind(target)
    target[method] = (...args: unknown[]) => {
      keepOutput(`${format(...args)}\n`)
      original(...args)
    }
  }
}

tee(process.stdout)
tee(process.stderr)
teeConsole(console)
