/**
 * A fleet of Lambda instances on shared circuits: separate Node processes (each
 * `circuit-fleet-worker.ts`, with its own DynamoDB client) behind a latency proxy of ours on
 * 127.0.0.1 in front of one dynalite. The fleet is started and warmed first; each round then
 * releases every worker at once to record one failure on that round's circuit.
 */
import { type ChildProcess, fork } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { fileURLToPath } from 'node:url'

/** What the test tells a worker: record one failure on the circuit of this round. */
export interface FleetRound {
  readonly round: number
}

/** What a worker records in one round. */
export interface FleetDone {
  readonly kind: 'done'
  readonly round: number
  /** From the release to the end of its `execute` call (the failure recorded), ms. */
  readonly writeMs: number
  /** The store failures it warned about (it then counted the failure in its local state). */
  readonly warnings: readonly string[]
  /** It reported the closed -> open change (its failure crossed the threshold). */
  readonly opened: boolean
}

/** What a worker tells the test. */
export type FleetReport = { readonly kind: 'ready' } | FleetDone

/** A TCP proxy that delays every byte by half a round trip each way. */
export interface LatencyProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string
  /** Connections it accepted. */
  connections(): number
  /** Sets the round trip it adds from now on, ms (set it while no request is in flight). */
  setRoundTrip(ms: number): void
  stop(): Promise<void>
}

/**
 * Starts a proxy on 127.0.0.1 (port 0) to `target` (a `http://127.0.0.1:<port>` endpoint) that
 * adds `roundTripMs` to every request and its answer: half on the way in, half on the way out.
 * Chunks keep their order (timers of one delay fire in the order they were set).
 */
export const startLatencyProxy = async (
  target: string,
  roundTripMs: number,
): Promise<LatencyProxy> => {
  const { hostname, port } = new URL(target)
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  let oneWay = roundTripMs / 2
  let accepted = 0
  const later = (run: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      run()
    }, oneWay)
    timers.add(timer)
  }
  const forward = (from: Socket, to: Socket): void => {
    from.on('data', (chunk) => later(() => to.destroyed || to.write(chunk)))
    from.on('end', () => later(() => to.end()))
    from.on('error', () => to.destroy())
    from.on('close', () => later(() => to.destroy()))
  }
  const server: Server = createServer((client) => {
    accepted += 1
    const upstream = createConnection({ host: hostname, port: Number(port) })
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.setNoDelay(true)
      socket.on('close', () => sockets.delete(socket))
    }
    forward(client, upstream)
    forward(upstream, client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port: own } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${own}`,
    connections: () => accepted,
    setRoundTrip: (ms) => {
      oneWay = ms / 2
    },
    stop: async () => {
      for (const timer of timers) clearTimeout(timer)
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A started fleet, every worker warm and waiting. */
export interface CircuitFleet {
  /** From the first spawn to the last worker ready, ms. */
  readonly startMs: number
  /** Releases every worker at once on `circuits[round]`; answers their reports when all are done. */
  release(round: number): Promise<{ reports: readonly FleetDone[]; writeMs: number }>
  /** Disconnects the workers and waits until they have exited (kills what is left). */
  stop(): Promise<void>
}

const WORKER = fileURLToPath(new URL('./circuit-fleet-worker.ts', import.meta.url))

/**
 * Loads the worker's modules once in a process of its own, so that the fleet's processes find
 * them compiled (TypeScript stripped) in `compileCache` (`NODE_COMPILE_CACHE`) and start faster.
 */
export const warmCircuitFleet = async (compileCache: string): Promise<void> => {
  const child = fork(WORKER, [], {
    execArgv: [],
    env: { ...process.env, NODE_COMPILE_CACHE: compileCache, FLEET_WARM: '1' },
    stdio: 'ignore',
  })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  if (code !== 0) throw new Error(`circuit fleet worker: warm-up exited ${code}`)
}

interface Worker {
  readonly child: ChildProcess
  readonly output: () => string
  readonly exited: Promise<void>
}

/** The next message of a worker that `accept` takes; rejects (with its output) if it exits first. */
const next = <T extends FleetReport>(
  { child, output }: Worker,
  accept: (message: FleetReport) => message is T,
): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const onMessage = (message: FleetReport) => {
      if (!accept(message)) return
      child.off('exit', onExit)
      child.off('message', onMessage)
      resolve(message)
    }
    const onExit = (code: number | null) => {
      child.off('message', onMessage)
      reject(new Error(`circuit fleet worker ${child.pid} exited (${code}): ${output()}`))
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
  })

const stopAll = async (workers: readonly Worker[]): Promise<void> => {
  for (const { child } of workers) if (child.connected) child.disconnect()
  const exited = Promise.all(workers.map((w) => w.exited))
  const timer = setTimeout(() => {
    for (const { child } of workers) if (child.exitCode === null) child.kill()
  }, 5_000)
  await exited
  clearTimeout(timer)
}

/**
 * Starts `writers` worker processes on `endpoint`, each with a breaker on every one of
 * `circuits`, and waits until every one is warm.
 */
export const startCircuitFleet = async (options: {
  endpoint: string
  table: string
  circuits: readonly string[]
  writers: number
  failureThreshold: number
  /** A directory for `NODE_COMPILE_CACHE` (see {@link warmCircuitFleet}). */
  compileCache: string
}): Promise<CircuitFleet> => {
  const spawned = performance.now()
  const workers: Worker[] = []
  try {
    for (let i = 0; i < options.writers; i++) {
      const child = fork(WORKER, [], {
        execArgv: [],
        env: {
          ...process.env,
          NODE_COMPILE_CACHE: options.compileCache,
          FLEET_ENDPOINT: options.endpoint,
          FLEET_TABLE: options.table,
          FLEET_CIRCUITS: JSON.stringify(options.circuits),
          FLEET_THRESHOLD: String(options.failureThreshold),
        },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      })
      let text = ''
      const keep = (chunk: Buffer) => {
        text += chunk.toString('utf8')
      }
      child.stdout?.on('data', keep)
      child.stderr?.on('data', keep)
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      workers.push({ child, output: () => text, exited })
    }
    await Promise.all(
      workers.map((w) => next(w, (m): m is { kind: 'ready' } => m.kind === 'ready')),
    )
  } catch (error) {
    await stopAll(workers)
    throw error
  }
  const startMs = performance.now() - spawned
  return {
    startMs,
    release: async (round) => {
      const done = workers.map((w) =>
        next(w, (m): m is FleetDone => m.kind === 'done' && m.round === round),
      )
      const released = performance.now()
      for (const { child } of workers) child.send({ round } satisfies FleetRound)
      const reports = await Promise.all(done)
      return { reports, writeMs: performance.now() - released }
    },
    stop: () => stopAll(workers),
  }
}
