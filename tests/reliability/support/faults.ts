/**
 * Dependencies that misbehave on purpose: a loopback HTTP server (127.0.0.1, port 0) that answers
 * in one of the ways a token or JWKS endpoint fails, a DynamoDB client whose `send` throws chosen
 * errors in front of the real one, and a watch for unhandled rejections.
 */
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'

/** The ways an HTTP dependency fails. */
export const HTTP_FAULTS = [
  'refused',
  'reset mid-body',
  '500',
  '503 with Retry-After',
  'slow past the timeout',
  'HTML',
  'truncated JSON',
] as const

export type HttpFault = (typeof HTTP_FAULTS)[number]

/** A server answering every request with one fault; `url` is its address (for `refused`, a dead port). */
export interface FaultyServer {
  readonly url: string
  /** Requests received. */
  requests(): number
  stop(): Promise<void>
}

/** How long `slow past the timeout` waits before it answers, ms; give clients a timeout below it. */
export const SLOW_MS = 1_500

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const close = async (server: Server): Promise<void> => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}

const answer = (fault: HttpFault, res: ServerResponse, socket: Socket): void => {
  switch (fault) {
    case 'reset mid-body':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' })
      res.write('{"access_token":"eyJhbGciOi')
      setImmediate(() => socket.destroy())
      return
    case '500':
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"server_error"}')
      return
    case '503 with Retry-After':
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '120' }).end('busy')
      return
    case 'HTML':
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in</body></html>')
      return
    case 'truncated JSON':
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"access_token":"abc","token_type":"Bear')
      return
    default:
      res.writeHead(500).end()
  }
}

/** Starts a server that fails with `fault` on every request (or a dead port for `refused`). */
export const startFaultyServer = async (fault: HttpFault, path = '/'): Promise<FaultyServer> => {
  let count = 0
  const timers = new Set<NodeJS.Timeout>()
  const server = createServer((req, res) => {
    count += 1
    req.resume()
    if (fault === 'slow past the timeout') {
      const timer = setTimeout(() => {
        timers.delete(timer)
        if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      }, SLOW_MS)
      timers.add(timer)
      return
    }
    answer(fault, res, req.socket)
  })
  const base = await listen(server)
  const stop = async () => {
    for (const timer of timers) clearTimeout(timer)
    timers.clear()
    await close(server)
  }
  if (fault === 'refused') await stop()
  return {
    url: `${base}${path}`,
    requests: () => count,
    stop: fault === 'refused' ? async () => undefined : stop,
  }
}

/** A command name and the how-many-th call of it: the plan decides whether it fails, and how. */
export type DynamoFaultPlan = (command: string, n: number) => Error | undefined

/**
 * Puts a fault plan in front of a real client's `send`: a planned error is thrown (as the SDK
 * rejects) instead of sending; any other command goes to the real table. Answers the count of
 * injected faults.
 */
export const injectDynamoFaults = (client: DynamoDBClient, plan: DynamoFaultPlan) => {
  const send = client.send.bind(client) as (command: unknown, options?: unknown) => Promise<unknown>
  const calls = new Map<string, number>()
  let injected = 0
  client.send = (async (command: { constructor: { name: string } }, options?: unknown) => {
    const name = command.constructor.name
    const n = (calls.get(name) ?? 0) + 1
    calls.set(name, n)
    const fault = plan(name, n)
    if (fault !== undefined) {
      injected += 1
      throw fault
    }
    return send(command, options)
  }) as typeof client.send
  return { injected: () => injected }
}

/**
 * Listens for `unhandledRejection` for the whole file and fails the test after which one came.
 * Answers the list, for tests that want to look at it themselves.
 */
export const watchUnhandledRejections = (): unknown[] => {
  const seen: unknown[] = []
  const listener = (reason: unknown) => {
    seen.push(reason)
  }
  beforeAll(() => {
    process.on('unhandledRejection', listener)
  })
  afterEach(async () => {
    // a rejection is reported once the microtask queue drains: let a few macrotasks pass
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
    expect(seen, 'unhandled rejections').toEqual([])
  })
  afterAll(() => {
    process.off('unhandledRejection', listener)
  })
  return seen
}

/** A logger that keeps its warnings and info lines. */
export const recordingLogger = () => {
  const lines: { level: string; message: string; extra: unknown[] }[] = []
  return {
    lines,
    debug(message: string, ...extra: unknown[]) {
      lines.push({ level: 'debug', message, extra })
    },
    info(message: string, ...extra: unknown[]) {
      lines.push({ level: 'info', message, extra })
    },
    warn(message: string, ...extra: unknown[]) {
      lines.push({ level: 'warn', message, extra })
    },
    error(message: string, ...extra: unknown[]) {
      lines.push({ level: 'error', message, extra })
    },
    text: () => JSON.stringify(lines),
  }
}
