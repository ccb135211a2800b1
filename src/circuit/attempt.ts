/**
 * The races of one attempt against the clock: the protected call against its time limit (its
 * signal aborts when the limit passes), and a wait on the store against the caller's deadline.
 * @module
 */
import { isResult } from '../internal/result.ts'
import { err, ok, type Result } from '../result/index.ts'
import { CircuitTimeoutError } from './errors.ts'
import type { MaybePromise } from './store.ts'
import type { Schedule } from './time.ts'

/**
 * A function the breaker protects: it gets an `AbortSignal` and returns a value or a Result.
 *
 * @example
 * ```ts
 * const charge: Protected<Response> = (signal) => fetch(chargesUrl, { method: 'POST', signal })
 * const result = await payments.execute(charge)
 * ```
 */
export type Protected<T> = (signal: AbortSignal) => T | Promise<T>

/** What one call of the protected function came to. */
export type Outcome =
  | { kind: 'value'; value: unknown }
  | { kind: 'thrown'; error: unknown }
  | { kind: 'timeout'; ms: number; byDeadline: boolean }

/** One attempt's Result, whether another attempt may help, and whether it was refused. */
export interface Attempt {
  result: Result<unknown, unknown>
  retry: boolean
  refused: boolean
}

/** No time left before the caller's deadline: `fn` is not called and nothing is counted. */
export const outOfTime = (name: string): Attempt => ({
  result: err(new CircuitTimeoutError(name, 0, true)),
  retry: false,
  refused: true,
})

/** A signal that never aborts, for calls with no timeout and no caller signal. */
export const neverAborted: AbortSignal = new AbortController().signal

/** The outcome of a call that answered `value`. */
export const valued = (value: unknown): Outcome => ({ kind: 'value', value })

/** The outcome of a call that threw `error`. */
export const thrown = (error: unknown): Outcome => ({ kind: 'thrown', error })

/**
 * The Result of an answer that is a success: `ok(value)` for a plain value, the Result itself when
 * it is ok; `undefined` for an error Result (the breaker then judges its error).
 */
export const successOf = (value: unknown): Result<unknown, unknown> | undefined => {
  if (!isResult(value)) return ok(value)
  return value.ok ? value : undefined
}

/** Calls `fn`, turning a synchronous throw into a rejection. */
const start = (fn: Protected<unknown>, signal: AbortSignal): Promise<unknown> => {
  try {
    return Promise.resolve(fn(signal))
  } catch (error) {
    return Promise.reject(error)
  }
}

/** The two races of the breaker named `name`, on its clock and timer. */
export interface Races {
  /**
   * Calls `fn` once, with a signal that aborts after `ms`; never rejects. `byDeadline` says the
   * limit is the caller's time left rather than the breaker's own timeout.
   */
  invoke(
    fn: Protected<unknown>,
    ms: number | undefined,
    callerSignal: AbortSignal | undefined,
    byDeadline?: boolean,
  ): Promise<Outcome>
  /**
   * Waits for the store while the call has time left: `undefined` when `deadline` came first.
   * The store's work goes on (a write still lands; DynamoDB's own `requestTimeoutMs` ends it).
   */
  within<T>(pending: MaybePromise<T>, deadline: number | undefined): MaybePromise<T | undefined>
}

/**
 * The races of the breaker `name`: timeouts name it in their {@link CircuitTimeoutError}.
 *
 * @example
 * ```ts
 * const { invoke } = races('payments', Date.now, schedule)
 * const outcome = await invoke((signal) => fetch(url, { signal }), 2_000, undefined)
 * ```
 */
export const races = (name: string, clock: () => number, setTimer: Schedule): Races => {
  const invoke: Races['invoke'] = (fn, ms, callerSignal, byDeadline = false) => {
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

  const within = <T>(
    pending: MaybePromise<T>,
    deadline: number | undefined,
  ): MaybePromise<T | undefined> => {
    if (deadline === undefined || !(pending instanceof Promise)) return pending
    const left = Math.max(0, deadline - clock())
    return new Promise<T | undefined>((resolve, reject) => {
      const cancel = setTimer(left, () => resolve(undefined))
      pending.then(resolve, reject).finally(cancel)
    })
  }

  return { invoke, within }
}
