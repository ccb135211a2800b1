/**
 * A token endpoint that misbehaves on purpose: a `node:http` server on 127.0.0.1 (port 0) whose
 * answer each test chooses, counting the requests it receives and keeping what they carried.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type SelfTokenClient, type SelfTokenOptions, selfTokenClient } from 'metis-app/self-token'

/** A request as the endpoint saw it. */
export interface SeenRequest {
  readonly method: string
  readonly headers: IncomingMessage['headers']
  readonly form: URLSearchParams
}

/** What the endpoint answers: a status and body, or `hang` (never answers). */
export type Answer =
  | { status: number; body: string; contentType?: string; headers?: Record<string, string> }
  | 'hang'

export interface TokenServer {
  readonly url: string
  /** Requests received since start or the last `reset()`. */
  count(): number
  readonly seen: SeenRequest[]
  /** Resolves once `n` requests have been received since start or the last `reset()`. */
  arrived(n: number): Promise<void>
  /** Sets the answer to the next requests (receives the request number, from 1). */
  answer(fn: (n: number, request: SeenRequest) => Answer): void
  reset(): void
  stop(): Promise<void>
}

/** A JSON token answer. */
export const tokenAnswer = (fields: Record<string, unknown>): Answer => ({
  status: 200,
  body: JSON.stringify(fields),
  contentType: 'application/json',
})

/** By default: opaque tokens `token-<n>`, Bearer, 600 s. */
export const opaqueTokens =
  (expiresIn = 600) =>
  (n: number): Answer =>
    tokenAnswer({ access_token: `token-${n}`, token_type: 'Bearer', expires_in: expiresIn })

export const startTokenServer = async (): Promise<TokenServer> => {
  let respond: (n: number, request: SeenRequest) => Answer = opaqueTokens()
  const seen: SeenRequest[] = []
  const hanging = new Set<ServerResponse>()
  let waiting: { n: number; resolve: () => void }[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        headers: req.headers,
        form: new URLSearchParams(Buffer.concat(chunks).toString()),
      }
      seen.push(request)
      for (const waiter of waiting) if (seen.length >= waiter.n) waiter.resolve()
      waiting = waiting.filter((waiter) => seen.length < waiter.n)
      const answer = respond(seen.length, request)
      if (answer === 'hang') {
        hanging.add(res)
        return
      }
      res.writeHead(answer.status, {
        'content-type': answer.contentType ?? 'text/html',
        ...answer.headers,
      })
      res.end(answer.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/oauth2/token`,
    count: () => seen.length,
    seen,
    arrived: (n) =>
      seen.length >= n
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            waiting.push({ n, resolve })
          }),
    answer(fn) {
      respond = fn
    },
    reset() {
      seen.length = 0
      waiting = []
      respond = opaqueTokens()
    },
    async stop() {
      for (const res of hanging) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A clock the test moves by hand. */
export const manualClock = (start = 1_700_000_000_000) => {
  let now = start
  return {
    now: () => now,
    advance(ms: number) {
      now += ms
    },
    set(ms: number) {
      now = ms
    },
  }
}

/** A logger that keeps what it was told. */
export const recordingLogger = () => {
  const warnings: { message: string; extra: unknown[] }[] = []
  return {
    warnings,
    debug() {},
    info() {},
    warn(message: string, ...extra: unknown[]) {
      warnings.push({ message, extra })
    },
    error() {},
  }
}

/**
 * Self-token instances of one service on one virtual clock: each `sleep` moves the clock and is
 * recorded per instance, so that waiting for another instance takes no real time.
 */
export const virtualFleet = (server: TokenServer, shared: Partial<SelfTokenOptions> = {}) => {
  const clock = manualClock()
  const instance = (extra: Partial<SelfTokenOptions> = {}) => {
    const waits: number[] = []
    const logger = recordingLogger()
    const client = selfTokenClient({
      tokenEndpoint: server.url,
      clientId: 'orders',
      clientSecret: 'top-secret',
      storeKey: 'k',
      retries: 0,
      clock: clock.now,
      random: () => 0,
      logger,
      sleep: async (ms) => {
        waits.push(ms)
        clock.advance(ms)
      },
      ...shared,
      ...extra,
    })
    return { client, waits, logger }
  }
  return { clock, instance }
}

/** The access token `get()` answered, or the code of its error. */
export const answerOf = async (client: SelfTokenClient): Promise<string> => {
  const result = await client.get()
  return result.ok ? result.value.accessToken : result.error.code
}

/**
 * A `schedule` for `circuitBreaker()` (its per-attempt timeout) that runs only when the test says:
 * `fire()` moves `clock` on by the oldest pending timer's delay and runs it.
 */
export const manualSchedule = (clock: { advance(ms: number): void }) => {
  const pending: { ms: number; callback: () => void }[] = []
  return {
    schedule: (ms: number, callback: () => void) => {
      const timer = { ms, callback }
      pending.push(timer)
      return () => {
        const at = pending.indexOf(timer)
        if (at >= 0) pending.splice(at, 1)
      }
    },
    pending: () => pending.length,
    fire() {
      const timer = pending.shift()
      if (timer === undefined) throw new Error('manualSchedule: no timer is pending')
      clock.advance(timer.ms)
      timer.callback()
    },
  }
}

/** Whether a promise has settled yet, and with what (for a caller that must still be waiting). */
export const watch = <T>(promise: Promise<T>) => {
  const state: { settled: boolean; value?: T } = { settled: false }
  void promise.then((value) => {
    state.settled = true
    state.value = value
  })
  return state
}

/**
 * `promise`'s value when it settles within this turn of the event loop (an answer that waits on
 * nothing), else `'still waiting'`.
 */
export const atOnce = <T>(promise: Promise<T>): Promise<T | 'still waiting'> =>
  Promise.race([
    promise,
    new Promise<'still waiting'>((resolve) => setImmediate(() => resolve('still waiting'))),
  ])
