/**
 * The circuit's state machine as pure changes (see {@link CircuitChange}): each takes the newest
 * stored state and answers the next one, or `undefined` when there is nothing to write. Stores
 * apply them atomically, so the same rules hold for one container and for many.
 * @module
 */
import { type CircuitChange, type CircuitSnapshot, CLOSED_FIELDS as CLOSED } from './store.ts'

/** The numbers that drive the state machine. */
export interface MachineConfig {
  /** Failures within `window` that open the circuit. */
  readonly failureThreshold: number
  /** Length of the failure-counting window, in ms, from the window's first failure. */
  readonly window: number
  /** How long an open circuit refuses calls before a probe may go, in ms. */
  readonly standDown: number
  /** Probes that must succeed, one at a time, before the circuit closes. */
  readonly halfOpenProbes: number
  /** How long a prober's lease lasts, in ms; after that another instance may probe. */
  readonly probeLease: number
}

/** When an open or half-open circuit may admit a probe by `instanceId` at `now`. */
export const probeDue = (
  current: CircuitSnapshot,
  config: MachineConfig,
  now: number,
  instanceId: string,
): boolean => {
  if (current.state === 'open') return now >= current.openedAt + config.standDown
  if (current.state === 'half-open') {
    return (
      current.prober === undefined || current.prober === instanceId || current.leaseUntil <= now
    )
  }
  return false
}

/** Milliseconds until a refused caller could be admitted (stand-down or lease left). */
export const waitLeft = (current: CircuitSnapshot, config: MachineConfig, now: number): number =>
  Math.max(
    0,
    current.state === 'open' ? current.openedAt + config.standDown - now : current.leaseUntil - now,
  )

/**
 * Counts one failure on a closed circuit: starts a new window when the last one is over, and
 * opens the circuit when the count reaches the threshold. Nothing to write when the circuit is no
 * longer closed (another instance opened it).
 */
export const countFailure =
  (config: MachineConfig, now: number): CircuitChange =>
  (current) => {
    if (current.state !== 'closed') return undefined
    const fresh = current.windowStart === 0 || now - current.windowStart >= config.window
    const failures = fresh ? 1 : current.failures + 1
    const windowStart = fresh ? now : current.windowStart
    if (failures >= config.failureThreshold) {
      return { ...CLOSED, state: 'open', failures, windowStart, openedAt: now }
    }
    return { ...current, failures, windowStart }
  }

/** Elects `instanceId` as the prober, holding a lease until `now + probeLease`. */
export const claimProbe =
  (config: MachineConfig, now: number, instanceId: string): CircuitChange =>
  (current) => {
    if (!probeDue(current, config, now, instanceId)) return undefined
    return {
      ...current,
      state: 'half-open',
      prober: instanceId,
      leaseUntil: now + config.probeLease,
      probeSuccesses: current.state === 'open' ? 0 : current.probeSuccesses,
    }
  }

/**
 * Records a successful probe: closes the circuit (a fresh window, nothing counted) once enough
 * probes succeeded, else releases the lease for the next probe. Ignored when `instanceId` no
 * longer holds the lease (it expired and another instance took over).
 */
export const probeSucceeded =
  (config: MachineConfig, instanceId: string): CircuitChange =>
  (current) => {
    if (current.state !== 'half-open' || current.prober !== instanceId) return undefined
    const probeSuccesses = current.probeSuccesses + 1
    if (probeSuccesses >= config.halfOpenProbes) return CLOSED
    return { ...current, probeSuccesses, prober: undefined, leaseUntil: 0 }
  }

/** Records a failed probe: the circuit opens again for a new stand-down from `now`. */
export const probeFailed =
  (now: number, instanceId: string): CircuitChange =>
  (current) => {
    if (current.state !== 'half-open' || current.prober !== instanceId) return undefined
    return {
      ...current,
      state: 'open',
      openedAt: now,
      prober: undefined,
      leaseUntil: 0,
      probeSuccesses: 0,
    }
  }

/**
 * Gives back a probe that said nothing about the dependency (the caller gave up, or its deadline
 * cut the probe short): the lease ends, the state stays, and the next call may probe at once.
 * Ignored when `instanceId` no longer holds the lease.
 */
export const releaseProbe =
  (instanceId: string): CircuitChange =>
  (current) => {
    if (current.state !== 'half-open' || current.prober !== instanceId) return undefined
    return { ...current, prober: undefined, leaseUntil: 0 }
  }
