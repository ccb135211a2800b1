/**
 * The `metis-app` command: `metis-app invoke <handler> <event.json>` runs a handler once on an
 * event file and prints its result; `metis-app serve <handler>` serves it over HTTP on
 * 127.0.0.1, with the API page at `/docs`; `metis-app openapi <handler>` prints the OpenAPI
 * document of a router app. `--export name` picks the handler's export (default `handler`; `app`
 * then `handler` for `openapi`), `--port` (or `PORT`), `--event-version v2|v1|alb` and `--host`
 * shape the server. The executable is `bin.ts`; this module holds {@link main} so that tests
 * call it in-process.
 * @module
 */
import { readFile } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import type { OpenApiSource } from '../openapi/types.ts'
import { type AnyHandler, type EventVersion, invoke, type LocalServer, serve } from './index.ts'

/** What `metis-app --help` prints. */
export const usage = `usage:
  metis-app invoke <handler.js> <event.json> [--export handler]
      runs the handler once on the event file and prints its result as JSON
  metis-app serve <handler.js> [--port 3000] [--host 127.0.0.1] [--event-version v2|v1|alb] [--export handler]
      serves the handler over HTTP; each request becomes an API Gateway (v1, v2) or ALB event;
      /docs is the API page (Swagger UI, from the swagger-ui-dist package), loading /openapi.json
  metis-app openapi <handler.js> [--export app] [--title name] [--version 1.0.0] [--server url]
      prints the OpenAPI 3.1 document of the router app the module exports (or of a factory
      function of no arguments that returns one); title and version default to package.json's
  metis-app --help

  <handler.js> is an ES module (or a .ts file Node can run) exporting the handler.
  --port defaults to the PORT environment variable, else 3000; 0 picks a free port.`

/** What {@link main} writes to; the real process by default, a buffer in tests. */
export interface Io {
  out: (text: string) => void
  error: (text: string) => void
}

const processIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  error: (text) => process.stderr.write(`${text}\n`),
}

/** An error the command reports as one line, with its exit code. */
class CommandError extends Error {
  readonly code: number
  constructor(message: string, code: number) {
    super(message)
    this.code = code
  }
}

/** The first line of an error's message: a load failure's stack or code frame is not for the shell. */
const firstLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n', 1)[0] ?? ''

const loadModule = async (file: string): Promise<Record<string, unknown>> => {
  try {
    return (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>
  } catch (error) {
    throw new CommandError(`cannot load ${file}: ${firstLine(error)}`, 1)
  }
}

const loadHandler = async (file: string, name: string): Promise<AnyHandler> => {
  const module = await loadModule(file)
  const handler = module[name]
  if (typeof handler !== 'function') {
    throw new CommandError(`${file} has no exported function named ${name}`, 1)
  }
  return handler as AnyHandler
}

const readEvent = async (file: string): Promise<unknown> => {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new CommandError(`cannot read ${file}: ${firstLine(error)}`, 1)
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new CommandError(`${file} is not JSON: ${firstLine(error)}`, 1)
  }
}

const versions: readonly string[] = ['v2', 'v1', 'alb']

/** A router app: what `router()` of `metis-app/router` returns (it has its HTTP routes). */
type App = OpenApiSource

const isApp = (value: unknown): value is App =>
  (typeof value === 'function' || typeof value === 'object') &&
  value !== null &&
  Array.isArray((value as { routes?: unknown }).routes)

/** True when the app has its own `GET /openapi.json` route (as `withOpenApi` adds). */
const servesOwnDocument = (app: App): boolean =>
  app.routes.some(
    (route) =>
      route.path === '/openapi.json' && ['GET', 'ANY'].includes(String(route.method).toUpperCase()),
  )

/**
 * The router app a module exports under the first of `names` it has: the app itself, or a
 * factory of no arguments that returns one (a Middy handler is never called: it has `use`).
 */
const appOf = (module: Record<string, unknown>, names: readonly string[], file: string): App => {
  const name = names.find((candidate) => module[candidate] !== undefined)
  if (name === undefined) {
    throw new CommandError(
      `${file} exports none of ${names.join(', ')} (pick one with --export)`,
      1,
    )
  }
  const value = module[name]
  if (isApp(value)) return value
  if (typeof value === 'function' && value.length === 0 && !('use' in value)) {
    const made: unknown = (value as () => unknown)()
    if (isApp(made)) return made
  }
  throw new CommandError(
    `${file}: the export ${name} is not a router app (export the value router() returns, or a function that returns it)`,
    1,
  )
}

/** The title and version of the nearest package.json from the working directory. */
const packageInfo = async (): Promise<{ name?: string; version?: string }> => {
  try {
    const text = await readFile(resolve('package.json'), 'utf8')
    const manifest = JSON.parse(text) as { name?: unknown; version?: unknown }
    return {
      ...(typeof manifest.name === 'string' ? { name: manifest.name } : {}),
      ...(typeof manifest.version === 'string' ? { version: manifest.version } : {}),
    }
  } catch {
    return {}
  }
}

/** The OpenAPI document of an app; `metis-app/openapi` is loaded only when one is written. */
const documentOf = async (
  app: App,
  file: string,
  given: {
    title?: string | undefined
    version?: string | undefined
    servers?: string[] | undefined
  },
): Promise<object> => {
  const { openapi } = await import('../openapi/index.ts')
  const manifest = await packageInfo()
  const info = {
    title: given.title ?? manifest.name ?? basename(file).replace(/\.[cm]?[jt]s$/, ''),
    version: given.version ?? manifest.version ?? '0.0.0',
  }
  const servers = given.servers?.map((url) => ({ url }))
  return openapi(app, {
    info,
    ...(servers === undefined ? {} : { servers }),
  })
}

const portOf = (value: string, from: string): number => {
  const port = Number(value)
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CommandError(`${from} must be a port number from 0 to 65535, not ${value}`, 2)
  }
  return port
}

const listen = async (
  handler: AnyHandler,
  port: number,
  host: string,
  eventVersion: EventVersion,
  document: (() => Promise<object>) | undefined,
): Promise<LocalServer> => {
  try {
    const docs = document === undefined ? true : { document }
    return await serve(handler, { port, host, eventVersion, docs })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') {
      throw new CommandError(`port ${port} on ${host} is in use: pass --port (or PORT) another`, 1)
    }
    throw new CommandError(`cannot listen on ${host}:${port}: ${firstLine(error)}`, 1)
  }
}

const run = async (
  argv: readonly string[],
  io: Io,
  env: NodeJS.ProcessEnv,
): Promise<number | LocalServer> => {
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        export: { type: 'string' },
        title: { type: 'string' },
        version: { type: 'string' },
        server: { type: 'string', multiple: true },
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        'event-version': { type: 'string', default: 'v2' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    throw new CommandError(`${firstLine(error)} (metis-app --help for usage)`, 2)
  }
  if (parsed.values.help === true) {
    io.out(usage)
    return 0
  }
  const [command, file, eventFile, ...extra] = parsed.positionals
  const exportName = String(parsed.values.export ?? 'handler')
  const wrongArguments = (expected: string) =>
    new CommandError(`${command} takes ${expected} (metis-app --help for usage)`, 2)
  if (command === 'invoke') {
    if (file === undefined || eventFile === undefined || extra.length > 0) {
      throw wrongArguments('a handler file and an event file')
    }
    const handler = await loadHandler(file, exportName)
    const result = await invoke(handler, await readEvent(eventFile))
    io.out(JSON.stringify(result ?? null, null, 2))
    return 0
  }
  if (command === 'serve') {
    if (file === undefined || eventFile !== undefined) throw wrongArguments('one handler file')
    const version = String(parsed.values['event-version'])
    if (!versions.includes(version)) {
      throw new CommandError(`--event-version must be v2, v1 or alb, not ${version}`, 2)
    }
    const port =
      parsed.values.port !== undefined
        ? portOf(String(parsed.values.port), '--port')
        : env.PORT !== undefined
          ? portOf(env.PORT, 'PORT')
          : 3000
    const handler = await loadHandler(file, exportName)
    const host = String(parsed.values.host)
    // A router app served as it is: the server writes its document for the API page, unless
    // the app serves its own (withOpenApi), which then answers as the app wrote it.
    const document =
      isApp(handler) && !servesOwnDocument(handler)
        ? () => documentOf(handler, file, {})
        : undefined
    const server = await listen(handler, port, host, version as EventVersion, document)
    io.out(`metis-app: serving ${file} on ${server.url} (API page: ${server.url}/docs)`)
    return server
  }
  if (command === 'openapi') {
    if (file === undefined || eventFile !== undefined) throw wrongArguments('one handler file')
    const module = await loadModule(file)
    const names = parsed.values.export === undefined ? ['app', 'handler'] : [exportName]
    const app = appOf(module, names, file)
    const { title, version, server } = parsed.values
    const document = await documentOf(app, file, {
      title: title as string | undefined,
      version: version as string | undefined,
      servers: server as string[] | undefined,
    })
    io.out(JSON.stringify(document, null, 2))
    return 0
  }
  throw new CommandError(
    command === undefined
      ? 'no command given: invoke, serve or openapi (metis-app --help for usage)'
      : `unknown command ${command}: invoke, serve or openapi (metis-app --help for usage)`,
    2,
  )
}

/**
 * Runs the command with its arguments; resolves to the exit code, or to the running server for
 * `serve` (the process then stays up until it is stopped). Every failure is one line on `io.error`:
 * exit code 2 for a wrong argument, 1 for a handler or event that cannot be loaded or a port that
 * is in use.
 *
 * @example
 * ```ts
 * // in this repository's tests: the command in-process, its output in arrays
 * const out: string[] = []
 * const code = await main(['invoke', 'handler.js', 'event.json'], { out: (t) => out.push(t), error: (t) => out.push(t) })
 * ```
 */
export const main = async (
  argv: readonly string[],
  io: Io = processIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number | LocalServer> => {
  try {
    return await run(argv, io, env)
  } catch (error) {
    if (error instanceof CommandError) {
      io.error(`metis-app: ${error.message}`)
      return error.code
    }
    io.error(`metis-app: ${firstLine(error)}`)
    return 1
  }
}
