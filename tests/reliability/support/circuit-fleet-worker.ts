/**
 * One Lambda instance of the circuit fleet (see `circuit-fleet.ts`), run as its own Node process:
 * its own DynamoDB client to the endpoint it is given, its own store, and a breaker on each of
 * the shared circuits. It warms up (one failure on a circuit of its own, one read of each shared
 * one, retried while the machine is busy starting the fleet), says `ready`, and on
 * `{ round: i }` records exactly one failure on the i-th shared circuit and reports what it saw.
 * It exits when the test disconnects.
 *
 * Environment: `FLEET_ENDPOINT`, `FLEET_TABLE`, `FLEET_CIRCUITS` (a JSON array of names),
 * `FLEET_THRESHOLD`; with `FLEET_WARM=1` it only loads its modules (filling
 * `NODE_COMPILE_CACHE`) and exits.
 */
import { flushCompileCache } from 'node:module'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { type CircuitBreakerOptions, circuitBreaker } from '../../../src/circuit/breaker.ts'
import { dynamoDbCircuitStore } from '../../../src/circuit/dynamodb.ts'
import type { FleetReport, FleetRound } from './circuit-fleet.ts'

if (process.env.FLEET_WARM === '1') {
  flushCompileCache()
  process.exit(0)
}

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value === '') throw new Error(`circuit fleet worker: ${name} is unset`)
  return value
}

const send = (message: FleetReport): void => {
  process.send?.(message)
}

// The SDK's default retries, as in a Lambda function: a request sent on a kept-alive connection
// that the server closed meanwhile (dynalite closes idle ones after 5 s) goes again on a new one.
const client = new DynamoDBClient({
  endpoint: env('FLEET_ENDPOINT'),
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
})
const warnings: string[] = []
let opened = false
// On the 2-core test machine, 50 processes woken at once wait up to a few seconds for a request:
// that wait is the machine's, not DynamoDB's, and a timeout is not the contention tested here.
const store = dynamoDbCircuitStore({
  client,
  tableName: env('FLEET_TABLE'),
  requestTimeoutMs: 10_000,
})
const options: Omit<CircuitBreakerOptions, 'name'> = {
  store,
  failureThreshold: Number(env('FLEET_THRESHOLD')),
  windowMs: 600_000,
  standDownMs: 600_000,
  retry: false,
  logger: {
    debug: () => undefined,
    info: () => undefined,
    warn: (message, ...extra) => warnings.push(`${message} ${JSON.stringify(extra)}`),
    error: (message, ...extra) => warnings.push(`${message} ${JSON.stringify(extra)}`),
  },
  onStateChange: (change) => {
    if (change.from === 'closed' && change.to === 'open') opened = true
  },
}
const dependencyDown = async (): Promise<never> => {
  throw new Error('dependency down')
}

/** Runs `attempt` until the store answers: starting 50 processes keeps two cores busy. */
const untilAnswered = async <T>(attempt: () => T | Promise<T>): Promise<T> => {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt()
    } catch (error) {
      if (tries === 10) throw error
    }
  }
}

// A warm container: it has run the code of a write (a failure on a throwaway circuit of its own)
// and read the shared circuits, through the store and retried, so that no breaker of the shared
// circuits starts degraded by a timeout while the fleet starts.
const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
}
await circuitBreaker({ ...options, name: `warm-${process.pid}`, logger: quiet }).execute(
  dependencyDown,
)
const names = JSON.parse(env('FLEET_CIRCUITS')) as string[]
for (const name of names) await untilAnswered(() => store.read(name, Date.now()))
const breakers = names.map((name) => circuitBreaker({ ...options, name }))

process.on('message', async ({ round }: FleetRound) => {
  opened = false
  const started = performance.now()
  await breakers[round]?.execute(dependencyDown)
  send({
    kind: 'done',
    round,
    writeMs: performance.now() - started,
    warnings: warnings.splice(0),
    opened,
  })
})
process.once('disconnect', () => client.destroy())
send({ kind: 'ready' })
