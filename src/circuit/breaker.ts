/**
 * The circuit breaker: admits a call through the shared circuit, judges its outcome, records
 * failures and retries the retryable ones.
 * @module
 */
import { backoff, retry } from '../internal/backoff.ts'
import { toError } from '../internal/result.ts'
import { err, type Result } from '../result/index.ts'
import {
  type Attempt,
  neverAborted,
  type Outcome,
  outOfTime,
  type Protected,
  races,
  successOf,
  thrown,
  valued,
} from './attempt.ts'
import type { FailureKind } from './classify.ts'
import { degradableStore } from './degraded.ts'
import { type CircuitError, CircuitTimeoutError } from './errors.ts'
import { probeFailed, probeSucceeded } from './machine.ts'
import {
  breakerSettings,
  type Call,
  type CircuitBreakerOptions,
  type ExecuteOptions,
} from './options.ts'
import { prober } from './probe.ts'
import { recorder } from './record.ts'
import type { CircuitSnapshot, MaybePromise } from './store.ts'

// Reachable here too, where the breaker was defined in one file (tests' workers import it).
export type { CircuitBreakerOptions } from './options.ts'

/**
 * A circuit breaker; see {@link circuitBreaker}.
 *
 * @example
 * ```ts
 * const payments: CircuitBreaker = circuitBreaker({ name: 'payments', timeoutMs: 2_000 })
 * const result = await payments.execute((signal) => fetch(url, { signal }))
 * const { state } = await payments.snapshot()
 * ```
 */
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
  const settings = breakerSettings(options)
  const { name, timeout, retries, baseDelay, maxDelay, shouldRetry, isFailure } = settings
  const { clock, random, sleep, instanceId, config } = settings
  const circuit = degradableStore(name, settings.store, clock)
  const { read } = circuit
  const record = recorder(settings, circuit)
  const { update, recordFailure } = record
  const timing = races(name, clock, settings.schedule)
  const { invoke, within } = timing
  const probe = prober(settings, record, timing)
  // What a call without options uses.
  const plainCall: Call = { logger: settings.logger, metrics: settings.metrics }

  const expired = (call: Call, now: number): boolean =>
    call.deadline !== undefined && call.deadline <= now

  const attemptOnce = async (
    fn: Protected<unknown>,
    call: Call,
    known?: MaybePromise<CircuitSnapshot>,
  ): Promise<Attempt> => {
    let now = clock()
    if (expired(call, now)) return outOfTime(name)
    const state = known ?? read(now, call)
    const snapshot = state instanceof Promise ? await within(state, call.deadline) : state
    // Time spent waiting on the store counts against the deadline.
    if (snapshot !== state) now = clock()
    if (snapshot === undefined || expired(call, now)) return outOfTime(name)
    const isProbe = snapshot.state !== 'closed'
    if (isProbe) {
      const refusal = await probe.admit(snapshot, now, call)
      if (refusal !== undefined) return refusal
      now = clock()
    }
    try {
      if (isProbe && expired(call, now)) {
        await probe.giveBack(call)
        return outOfTime(name)
      }
      const left = call.deadline === undefined ? undefined : call.deadline - now
      // The caller's time left, when it ends first, is the limit; its timeout is not a failure.
      const byDeadline = left !== undefined && (timeout === undefined || left < timeout)
      const limit = byDeadline ? left : timeout
      return await settle(await invoke(fn, limit, call.signal, byDeadline), isProbe, call)
    } finally {
      if (isProbe) probe.done()
    }
  }

  const settle = async (outcome: Outcome, isProbe: boolean, call: Call): Promise<Attempt> => {
    let error: unknown
    let kind: FailureKind
    if (outcome.kind === 'value') {
      const success = successOf(outcome.value)
      if (success !== undefined) return succeeded(success, isProbe, call)
      error = (outcome.value as { error: unknown }).error
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
      if (isProbe) await probe.giveBack(call)
      return { result, retry: false, refused: false }
    }
    if (!isFailure(error, kind)) return succeeded(result, isProbe, call)
    const now = clock()
    const recorded = isProbe
      ? update(now, probeFailed(now, instanceId), call)
      : recordFailure(now, call)
    // Not past the deadline: a slow store records the failure after the call has returned.
    await within(recorded, call.deadline)
    return { result, retry: shouldRetry(error), refused: false }
  }

  /** The dependency answered (a value, or an error that is an answer). */
  const succeeded = async (
    result: Result<unknown, unknown>,
    isProbe: boolean,
    call: Call,
  ): Promise<Attempt> => {
    if (isProbe) {
      await within(update(clock(), probeSucceeded(config, instanceId), call), call.deadline)
    }
    return { result, retry: false, refused: false }
  }

  /** After an attempt: waits and tries again while the failure is retryable and time is left. */
  const retryAfter = async (
    first: Attempt,
    fn: Protected<unknown>,
    call: Call,
  ): Promise<Result<unknown, unknown>> => {
    const last = await retry(first, {
      retries,
      delay: (attempt, n) => (attempt.retry ? backoff(n, baseDelay, maxDelay, random) : undefined),
      // Refused after a failed attempt (the circuit opened, the time ran out): the failure says more.
      attempt: async () => {
        const current = await attemptOnce(fn, call)
        return current.refused ? undefined : current
      },
      until: call.deadline,
      clock,
      sleep,
      signal: call.signal,
    })
    return last.result
  }

  const executeWith = async (
    fn: Protected<unknown>,
    callOptions: ExecuteOptions,
    known?: MaybePromise<CircuitSnapshot>,
  ): Promise<Result<unknown, unknown>> => {
    const { signal, observer } = callOptions
    if (signal?.aborted) return err(toError(signal.reason))
    const remaining = callOptions.remainingTime ?? settings.remainingTime
    const call: Call = {
      signal,
      deadline:
        callOptions.deadline ?? (remaining === undefined ? undefined : clock() + remaining()),
      logger: observer?.logger ?? settings.logger,
      metrics: observer?.metrics ?? settings.metrics,
    }
    return retryAfter(await attemptOnce(fn, call, known), fn, call)
  }

  // The hot path, measured in bench/circuit.bench.ts: a closed circuit known without waiting, no
  // deadline, a success, with no Call object and no attempt bookkeeping. Only a failure takes the
  // general path (settle, retry).
  const execute = async (
    fn: Protected<unknown>,
    callOptions?: ExecuteOptions,
  ): Promise<Result<unknown, unknown>> => {
    if (callOptions !== undefined || settings.remainingTime !== undefined) {
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
        const success = successOf(value)
        if (success !== undefined) return success
        outcome = valued(value)
      } catch (error) {
        outcome = thrown(error)
      }
    } else {
      outcome = await invoke(fn, timeout, undefined)
      const success = outcome.kind === 'value' ? successOf(outcome.value) : undefined
      if (success !== undefined) return success
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
