#!/usr/bin/env node
/**
 * The `metis-app` command: `metis-app invoke <handler.js> <event.json>` runs a handler once on an
 * event file and prints its result; `metis-app serve <handler.js>` serves it over HTTP on
 * 127.0.0.1. `--export name` picks the handler's export (default `handler`), `--port`,
 * `--event-version v2|v1|alb` and `--host` shape the server.
 * @module
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { type AnyHandler, type EventVersion, invoke, type LocalServer, serve } from './index.ts'

const usage = `usage:
  metis-app invoke <handler.js> <event.json> [--export handler]
  metis-app serve <handler.js> [--port 3000] [--host 127.0.0.1] [--event-version v2|v1|alb] [--export handler]`

/** What {@link main} writes to; the real process by default, a buffer in tests. */
export interface Io {
  out: (text: string) => void
  error: (text: string) => void
}

const processIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  error: (text) => process.stderr.write(`${text}\n`),
}

const loadHandler = async (file: string, name: string): Promise<AnyHandler> => {
  const module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>
  const handler = module[name]
  if (typeof handler !== 'function') {
    throw new Error(`${file} has no exported function named ${name}`)
  }
  return handler as AnyHandler
}

const versions: readonly string[] = ['v2', 'v1', 'alb']

/**
 * Runs the command with its arguments; resolves to the exit code, or to the running server for
 * `serve` (the process then stays up until it is stopped).
 */
export const main = async (
  argv: readonly string[],
  io: Io = processIo,
): Promise<number | LocalServer> => {
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        export: { type: 'string', default: 'handler' },
        port: { type: 'string', default: '3000' },
        host: { type: 'string', default: '127.0.0.1' },
        'event-version': { type: 'string', default: 'v2' },
      },
    })
  } catch (error) {
    io.error(`${(error as Error).message}\n${usage}`)
    return 2
  }
  const [command, file, eventFile] = parsed.positionals
  const exportName = String(parsed.values.export)
  try {
    if (command === 'invoke' && file !== undefined && eventFile !== undefined) {
      const handler = await loadHandler(file, exportName)
      const event: unknown = JSON.parse(await readFile(eventFile, 'utf8'))
      const result = await invoke(handler, event)
      io.out(JSON.stringify(result ?? null, null, 2))
      return 0
    }
    if (command === 'serve' && file !== undefined) {
      const version = String(parsed.values['event-version'])
      const port = Number(parsed.values.port)
      if (!versions.includes(version) || !Number.isInteger(port) || port < 0 || port > 65535) {
        io.error(usage)
        return 2
      }
      const handler = await loadHandler(file, exportName)
      const server = await serve(handler, {
        port,
        host: String(parsed.values.host),
        eventVersion: version as EventVersion,
      })
      io.out(`metis-app: serving ${file} on ${server.url}`)
      return server
    }
  } catch (error) {
    io.error(`metis-app: ${(error as Error).message}`)
    return 1
  }
  io.error(usage)
  return 2
}

// Runs only when the file is the process's entry point (the tests call main() instead).
/* v8 ignore start */
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const code = await main(process.argv.slice(2))
  if (typeof code === 'number') process.exitCode = code
}
/* v8 ignore stop */
