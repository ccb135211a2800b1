/**
 * The circuit breaker's cost on the hot path, and the DynamoDB calls it saves.
 *
 * 1. `execute()` on a closed circuit with the memory store, against opossum and cockatiel wrapping
 *    the same async function in the same run (no timeout on any of them; then each with a timeout,
 *    which costs a timer per call). Target: no slower than the faster peer.
 * 2. DynamoDB calls per 1,000 executions on a closed circuit with the default 1 s cache, against
 *    dynalite: once as fast as they go, once spread over 10 s of (injected) clock time. Target: at
 *    most one read per cache interval, no write.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { ConsecutiveBreaker, circuitBreaker as cockatielBreaker, handleAll } from 'cockatiel'
import CircuitBreaker from 'opossum'
import { circuitBreaker, dynamoDbCircuitStore, memoryCircuitStore } from '../src/circuit/index.ts'
import { countCommands, startDynalite } from '../tests/support/dynalite.ts'
import { compare } from './support/compare.ts'

const work = async (n: number): Promise<number> => n + 1

const ours = circuitBreaker({ name: 'bench', store: memoryCircuitStore(), retry: false })
const oursTimeout = circuitBreaker({
  name: 'bench-timeout',
  store: memoryCircuitStore(),
  retry: false,
  timeoutMs: 10_000,
})
const opossum = new CircuitBreaker(work, { timeout: false, resetTimeout: 300_000 })
const opossumTimeout = new CircuitBreaker(work, { timeout: 10_000, resetTimeout: 300_000 })
const cockatiel = cockatielBreaker(handleAll, {
  halfOpenAfter: 300_000,
  breaker: new ConsecutiveBreaker(3),
})

await compare(
  'circuit: execute() on a closed circuit (memory store)',
  'opossum',
  [
    { name: 'bare call', fn: () => work(1) },
    { name: 'opossum', fn: () => opossum.fire(1) },
    { name: 'cockatiel', fn: () => cockatiel.execute(() => work(1)) },
    { name: 'metis circuitBreaker', fn: () => ours.execute(() => work(1)) },
    { name: 'opossum + 10 s timeout', fn: () => opossumTimeout.fire(1) },
    { name: 'metis + 10 s timeout', fn: () => oursTimeout.execute(() => work(1)) },
  ],
  { time: 1_000, warmupTime: 200 },
)
opossum.shutdown()
opossumTimeout.shutdown()

const dynamo = await startDynalite()
await dynamo.createTable('circuits')

/** Runs 1,000 successful executions and counts the DynamoDB commands they sent. */
const count = async (label: string, stepMs: number | undefined) => {
  const client = new DynamoDBClient(dynamo.clientConfig)
  const sent = countCommands(client)
  let now = Date.now()
  const clock = stepMs === undefined ? Date.now : () => now
  const breaker = circuitBreaker({
    name: label,
    store: dynamoDbCircuitStore({ client, tableName: 'circuits' }),
    clock,
  })
  const start = clock()
  for (let i = 0; i < 1_000; i++) {
    await breaker.execute(() => work(i))
    if (stepMs !== undefined) now += stepMs
  }
  const spanMs = Math.max(1, clock() - start)
  client.destroy()
  return {
    run: label,
    executions: 1_000,
    'span (ms)': spanMs,
    'cache intervals': Math.ceil(spanMs / 1_000),
    GetItem: sent.filter((c) => c === 'GetItemCommand').length,
    PutItem: sent.filter((c) => c === 'PutItemCommand').length,
  }
}

const rows = [
  await count('back to back (real clock)', undefined),
  await count('over 10 s (10 ms apart, injected clock)', 10),
]
console.log('\n## circuit: DynamoDB calls per 1,000 executions on a closed circuit (cacheTtl 1 s)')
console.table(rows)
await dynamo.stop()
