/**
 * Soak: 20,000 invocations of the example orders service (identity provider, inventory API and
 * orders handler of `examples/service`, in this process) at concurrency 100, through `invoke`.
 * Checks that the heap after the run has grown by at most 10 % over the heap after warm-up, that no promise was
 * rejected unhandled, that every invocation got its expected status, and that stopping the stack
 * leaves no open handle (timer, socket) behind.
 *
 * Run by `scripts/reliability.ts` (not by `npm test`):
 *   node --expose-gc --conditions=metis-source tests/reliability/soak.ts
 * Prints one `SOAK {json}` line with the figures; exits 1 when a check fails.
 */
import { setTimeout as wait, setImmediate as yieldToIo } from 'node:timers/promises'
import { invoke } from 'metis-app/local'
import { createHandler } from '../../examples/service/handler.ts'
import { startExample } from '../../examples/service/start.ts'
import { registerSecret } from './support/hygiene.ts'

const INVOCATIONS = Number(process.env.SOAK_INVOCATIONS ?? 20_000)
const WARMUP = Number(process.env.SOAK_WARMUP ?? 2_000)
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 100)
const HEAP_TOLERANCE = 0.1

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) {
  console.error('soak: run with node --expose-gc')
  process.exit(2)
}

const rejections: unknown[] = []
process.on('unhandledRejection', (reason) => {
  rejections.push(reason)
})

/** The resources that keep the event loop alive, as counts by type. */
const resources = (): Map<string, number> => {
  const counts = new Map<string, number>()
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1)
  return counts
}

const before = resources()

process.env.POWERTOOLS_METRICS_DISABLED = 'true'
// one JSON line per log entry, as Lambda ships them
process.env.POWERTOOLS_DEV = 'false'
// Every line the observer can write, success lines (DEBUG by default) included: the hygiene scan
// reads them all.
process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG'
const stack = await startExample({ port: 0 })
const handler = createHandler()
const reader = await stack.readerToken()
const writer = await stack.writerToken()
const tampered = `${reader.slice(0, -6)}AAAAAA`
registerSecret(stack.idp.clientSecret, reader, writer, tampered)

const v2 = (method: string, path: string, headers: Record<string, string> = {}, body?: string) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: path,
  rawQueryString: '',
  headers: { 'content-type': 'application/json', ...headers },
  ...(body === undefined ? {} : { body, isBase64Encoded: false }),
  requestContext: {
    http: { method, path, sourceIp: '127.0.0.1' },
    domainName: 'orders.execute-api.eu-west-1.amazonaws.com',
    requestId: 'soak',
    stage: '$default',
  },
})

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** The mix of requests, each with the status it must get. */
const MIX: readonly { name: string; event: unknown; status: number }[] = [
  {
    name: 'read an order (calls inventory)',
    event: v2('GET', '/orders/42', bearer(reader)),
    status: 200,
  },
  {
    name: 'create without the activity',
    event: v2('POST', '/orders', bearer(reader), '{"sku":"42"}'),
    status: 403,
  },
  { name: 'no token', event: v2('GET', '/orders/42'), status: 401 },
  { name: 'tampered token', event: v2('GET', '/orders/42', bearer(tampered)), status: 401 },
  { name: 'unknown path', event: v2('GET', '/nothing-here'), status: 404 },
  { name: 'wrong method', event: v2('DELETE', '/orders/42'), status: 405 },
  { name: 'health', event: v2('GET', '/health'), status: 200 },
  { name: 'order without sku', event: v2('POST', '/orders', bearer(writer), '{}'), status: 422 },
]

const statuses = new Map<number, number>()
let mismatches = 0
let thrown = 0

const run = async (count: number): Promise<void> => {
  let next = 0
  const worker = async () => {
    for (;;) {
      // Lambda hands every invocation over through I/O (the Runtime API). Without this turn of the
      // event loop, a worker whose invocations all settle in microtasks (a cached token, a
      // refusal checked synchronously) would keep the in-process inventory API's sockets waiting.
      await yieldToIo()
      if (next >= count) return
      const item = MIX[next++ % MIX.length] as (typeof MIX)[number]
      try {
        const response = (await invoke(handler, item.event, { functionName: 'orders' })) as {
          statusCode: number
        }
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1)
        if (response.statusCode !== item.status) mismatches += 1
      } catch {
        thrown += 1
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
}

const settledHeap = async (): Promise<number> => {
  for (let i = 0; i < 3; i++) {
    await wait(20)
    gc()
  }
  return process.memoryUsage().heapUsed
}

const started = performance.now()
await run(WARMUP)
const heapWarm = await settledHeap()
statuses.clear()
const soakStarted = performance.now()
await run(INVOCATIONS)
const soakMs = performance.now() - soakStarted
const heapAfter = await settledHeap()

await stack.stop()
await wait(200)
const after = resources()
const leftOpen: string[] = []
for (const [type, n] of after) {
  const extra = n - (before.get(type) ?? 0)
  if (extra > 0) leftOpen.push(`${type} x${extra}`)
}

const growth = (heapAfter - heapWarm) / heapWarm
const figures = {
  invocations: INVOCATIONS,
  warmup: WARMUP,
  concurrency: CONCURRENCY,
  soakMs: Math.round(soakMs),
  totalMs: Math.round(performance.now() - started),
  perSecond: Math.round(INVOCATIONS / (soakMs / 1000)),
  heapWarmMB: +(heapWarm / 1048576).toFixed(2),
  heapAfterMB: +(heapAfter / 1048576).toFixed(2),
  heapGrowthPct: +(growth * 100).toFixed(2),
  unhandledRejections: rejections.length,
  leftOpen,
  statuses: Object.fromEntries([...statuses].sort(([a], [b]) => a - b)),
  mismatches,
  thrown,
  checks: {
    // A leak grows the heap; one that ends smaller than after warm-up (warm-up garbage V8 had
    // not yet given back) is no failure.
    heap: growth <= HEAP_TOLERANCE,
    rejections: rejections.length === 0,
    handles: leftOpen.length === 0,
    statuses: mismatches === 0 && thrown === 0,
  },
}
console.log(`SOAK ${JSON.stringify(figures)}`)
process.exit(Object.values(figures.checks).every(Boolean) ? 0 : 1)
