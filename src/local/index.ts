/**
 * `metis-app/local`: run any Lambda handler (Middy or plain) on your machine, over real HTTP,
 * with no AWS and nothing else to install.
 *
 * {@link serve} starts an HTTP server on 127.0.0.1 that turns each request into an API Gateway
 * HTTP API v2 event (REST v1 or ALB by option), invokes the handler with a Lambda context, and
 * writes its result back. {@link invoke} runs a handler once on any event (S3, SQS, EventBridge,
 * ...). With `docs`, the server also serves an interactive API page at `/docs` (Swagger UI from
 * the `swagger-ui-dist` package, offline) that loads `/openapi.json`. The `metis-app` command does
 * both from the shell, and prints a router app's OpenAPI document (`metis-app openapi`):
 *
 * ```sh
 * npx metis-app serve dist/handler.js --port 3000
 * npx metis-app invoke dist/handler.js events/s3-put.json
 * ```
 *
 * @example
 * ```ts
 * import { serve } from 'metis-app/local'
 * import { handler } from './handler.js'
 *
 * const server = await serve(handler, { port: 3000 })
 * console.log(`listening on ${server.url}`)
 * ```
 * @module
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Context } from 'aws-lambda'
import { type DocsOptions, docsAnswerer } from './docs.ts'
import { type EventVersion, toLambdaEvent } from './events.ts'
import { fromLambdaResult } from './response.ts'

export type { DocsOptions } from './docs.ts'
export type { EventVersion } from './events.ts'

/**
 * Any Lambda handler: `(event, context)` returning a value or a promise of one.
 *
 * @example
 * ```ts
 * const serveAll = (handlers: readonly AnyHandler[]) =>
 *   Promise.all(handlers.map((handler) => serve(handler, { port: 0 })))
 * ```
 */
export type AnyHandler = (event: never, context: never) => unknown

/**
 * Options of the Lambda context the local runner builds.
 *
 * @example
 * ```ts
 * const options: ContextOptions = { functionName: 'orders', timeoutMs: 3_000 }
 * const result = await invoke(handler, event, options)
 * ```
 */
export interface ContextOptions {
  /** The function name (`context.functionName`). Default `local`. */
  functionName?: string
  /** The invocation time limit: `getRemainingTimeInMillis()` counts down from it, and `serve()` answers 504 past it. Default 30 s. */
  timeoutMs?: number
  /** The request id; a new UUID by default. */
  requestId?: string
  /** Memory size as Lambda reports it. Default `'1024'`. */
  memoryLimitInMB?: string
  /** The clock for the remaining time, in epoch milliseconds. Default `Date.now`. */
  clock?: () => number
}

/**
 * Builds a Lambda context for one invocation: request id, function name and ARN, log names, and a
 * `getRemainingTimeInMillis()` that counts down from `timeoutMs`.
 *
 * @example
 * ```ts
 * const context = createLambdaContext({ functionName: 'orders', timeoutMs: 3000 })
 * context.getRemainingTimeInMillis() // <= 3000
 * ```
 */
export const createLambdaContext = (options: ContextOptions = {}): Context => {
  const clock = options.clock ?? Date.now
  const functionName = options.functionName ?? 'local'
  const deadline = clock() + (options.timeoutMs ?? 30_000)
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: options.memoryLimitInMB ?? '1024',
    awsRequestId: options.requestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - clock()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }
}

/**
 * Invokes a handler once with an event and a fresh Lambda context, and resolves to its result.
 *
 * @example
 * ```ts
 * const result = await invoke(handler, JSON.parse(await readFile('s3-put.json', 'utf8')))
 * ```
 */
export const invoke = async (
  handler: AnyHandler,
  event: unknown,
  options: ContextOptions = {},
): Promise<unknown> => {
  const call = handler as (event: unknown, context: Context) => unknown
  return await call(event, createLambdaContext(options))
}

/**
 * Options of {@link serve}.
 *
 * @example
 * ```ts
 * const options: ServeOptions = { port: 0, eventVersion: 'v1', docs: true, timeoutMs: 10_000 }
 * const server = await serve(handler, options)
 * ```
 */
export interface ServeOptions extends ContextOptions {
  /** The port; 0 picks a free one. Default 3000. */
  port?: number
  /**
   * The address to listen on. Default `127.0.0.1`: the server is for this machine only, and on a
   * loopback address it answers only the `Host` names of this machine (see {@link serve}).
   */
  host?: string
  /** The event shape handed to the handler. Default `'v2'` (HTTP API). */
  eventVersion?: EventVersion
  /** Called with what went wrong when a handler throws or returns garbage (default: stderr). */
  onError?: (message: string, cause?: unknown) => void
  /** The largest request body accepted, in bytes; larger is a 413. Default 6 MiB (Lambda's limit). */
  maxBodyBytes?: number
  /**
   * Serve an interactive API page (Swagger UI, from the `swagger-ui-dist` package, offline) at
   * `/docs`, which loads the OpenAPI document from `/openapi.json`: the handler's route
   * (`withOpenApi()` of `metis-app/openapi`) or `docs.document`. Default false; the
   * `metis-app serve` command turns it on.
   */
  docs?: boolean | DocsOptions
}

/**
 * A running local server.
 *
 * @example
 * ```ts
 * const server: LocalServer = await serve(handler, { port: 0 })
 * const response = await fetch(`${server.url}/orders/1`)
 * await server.close()
 * ```
 */
export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  /** Stops accepting connections and closes the open ones. */
  close(): Promise<void>
}

const readBody = async (request: IncomingMessage, limit: number): Promise<Buffer | undefined> => {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    const buffer = chunk as Buffer
    size += buffer.length
    if (size > limit) return undefined
    chunks.push(buffer)
  }
  return Buffer.concat(chunks)
}

const TIMED_OUT = Symbol('timed out')

/** True for an address the server is bound to that only this machine can reach. */
const isLoopback = (address: string): boolean =>
  address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.')

// A Host header: a name, an IPv4 address or a bracketed IPv6 address, then an optional port.
const HOST_HEADER = /^(\[[0-9a-f:.]*\]|[^:[\]]*)(?::\d*)?$/

/**
 * The Host names a loopback-bound server answers: a web page that a DNS name of its own leads to
 * 127.0.0.1 (DNS rebinding) sends that name, never one of these, so it cannot reach the handler.
 */
const loopbackHosts = (bound: string): ReadonlySet<string> =>
  new Set(['localhost', '127.0.0.1', '[::1]', bound.includes(':') ? `[${bound}]` : bound])

const hostAllowed = (allowed: ReadonlySet<string>, header: string | undefined): boolean => {
  const name = HOST_HEADER.exec(header?.toLowerCase() ?? '')?.[1]
  return name !== undefined && allowed.has(name)
}

const sendProblem = (response: ServerResponse, status: number, title: string, detail: string) => {
  const body = JSON.stringify({ type: 'about:blank', title, status, detail })
  response.writeHead(status, { 'content-type': 'application/problem+json' })
  response.end(body)
}

/**
 * Serves a handler over real HTTP on 127.0.0.1. Each request becomes an API Gateway event (HTTP
 * API v2 by default, REST v1 or ALB by option) with a Lambda context; the handler's result becomes
 * the response (status, headers, multi-value headers, cookies, base64 bodies). A handler that
 * throws or returns something that is not a valid response gets a 502 with a clear message, and
 * the server keeps serving.
 *
 * Bound to a loopback address (127.0.0.0/8, `::1`, `localhost`, the default), the server answers
 * 403 (problem+json) to a request whose `Host` is not `localhost`, `127.0.0.1`, `[::1]` or the
 * bound address, with any port: a web page cannot reach a handler that runs with real
 * credentials by pointing a DNS name of its own at 127.0.0.1 (DNS rebinding). Bound to another
 * address (`0.0.0.0`), every `Host` is answered.
 *
 * @example
 * ```ts
 * const server = await serve(handler, { port: 0, eventVersion: 'v1' })
 * await fetch(`${server.url}/orders/1`)
 * await server.close()
 * ```
 */
export const serve = async (
  handler: AnyHandler,
  options: ServeOptions = {},
): Promise<LocalServer> => {
  // node:http is loaded here, not at import, so that `invoke` users never pay for it.
  const { createServer } = await import('node:http')
  const version = options.eventVersion ?? 'v2'
  const limit = options.maxBodyBytes ?? 6 * 1024 * 1024
  const report =
    options.onError ?? ((message: string) => process.stderr.write(`metis-app local: ${message}\n`))

  // Set when the server listens, before any request: the Host names answered, or undefined when
  // the server is bound to an address other machines reach (any Host is answered, as chosen).
  let allowedHosts: ReadonlySet<string> | undefined
  const docs =
    options.docs === undefined || options.docs === false
      ? undefined
      : docsAnswerer(options.docs === true ? {} : options.docs)

  const answer = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (allowedHosts !== undefined && !hostAllowed(allowedHosts, request.headers.host)) {
      sendProblem(
        response,
        403,
        'Forbidden',
        'The local server on a loopback address answers only the Host localhost, 127.0.0.1 or [::1] (with any port), so that no web page can reach it through DNS rebinding',
      )
      return
    }
    if (docs !== undefined && (await docs(request, response))) return
    const body = await readBody(request, limit)
    if (body === undefined) {
      sendProblem(response, 413, 'Content Too Large', `The body is larger than ${limit} bytes`)
      return
    }
    const event = toLambdaEvent(
      {
        method: String(request.method),
        url: String(request.url),
        headers: request.headersDistinct as Record<string, string[]>,
        body,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      },
      version,
    )
    let result: unknown
    const timeLimit = options.timeoutMs ?? 30_000
    let timer: ReturnType<typeof setTimeout> | undefined
    const timedOut = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), timeLimit)
    })
    try {
      result = await Promise.race([invoke(handler, event, options), timedOut])
    } catch (cause) {
      report('the handler threw', cause)
      sendProblem(response, 502, 'Bad Gateway', 'The handler threw an error')
      return
    } finally {
      clearTimeout(timer)
    }
    if (result === TIMED_OUT) {
      // as Lambda ends an invocation at its timeout and API Gateway answers 504
      report(`the handler did not answer within ${timeLimit} ms`)
      sendProblem(
        response,
        504,
        'Gateway Timeout',
        `The handler did not answer within ${timeLimit} ms`,
      )
      return
    }
    const outgoing = fromLambdaResult(result, version)
    if (!outgoing.ok) {
      report(`the handler returned an invalid response: ${outgoing.error}`)
      sendProblem(
        response,
        502,
        'Bad Gateway',
        `The handler returned an invalid response: ${outgoing.error}`,
      )
      return
    }
    response.writeHead(outgoing.value.statusCode, outgoing.value.headers)
    response.end(request.method === 'HEAD' ? undefined : outgoing.value.body)
  }

  const server: Server = createServer((request, response) => {
    answer(request, response).catch((cause: unknown) => {
      report('the request failed', cause)
      if (!response.headersSent)
        sendProblem(response, 500, 'Internal Server Error', 'Local server error')
      else response.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 3000, options.host ?? '127.0.0.1', () => {
      const { address } = server.address() as AddressInfo
      if (isLoopback(address)) allowedHosts = loopbackHosts(address)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const host = options.host ?? '127.0.0.1'
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  }
}
