/**
 * The shared circuit across a fleet: 50 Lambda instances, each a separate Node process with its
 * own DynamoDB client, behind a latency proxy in front of one dynalite on 127.0.0.1. Released at
 * once, every instance records one failure on the same circuit: at 20 ms per round trip on one
 * circuit, then at 100 ms on another. Every failure must be stored (none lost to contention, none
 * left in one container's memory), and the failure that reaches the threshold must open the
 * circuit, once.
 *
 * One fleet serves both rounds (starting 50 processes on two cores takes most of the time).
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dynamoDbCircuitStore } from '../../src/circuit/index.ts'
import { type Dynalite, startDynalite } from '../support/dynalite.ts'
import {
  type CircuitFleet,
  type LatencyProxy,
  startCircuitFleet,
  startLatencyProxy,
  warmCircuitFleet,
} from './support/circuit-fleet.ts'
import { tally } from './support/figures.ts'

const TABLE = 'fleet'
const WRITERS = 50
/** The round trip each round adds, ms: round i uses ROUND_TRIPS[i] and circuit i. */
const ROUND_TRIPS = [20, 100] as const
const circuits = ROUND_TRIPS.map((ms) => `fleet-${ms}ms-${randomUUID()}`)

let dynamo: Dynalite
let proxy: LatencyProxy
let fleet: CircuitFleet | undefined
const compileCache = mkdtempSync(join(tmpdir(), 'metis-circuit-fleet-'))

beforeAll(async () => {
  dynamo = await startDynalite()
  await dynamo.createTable(TABLE)
  proxy = await startLatencyProxy(dynamo.endpoint, ROUND_TRIPS[0])
  await warmCircuitFleet(compileCache)
  fleet = await startCircuitFleet({
    endpoint: proxy.endpoint,
    table: TABLE,
    circuits,
    writers: WRITERS,
    failureThreshold: WRITERS,
    compileCache,
  })
  console.log(`circuit fleet: ${WRITERS} processes started in ${fleet.startMs.toFixed(0)} ms`)
}, 120_000)

afterAll(async () => {
  await fleet?.stop()
  await proxy?.stop()
  await dynamo?.stop()
  rmSync(compileCache, { recursive: true, force: true })
})

describe('the shared circuit across separate processes', () => {
  it.each(ROUND_TRIPS.map((ms, round) => ({ ms, round })))(
    'stores every failure of 50 writers at $ms ms per round trip and opens at the threshold',
    async ({ ms, round }) => {
      if (fleet === undefined) throw new Error('the fleet did not start')
      proxy.setRoundTrip(ms)
      const { reports, writeMs } = await fleet.release(round)
      // Read from dynalite directly, past the proxy, with a store no worker shared.
      const circuit = circuits[round] as string
      const stored = await dynamoDbCircuitStore({ client: dynamo.client, tableName: TABLE }).read(
        circuit,
        Date.now(),
      )
      const lost = WRITERS - stored.failures
      const warnings = reports.flatMap((r) => r.warnings)
      const slowest = Math.max(...reports.map((r) => r.writeMs))
      console.log(
        `circuit fleet: ${WRITERS} writers, ${ms} ms per round trip: ${stored.failures} stored, ` +
          `${lost} lost, ${reports.filter((r) => r.warnings.length > 0).length} fell back to ` +
          `local state, state ${stored.state}; all done in ${writeMs.toFixed(0)} ms, slowest ` +
          `${slowest.toFixed(0)} ms`,
      )
      tally(
        'fleet',
        `circuit failures: ${WRITERS} writers in ${WRITERS} processes, ${ms} ms per round trip, ${lost} lost`,
        WRITERS,
      )
      expect(reports).toHaveLength(WRITERS)
      expect({ lost, warnings }).toEqual({ lost: 0, warnings: [] })
      expect(stored.state).toBe('open')
      // The threshold is the fleet's size: the last failure stored opened it, and only once.
      expect(reports.filter((r) => r.opened)).toHaveLength(1)
      expect(stored.failures).toBe(WRITERS)
    },
    60_000,
  )
})
