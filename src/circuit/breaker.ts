/**
 * The circuit breaker: admits, times, retries and records calls against a shared circuit.
 * @module
 */
import { tell } from '../internal/tell.ts'
import { err, isResult, ok, type Result, toError } from '../result/index.ts'
import { defaultIsFailure, type FailureKind, isRetryable } from './classify.ts'
import {
  type CircuitError,
  CircuitOpenError,
  type CircuitStateName,
  CircuitTimeoutError,
} from './errors.ts'
import {
  claimProbe,
  countFailure,
  type MachineConfig,
  probeDue,
  probeFailed,
  probeSucceeded,
  releaseProbe,
  waitLeft,
} from './machine.ts'
import {
  type CircuitChange,
  type CircuitSnapshot,
  type CircuitStore,
  type CircuitUpdate,
  type FailureRule,
  INITIAL_SNAPSHOT,
  type MaybePromise,
  memoryCircuitStore,
} from './store.ts'
import {
  backoff,
  type Schedule,
  type Sleep,
  schedule as timerSchedule,
  sleep as timerSleep,
} from './time.ts'

/**
 * The logger the breaker reports to: any object with `info` and `warn` (a Powertools `Logger`,
 * `console`, pino). Messages carry a structured object as their second argument.
 */
export interface CircuitLogger {
  info(message: string, ...extra: unknown[]): void
  warn(message: string, ...extra: unknown[]): void
}

/** The metrics sink the breaker reports to: any object with Powertools' `addMetric` shape. */
export interface CircuitMetrics {
  addMetric(name: string, unit: string, value: number): void
}

/** A state change this instance made (other instances report their own). */
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

/** Retry with exponential backoff and full jitter, for retryable failures only. */
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

/** Options of {@link circuitBreaker}. */
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
  logger?: CircuitLogger
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

/** Options of one {@link CircuitBreaker.execute} call. */
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

/** A logger and a metrics sink (the shape of `context.observer` from `metis-app/observer`). */
export interface CircuitObserver {
  readonly logger?: CircuitLogger
  readonly metrics?: CircuitMetrics
}

/** A function the breaker protects: it gets an `AbortSignal` and returns a value or a Result. */
export type Protected<T> = (signal: AbortSignal) => T | Promise<T>

/** A circuit breaker; see {@link circuitBreaker}. */
export interface CircuitBreaker {
  /** The circuit's name. */
  readonly name: string
  /** This instance's id in the prober election. */
  readonly instanceId: string
  /**
   * Calls `fn` through the circuit. A Result returned by `fn` is passed through (its error may
   * count as a failure); a plain value becomes `ok(value)`; a thrown error becomes `err(error)`.
   * An open circuit answers `err(CircuitOpenError)` without calling `fn`; a timeout answers
   * `err(CircuitTimeoutError)`. Never rejects.
   */
  execute<T, E = never>(
    fn: Protected<Result<T, E>>,
    options?: ExecuteOptions,
  ): Promise<Result<T, E | CircuitError | Error>>
  execute<T>(fn: Protected<T>, options?: ExecuteOptions): Promise<Result<T, CircuitError | Error>>
  /** The circuit's state now, as this instance sees it (through the store's cache). */
  snapshot(): Promise<CircuitSnapshot>
}

/** A signal that never aborts, for calls with no timeout and no caller signal. */
const neverAborted = new AbortController().signal

type Outcome =
  | { kind: 'value'; value: unknown }
  | { kind: 'thrown'; error: unknown }
  | { kind: 'timeout'; ms: number; byDeadline: boolean }

const valued = (value: unknown): Outcome => ({ kind: 'value', value })
const thrown = (error: unknown): Outcome => ({ kind: 'thrown', error })

/** Calls `fn`, turning a synchronous throw into a rejection. */
const start = (fn: Protected<unknown>, signal: AbortSignal): Promise<unknown> => {
  try {
    return Promise.resolve(fn(signal))
  } catch (error) {
    return Promise.reject(error)
  }
}

/** What one `execute` call carries through its attempts. */
interface Call {
  readonly signal?: AbortSignal | undefined
  readonly deadline?: number | undefined
  readonly logger?: CircuitLogger | undefined
  readonly metrics?: CircuitMetrics | undefined
}

/** One attempt's Result, and whether another attempt may help. */
interface Attempt {
  result: Result<unknown, unknown>
  retry: boolean
  refused: boolean
}

const positive = (name: string, value: number, integer = false): number => {
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new TypeError(
      `circuitBreaker: ${name} must be a positive ${integer ? 'integer' : 'number'}`,
    )
  }
  return value
}

const metricNames: Readonly<Record<CircuitStateName, string>> = {
  closed: 'CircuitClosed',
  open: 'CircuitOpen',
  'half-open': 'CircuitHalfOpen',
}

/**
 * Creates a circuit breaker for any async call: closed, open after `failureThreshold` failures
 * within `windowMs`, refusing calls for `standDownMs`, then half-open with one elected prober at a
 * time (a lease that expires, so a prober that died never leaves it stuck); a probe's success
 * closes it, a probe's failure opens it again. State lives in `store`, so breakers with the same
 * name in many Lambda instances share one circuit when the store is shared (DynamoDB). Create it
 * once per container, outside the handler.
 *
 * If the store fails (throttled, unavailable), the breaker logs a warning, goes on with its local
 * state, and the call proceeds.
 *
 * @example
 * ```ts
 * import { circuitBreaker, dynamoDbCircuitStore } from 'metis-app/circuit'
 *
 * const payments = circuitBreaker({
 *   name: 'payments',
 *   store: dynamoDbCircuitStore({ client: new DynamoDBClient({}), tableName: 'circuits' }),
 *   timeoutMs: 2_000,
 * })
 *
 * export const handler = async (event, context) => {
 *   const result = await payments.execute((signal) => fetch(url, { signal }).then((r) => r.json()), {
 *     remainingTime: () => context.getRemainingTimeInMillis() - 500,
 *   })
 *   return result.ok ? result.value : { statusCode: result.error instanceof CircuitOpenError ? 503 : 502 }
 * }
 * ```
 */
export const circuitBreaker = (options: CircuitBreakerOptions): CircuitBreaker => {
  const name = options.name
  if (typeof name !== 'string' || name === '') {
    throw new TypeError('circuitBreaker: name must be a non-empty string')
  }
  const config: MachineConfig = {
    failureThreshold: positive('failureThreshold', options.failureThreshold ?? 3, true),
    window: positive('windowMs', options.windowMs ?? 300_000),
    standDown: positive('standDownMs', options.standDownMs ?? 300_000),
    halfOpenProbes: positive('halfOpenProbes', options.halfOpenProbes ?? 1, true),
    probeLease: positive('probeLeaseMs', options.probeLeaseMs ?? 30_000),
  }
  const timeout =
    options.timeoutMs === undefined ? undefined : positive('timeoutMs', options.timeoutMs)
  const retry = options.retry === false ? undefined : (options.retry ?? {})
  const retries = retry === undefined ? 0 : (retry.retries ?? 2)
  if (!Number.isInteger(retries) || retries < 0) {
    throw new TypeError('circuitBreaker: retry.retries must be a non-negative integer')
  }
  const baseDelay = retry?.baseDelayMs ?? 100
  const maxDelay = retry?.maxDelayMs ?? 2_000
  const shouldRetry = retry?.shouldRetry ?? isRetryable
  const isFailure = options.isFailure ?? defaultIsFailure
  const store = options.store ?? memoryCircuitStore()
  const clock = options.clock ?? Date.now
  const random = options.random ?? Math.random
  const sleep = options.sleep ?? timerSleep
  const setTimer = options.schedule ?? timerSchedule
  const instanceId = options.instanceId ?? globalThis.crypto.randomUUID()
  const rule: FailureRule = { failureThreshold: config.failureThreshold, window: config.window }

  // Local state for when the store fails, seeded with the last state the store showed. Once the
  // store failed, the breaker is "degraded" until a write succeeds again; meanwhile a local circuit
  // that is not closed owns every decision (the store cannot record its transitions), and a closed
  // one still reads the store to see what other instances decided. After each store failure the
  // breaker leaves the store alone for the store's `cacheTtlMs` (1 s by default) and answers from its
  // local state, so that a store that hangs costs one wait per interval, not one per call.
  const local = memoryCircuitStore()
  const storeRest = store.cacheTtlMs ?? 1_000
  let lastSeen: CircuitSnapshot = INITIAL_SNAPSHOT
  let degraded = false
  // The clock time before which the store is not asked again (it failed just before).
  let storeRestsUntil = 0
  // True while a call of this instance is probing: one probe at a time per instance, too.
  let probing = false
  // What a call without options uses.
  const plainCall: Call = { logger: options.logger, metrics: options.metrics }

  const localOwns = (): boolean => degraded && local.read(name, 0).state !== 'closed'

  const fellBack = (call: Call): void => {
    tell(() => call.metrics?.addMetric('CircuitStoreFallback', 'Count', 1))
  }

  const storeFailed = (operation: string, error: unknown, call: Call): void => {
    fellBack(call)
    storeRestsUntil = clock() + storeRest
    if (degraded) return
    degraded = true
    local.reset()
    local.update(name, 0, () => lastSeen)
    tell(() =>
      call.logger?.warn('circuit store failed; using local circuit state', {
        circuit: name,
        operation,
        error: toError(error).message,
      }),
    )
  }

  const recovered = (message: string, call: Call): void => {
    degraded = false
    storeRestsUntil = 0
    tell(() => call.logger?.info(message, { circuit: name }))
  }

  const seen = (snapshot: CircuitSnapshot): CircuitSnapshot => {
    lastSeen = snapshot
    return snapshot
  }

  const read = (now: number, call: Call): MaybePromise<CircuitSnapshot> => {
    if (localOwns()) return local.read(name, now)
    if (now < storeRestsUntil) {
      fellBack(call)
      return local.read(name, now)
    }
    const readLocally = (error: unknown): CircuitSnapshot => {
      storeFailed('read', error, call)
      return local.read(name, now)
    }
    try {
      const answer = store.read(name, now)
      if (!(answer instanceof Promise)) return seen(answer)
      return answer.then(seen, readLocally)
    } catch (error) {
      return readLocally(error)
    }
  }

  /**
   * Writes `change` to the local state when that owns the decisions, else asks the store through
   * `remote` (its `update` by default), falling back to the local state when the store fails.
   */
  const write = (
    now: number,
    change: CircuitChange,
    call: Call,
    remote: () => MaybePromise<CircuitUpdate>,
  ): MaybePromise<CircuitUpdate> => {
    if (localOwns()) {
      const outcome = local.update(name, now, change)
      if (outcome.current.state === 'closed') {
        recovered('circuit closed locally; using the store again', call)
      }
      return outcome
    }
    if (now < storeRestsUntil) {
      fellBack(call)
      return local.update(name, now, change)
    }
    const stored = (outcome: CircuitUpdate): CircuitUpdate => {
      seen(outcome.current)
      if (degraded) recovered('circuit store recovered', call)
      return outcome
    }
    const updateLocally = (error: unknown): CircuitUpdate => {
      storeFailed('update', error, call)
      return local.update(name, now, change)
    }
    try {
      const answer = remote()
      if (!(answer instanceof Promise)) return stored(answer)
      return answer.then(stored, updateLocally)
    } catch (error) {
      return updateLocally(error)
    }
  }

  const update = (
    now: number,
    change: CircuitChange,
    call: Call,
    remote: () => MaybePromise<CircuitUpdate> = () => store.update(name, now, change),
  ): MaybePromise<CircuitUpdate> => {
    const reported = (outcome: CircuitUpdate): CircuitUpdate => {
      const { previous, current } = outcome
      if (current !== previous && current.state !== previous.state) {
        report(
          {
            circuit: name,
            from: previous.state,
            to: current.state,
            at: now,
            failures: current.failures,
            instanceId,
          },
          call,
        )
      }
      return outcome
    }
    const outcome = write(now, change, call, remote)
    return outcome instanceof Promise ? outcome.then(reported) : reported(outcome)
  }

  /**
   * Counts a failure of a closed circuit: with the store's atomic `countFailure` when it has one
   * (a count that concurrent instances cannot make fail), else as a change through `update`.
   * The local state, when it is used, counts with the same rules.
   */
  const recordFailure = (now: number, call: Call): MaybePromise<CircuitUpdate> => {
    const change = countFailure(config, now)
    return update(now, change, call, () =>
      store.countFailure === undefined
        ? store.update(name, now, change)
        : store.countFailure(name, now, rule),
    )
  }

  /**
   * Waits for the store while the call has time left: `undefined` when its deadline came first.
   * The store's work goes on (a write still lands; DynamoDB's own `requestTimeoutMs` ends it).
   */
  const within = <T>(pending: MaybePromise<T>, call: Call): MaybePromise<T | undefined> => {
    if (call.deadline === undefined || !(pending instanceof Promise)) return pending
    const left = Math.max(0, call.deadline - clock())
    return new Promise<T | undefined>((resolve, reject) => {
      const cancel = setTimer(left, () => resolve(undefined))
      pending.then(resolve, reject).finally(cancel)
    })
  }

  /** Gives this instance's probe lease back (see {@link releaseProbe}). */
  const giveBack = (call: Call): MaybePromise<CircuitUpdate | undefined> =>
    within(update(clock(), releaseProbe(instanceId), call), call)

  const report = (change: CircuitStateChange, call: Call): void => {
    tell(() => call.logger?.info(`circuit ${change.from} -> ${change.to}`, change))
    tell(() => call.metrics?.addMetric(metricNames[change.to], 'Count', 1))
    try {
      options.onStateChange?.(change)
    } catch (error) {
      tell(() =>
        call.logger?.warn('circuit onStateChange callback threw', {
          circuit: name,
          error: toError(error).message,
        }),
      )
    }
  }

  const refuse = (snapshot: CircuitSnapshot, now: number): Attempt => ({
    result: err(new CircuitOpenError(name, snapshot.state, waitLeft(snapshot, config, now))),
    retry: false,
    refused: true,
  })

  /** No time left before the caller's deadline: `fn` is not called and nothing is counted. */
  const outOfTime = (): Attempt => ({
    result: err(new CircuitTimeoutError(name, 0, true)),
    retry: false,
    refused: true,
  })

  const expired = (call: Call, now: number): boolean =>
    call.deadline !== undefined && call.deadline <= now

  /** Tries to become the prober; answers a refusal, or undefined when this call may probe. */
  const admitProbe = async (
    snapshot: CircuitSnapshot,
    now: number,
    call: Call,
  ): Promise<Attempt | undefined> => {
    if (probing || !probeDue(snapshot, config, now, instanceId)) return refuse(snapshot, now)
    probing = true
    const claim = update(now, claimProbe(config, now, instanceId), call)
    const claimed = await within(claim, call)
    if (claimed === undefined) {
      // The deadline came first: when the claim lands, give it back. Until then this instance
      // starts no other probe (its claim would be the one given back).
      void Promise.resolve(claim)
        .then(() => update(clock(), releaseProbe(instanceId), call))
        .finally(() => {
          probing = false
        })
      return outOfTime()
    }
    const { current } = claimed
    if (current.state === 'half-open' && current.prober === instanceId) return undefined
    probing = false
    return refuse(current, now)
  }

  /**
   * Calls `fn` once, with a signal that aborts after `ms`; never rejects. `byDeadline` says the
   * limit is the caller's time left rather than the breaker's own `timeout`.
   */
  const invoke = (
    fn: Protected<unknown>,
    ms: number | undefined,
    callerSignal: AbortSignal | undefined,
    byDeadline = false,
  ): Promise<Outcome> => {
    if (ms === undefined && callerSignal === undefined) {
      return start(fn, neverAborted).then(valued, thrown)
    }
    const controller = new AbortController()
    const signal =
      callerSignal === undefined
        ? controller.signal
        : AbortSignal.any([callerSignal, controller.signal])
    const running = start(fn, signal)
    if (ms === undefined) return running.then(valued, thrown)
    return new Promise<Outcome>((resolve) => {
      const cancel = setTimer(ms, () => {
        controller.abort(new CircuitTimeoutError(name, ms))
        resolve({ kind: 'timeout', ms, byDeadline })
      })
      // A call that settles after its timeout changes nothing (the first resolve wins).
      running.then(
        (value) => {
          cancel()
          resolve(valued(value))
        },
        (error: unknown) => {
          cancel()
          resolve(thrown(error))
        },
      )
    })
  }

  const attemptOnce = async (
    fn: Protected<unknown>,
    call: Call,
    known?: MaybePromise<CircuitSnapshot>,
  ): Promise<Attempt> => {
    let now = clock()
    if (expired(call, now)) return outOfTime()
    const state = known ?? read(now, call)
    const snapshot = state instanceof Promise ? await within(state, call) : state
    // Time spent waiting on the store counts against the deadline.
    if (snapshot !== state) now = clock()
    if (snapshot === undefined || expired(call, now)) return outOfTime()
    const isProbe = snapshot.state !== 'closed'
    if (isProbe) {
      const refusal = await admitProbe(snapshot, now, call)
      if (refusal !== undefined) return refusal
      now = clock()
    }
    try {
      if (isProbe && expired(call, now)) {
        await giveBack(call)
        return outOfTime()
      }
      const left = call.deadline === undefined ? undefined : call.deadline - now
      // The caller's time left, when it ends first, is the limit; its timeout is not a failure.
      const byDeadline = left !== undefined && (timeout === undefined || left < timeout)
      const limit = byDeadline ? left : timeout
      return await settle(await invoke(fn, limit, call.signal, byDeadline), isProbe, call)
    } finally {
      if (isProbe) probing = false
    }
  }

  const settle = async (outcome: Outcome, isProbe: boolean, call: Call): Promise<Attempt> => {
    let error: unknown
    let kind: FailureKind
    if (outcome.kind === 'value') {
      const value = outcome.value
      if (!isResult(value)) return succeeded(ok(value), isProbe, call)
      if (value.ok) return succeeded(value, isProbe, call)
      error = value.error
      kind = 'result'
    } else if (outcome.kind === 'thrown') {
      error = outcome.error
      kind = 'thrown'
    } else {
      error = new CircuitTimeoutError(name, outcome.ms)
      kind = 'timeout'
    }
    const result = err(kind === 'thrown' ? toError(error) : error)
    // The caller gave up, or its own deadline cut the attempt short: that says nothing about the
    // dependency. A probe gives its lease back so that the next call may probe at once.
    if (call.signal?.aborted || (outcome.kind === 'timeout' && outcome.byDeadline)) {
      if (isProbe) await giveBack(call)
      return { result, retry: false, refused: false }
    }
    if (!isFailure(error, kind)) return succeeded(result, isProbe, call)
    const now = clock()
    const recorded = isProbe
      ? update(now, probeFailed(now, instanceId), call)
      : recordFailure(now, call)
    // Not past the deadline: a slow store records the failure after the call has returned.
    await within(recorded, call)
    return { result, retry: shouldRetry(error), refused: false }
  }

  /** The dependency answered (a value, or an error that is an answer). */
  const succeeded = async (
    result: Result<unknown, unknown>,
    isProbe: boolean,
    call: Call,
  ): Promise<Attempt> => {
    if (isProbe) await within(update(clock(), probeSucceeded(config, instanceId), call), call)
    return { result, retry: false, refused: false }
  }

  /** After an attempt: waits and tries again while the failure is retryable and time is left. */
  const retryAfter = async (
    last: Attempt,
    fn: Protected<unknown>,
    call: Call,
  ): Promise<Result<unknown, unknown>> => {
    const { signal, deadline } = call
    for (let attempt = 0; last.retry && attempt < retries; attempt++) {
      const wait = backoff(attempt, baseDelay, maxDelay, random)
      if (deadline !== undefined && clock() + wait >= deadline) break
      await sleep(wait, signal)
      if (signal?.aborted) break
      const current = await attemptOnce(fn, call)
      // Refused after a failed attempt (the circuit opened, the time ran out): the failure says more.
      if (current.refused) break
      last = current
    }
    return last.result
  }

  const executeWith = async (
    fn: Protected<unknown>,
    callOptions: ExecuteOptions,
    known?: MaybePromise<CircuitSnapshot>,
  ): Promise<Result<unknown, unknown>> => {
    const { signal, observer } = callOptions
    if (signal?.aborted) return err(toError(signal.reason))
    const remaining = callOptions.remainingTime ?? options.remainingTime
    const call: Call = {
      signal,
      deadline:
        callOptions.deadline ?? (remaining === undefined ? undefined : clock() + remaining()),
      logger: observer?.logger ?? options.logger,
      metrics: observer?.metrics ?? options.metrics,
    }
    return retryAfter(await attemptOnce(fn, call, known), fn, call)
  }

  // The hot path: a closed circuit known without waiting, no deadline, a success. Only a failure
  // takes the general path (settle, retry).
  const execute = async (
    fn: Protected<unknown>,
    callOptions?: ExecuteOptions,
  ): Promise<Result<unknown, unknown>> => {
    if (callOptions !== undefined || options.remainingTime !== undefined) {
      return executeWith(fn, callOptions ?? {})
    }
    const snapshot = read(clock(), plainCall)
    if (snapshot instanceof Promise || snapshot.state !== 'closed') {
      return executeWith(fn, {}, snapshot)
    }
    let outcome: Outcome
    if (timeout === undefined) {
      try {
        const value = await fn(neverAborted)
        if (!isResult(value)) return ok(value)
        if (value.ok) return value
        outcome = valued(value)
      } catch (error) {
        outcome = thrown(error)
      }
    } else {
      outcome = await invoke(fn, timeout, undefined)
      const value = outcome.kind === 'value' ? outcome.value : undefined
      if (outcome.kind === 'value' && !isResult(value)) return ok(value)
      if (isResult(value) && value.ok) return value
    }
    return retryAfter(await settle(outcome, false, plainCall), fn, plainCall)
  }

  const snapshot = async (): Promise<CircuitSnapshot> => read(clock(), plainCall)

  return {
    name,
    instanceId,
    execute: execute as CircuitBreaker['execute'],
    snapshot,
  }
}
