import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import ky, { HTTPError } from 'ky'
import {
  breakerFetch,
  CircuitOpenError,
  CircuitTimeoutError,
  circuitBreaker,
  kyWithBreaker,
  memoryCircuitStore,
} from 'metis-app/circuit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { instantSleep, manualClock, manualTimers } from './helpers.ts'

let server: Server
let base: string
const hits = new Map<string, number>()
let hangReached: () => void = () => undefined

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? '/'
    hits.set(path, (hits.get(path) ?? 0) + 1)
    if (path.startsWith('/fail')) {
      response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"down"}')
    } else if (path.startsWith('/missing')) {
      response.writeHead(404).end()
    } else if (path.startsWith('/echo')) {
      let body = ''
      request.on('data', (chunk) => {
        body += chunk
      })
      request.on('end', () => response.writeHead(200).end(body))
    } else if (path.startsWith('/hang')) {
      // never answers; the client's abort ends it
      hangReached()
    } else {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const breakerOn = (
  name: string,
  options: Parameters<typeof circuitBreaker>[0] extends infer O ? Partial<O> : never = {},
) => {
  const clock = manualClock()
  const breaker = circuitBreaker({
    name,
    store: memoryCircuitStore(),
    clock: clock.now,
    sleep: instantSleep().sleep,
    retry: false,
    ...options,
  })
  return { breaker, clock }
}

describe('kyWithBreaker', () => {
  it('passes answers through and lets ky raise its HTTPError for a 500, counting it as a failure', async () => {
    const { breaker } = breakerOn('ky-500')
    const api = kyWithBreaker(ky.create({ prefix: base, retry: 0 }), breaker)
    expect(await api.get('ok').json()).toEqual({ ok: true })
    const failure = await api.get('fail').catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(HTTPError)
    expect((failure as HTTPError).response.status).toBe(500)
    expect((await breaker.snapshot()).failures).toBe(1)
  })

  it('opens after three 500s and then refuses without reaching the server', async () => {
    const { breaker } = breakerOn('ky-open')
    const api = kyWithBreaker(ky.create({ prefix: base, retry: 0 }), breaker)
    for (let i = 0; i < 3; i++) await api.get('fail/open').catch(() => undefined)
    const before = hits.get('/fail/open')
    const refused = await api.get('fail/open').catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(CircuitOpenError)
    expect(hits.get('/fail/open')).toBe(before)
  })

  it('does not count a 404 answer as a failure', async () => {
    const { breaker } = breakerOn('ky-404', { failureThreshold: 1 })
    const api = kyWithBreaker(ky.create({ prefix: base, retry: 0 }), breaker)
    await expect(api.get('missing')).rejects.toBeInstanceOf(HTTPError)
    expect((await breaker.snapshot()).state).toBe('closed')
  })

  it('counts each of ky’s own retries as an attempt through the breaker', async () => {
    const { breaker } = breakerOn('ky-retry', { failureThreshold: 10 })
    const api = kyWithBreaker(
      ky.create({ prefix: base, retry: { limit: 2, delay: () => 0 } }),
      breaker,
    )
    await expect(api.get('fail/retried')).rejects.toBeInstanceOf(HTTPError)
    expect(hits.get('/fail/retried')).toBe(3)
    expect((await breaker.snapshot()).failures).toBe(3)
  })
})

describe('breakerFetch', () => {
  it('sends a fresh copy of the request body on each of the breaker’s retries', async () => {
    const { breaker } = breakerOn('fetch-retry', { retry: { retries: 1 }, failureThreshold: 10 })
    let calls = 0
    const flaky: typeof fetch = async (input, init) => {
      calls++
      if (calls === 1) return new Response('busy', { status: 503 })
      return fetch(input, init)
    }
    const guarded = breakerFetch(breaker, { fetch: flaky })
    const response = await guarded(new Request(`${base}/echo`, { method: 'POST', body: 'payload' }))
    expect(await response.text()).toBe('payload')
    expect(calls).toBe(2)
  })

  it('returns the failing response itself after the last attempt', async () => {
    const { breaker } = breakerOn('fetch-500')
    const response = await breakerFetch(breaker)(`${base}/fail/plain`)
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({ error: 'down' })
  })

  it('aborts a hanging request at the breaker timeout and rejects with CircuitTimeoutError', async () => {
    const { schedule, timers } = manualTimers()
    const { breaker } = breakerOn('fetch-timeout', { timeoutMs: 100, schedule })
    const reached = new Promise<void>((resolve) => (hangReached = resolve))
    const caller = new AbortController()
    const pending = breakerFetch(breaker)(`${base}/hang`, { signal: caller.signal }).catch(
      (error: unknown) => error,
    )
    await reached
    timers[0]?.fire()
    expect(await pending).toBeInstanceOf(CircuitTimeoutError)
  })

  it('rejects with the network error when nothing listens', async () => {
    const { breaker } = breakerOn('fetch-refused')
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    await expect(breakerFetch(breaker)(`http://127.0.0.1:${port}/`)).rejects.toThrow(/fetch failed/)
    expect((await breaker.snapshot()).failures).toBe(1)
  })
})
