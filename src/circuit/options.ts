/**
 * The circuit breaker's options: what a caller may set, their defaults, and their checks at
 * creation (a bad option fails when the function starts).
 * @module
 */
import { type Logger, loggerOption } from '../internal/logger.ts'
import { positiveOption } from '../internal/options.ts'
import { defaultIsFailure, type FailureKind, isRetryable } from './classify.ts'
import type { CircuitStateName } from './errors.ts'
import type { MachineConfig } from './machine.ts'
import { type CircuitStore, type FailureRule, memoryCircuitStore } from './store.ts'
import {
  type Schedule,
  type Sleep,
  schedule as timerSchedule,
  sleep as timerSleep,
} from './time.ts'

/**
 * The metrics sink the breaker reports to: any object with Powertools' `addMetric` shape.
 *
 * @example
 * ```ts
 * const metrics: CircuitMetrics = new Metrics({ namespace: 'shop', serviceName: 'orders' })
 * const payments = circuitBreaker({ name: 'payments', metrics })
 * ```
 */
export interface CircuitMetrics {
  addMetric(name: string, unit: string, value: number): void
}

/**
 * A state change this instance made (other instances report their own).
 *
 * @example
 * ```ts
 * const onStateChange = (change: CircuitStateChange) =>
 *   console.warn(`${change.circuit}: ${change.from} -> ${change.to} (${change.failures} failures)`)
 * circuitBreaker({ name: 'payments', onStateChange })
 * ```
 */
export interface CircuitStateChange {
  /** The circuit's name. */
  readonly circuit: string
  readonly from: CircuitStateName
  readonly to: CircuitStateName
  /** When it happened, by the breaker's clock (epoch ms). */
  readonly at: number
  /** The failures counted when it happened (the ones that opened the circuit). */
  readonly failures: number
  /** The id of the instance (breaker) that made the change. */
  readonly instanceId: string
}

/**
 * Retry with exponential backoff and full jitter, for retryable failures only.
 *
 * @example
 * ```ts
 * const retry: RetryOptions = { retries: 3, baseDelayMs: 200, maxDelayMs: 1_000 }
 * const payments = circuitBreaker({ name: 'payments', retry })
 * ```
 */
export interface RetryOptions {
  /** Attempts after the first one. Default 2. */
  retries?: number
  /** The backoff's base, in ms: attempt n waits a random time below `baseDelayMs * 2^n`. Default 100. */
  baseDelayMs?: number
  /** The largest wait between attempts, in ms. Default 2,000. */
  maxDelayMs?: number
  /** Which failures are worth another attempt. Default {@link isRetryable}. */
  shouldRetry?: (error: unknown) => boolean
}

/**
 * Options of {@link circuitBreaker}.
 *
 * @example
 * ```ts
 * const options: CircuitBreakerOptions = { name: 'payments', failureThreshold: 5 }
 * const payments = circuitBreaker(options)
 * ```
 */
export interface CircuitBreakerOptions {
  /** The circuit's name; breakers with the same name and store share one circuit. */
  name: string
  /** Where the circuit's state lives. Default: a new `memoryCircuitStore()` for this breaker. */
  store?: CircuitStore
  /** Failures within `windowMs` that open the circuit. Default 3. */
  failureThreshold?: number
  /** The failure-counting window in ms, from the window's first failure. Default 300,000 (5 min). */
  windowMs?: number
  /** How long an open circuit refuses calls, in ms. Default 300,000 (5 min). */
  standDownMs?: number
  /** Probes that must succeed, one at a time, before a half-open circuit closes. Default 1. */
  halfOpenProbes?: number
  /** How long an elected prober holds its lease, in ms. Default 30,000; keep it above a call's length. */
  probeLeaseMs?: number
  /**
   * Whether an error is a failure of the dependency (counted by the circuit). Default
   * {@link defaultIsFailure}: timeouts, thrown errors other than 4xx answers, and error Results
   * that are retryable.
   */
  isFailure?: (error: unknown, kind: FailureKind) => boolean
  /** Per-attempt time limit in ms; the attempt's `AbortSignal` aborts when it passes. Default none. */
  timeoutMs?: number
  /** Retry policy, or `false` for a single attempt. Default `{ retries: 2 }`. */
  retry?: RetryOptions | false
  /** Time left for every call (e.g. a container-wide budget); per-call options take precedence. */
  remainingTime?: () => number
  /** Called after this instance changed the circuit's state; errors it throws are logged. */
  onStateChange?: (change: CircuitStateChange) => void
  /** Receives state changes (`info`) and store fallbacks (`warn`). */
  logger?: Logger
  /** Receives `CircuitOpen`/`CircuitHalfOpen`/`CircuitClosed` and `CircuitStoreFallback` counts. */
  metrics?: CircuitMetrics
  /** Epoch milliseconds. Default `Date.now`. */
  clock?: () => number
  /** A number in [0, 1). Default `Math.random`. */
  random?: () => number
  /** Waits between attempts. Default a `setTimeout` timer. */
  sleep?: Sleep
  /** Runs the per-attempt timeout. Default `setTimeout`. */
  schedule?: Schedule
  /** This instance's id for the prober election. Default a random UUID. */
  instanceId?: string
}

/**
 * Options of one {@link CircuitBreaker.execute} call.
 *
 * @example
 * ```ts
 * const options: ExecuteOptions = { remainingTime: () => context.getRemainingTimeInMillis() - 500 }
 * const result = await payments.execute(charge, options)
 * ```
 */
export interface ExecuteOptions {
  /** Aborts the call and its retries; passed on to `fn` (combined with the timeout). */
  signal?: AbortSignal
  /**
   * Epoch ms after which no attempt starts and no wait runs past: backoff, attempts, and waits on
   * the store (time spent reading the circuit or claiming a probe counts against it). An attempt
   * that this deadline, rather than the breaker's `timeoutMs`, cuts short is not counted as a failure.
   */
  deadline?: number
  /**
   * Milliseconds left, read once at the start, e.g. `() => context.getRemainingTimeInMillis()`;
   * sets `deadline`.
   */
  remainingTime?: () => number
  /**
   * Where this call's state changes and store warnings go, instead of the breaker's `logger` and
   * `metrics`: pass `context.observer` when the observer middleware is stacked.
   */
  observer?: CircuitObserver
}

/**
 * A logger and a metrics sink (the shape of `context.observer` from `metis-app/observer`).
 *
 * @example
 * ```ts
 * const observer: CircuitObserver = context.observer // from metis-app/observer
 * const result = await payments.execute(charge, { observer })
 * ```
 */
export interface CircuitObserver {
  readonly logger?: Logger
  readonly metrics?: CircuitMetrics
}

/** What one `execute` call carries through its attempts. */
export interface Call {
  readonly signal?: AbortSignal | undefined
  readonly deadline?: number | undefined
  readonly logger?: Logger | undefined
  readonly metrics?: CircuitMetrics | undefined
}

/** {@link CircuitBreakerOptions} checked, with their defaults filled in. */
export interface BreakerSettings {
  readonly name: string
  readonly config: MachineConfig
  readonly rule: FailureRule
  readonly timeout: number | undefined
  readonly retries: number
  readonly baseDelay: number
  readonly maxDelay: number
  readonly shouldRetry: (error: unknown) => boolean
  readonly isFailure: (error: unknown, kind: FailureKind) => boolean
  readonly store: CircuitStore
  readonly clock: () => number
  readonly random: () => number
  readonly sleep: Sleep
  readonly schedule: Schedule
  readonly instanceId: string
  readonly remainingTime: (() => number) | undefined
  readonly onStateChange: ((change: CircuitStateChange) => void) | undefined
  readonly logger: Logger | undefined
  readonly metrics: CircuitMetrics | undefined
}

const positive = (name: string, value: number, integer = false): number =>
  positiveOption('circuitBreaker', name, value, integer)

/** The defaults of {@link CircuitBreakerOptions} (and of its `retry`), in one place. */
const defaults = {
  failureThreshold: 3,
  windowMs: 300_000,
  standDownMs: 300_000,
  halfOpenProbes: 1,
  probeLeaseMs: 30_000,
  retries: 2,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
} as const

/** Checks `options` and fills in the defaults; throws a TypeError naming a bad option. */
export const breakerSettings = (options: CircuitBreakerOptions): BreakerSettings => {
  const name = options.name
  if (typeof name !== 'string' || name === '') {
    throw new TypeError('circuitBreaker: name must be a non-empty string')
  }
  const config: MachineConfig = {
    failureThreshold: positive(
      'failureThreshold',
      options.failureThreshold ?? defaults.failureThreshold,
      true,
    ),
    window: positive('windowMs', options.windowMs ?? defaults.windowMs),
    standDown: positive('standDownMs', options.standDownMs ?? defaults.standDownMs),
    halfOpenProbes: positive(
      'halfOpenProbes',
      options.halfOpenProbes ?? defaults.halfOpenProbes,
      true,
    ),
    probeLease: positive('probeLeaseMs', options.probeLeaseMs ?? defaults.probeLeaseMs),
  }
  const timeout =
    options.timeoutMs === undefined ? undefined : positive('timeoutMs', options.timeoutMs)
  const retry = options.retry === false ? undefined : (options.retry ?? {})
  const retries = retry === undefined ? 0 : (retry.retries ?? defaults.retries)
  if (!Number.isInteger(retries) || retries < 0) {
    throw new TypeError('circuitBreaker: retry.retries must be a non-negative integer')
  }
  return {
    name,
    config,
    rule: { failureThreshold: config.failureThreshold, window: config.window },
    timeout,
    retries,
    baseDelay: retry?.baseDelayMs ?? defaults.baseDelayMs,
    maxDelay: retry?.maxDelayMs ?? defaults.maxDelayMs,
    shouldRetry: retry?.shouldRetry ?? isRetryable,
    isFailure: options.isFailure ?? defaultIsFailure,
    store: options.store ?? memoryCircuitStore(),
    clock: options.clock ?? Date.now,
    random: options.random ?? Math.random,
    sleep: options.sleep ?? timerSleep,
    schedule: options.schedule ?? timerSchedule,
    instanceId: options.instanceId ?? globalThis.crypto.randomUUID(),
    remainingTime: options.remainingTime,
    onStateChange: options.onStateChange,
    logger: loggerOption('circuitBreaker', options.logger, false),
    metrics: options.metrics,
  }
}
