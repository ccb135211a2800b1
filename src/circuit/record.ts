/**
 * Records the breaker's changes to its circuit and reports the state changes this instance made
 * (a log line, a metric, the `onStateChange` callback).
 * @module
 */

import { toError } from '../internal/result.ts'
import { tell } from '../internal/tell.ts'
import type { DegradableStore } from './degraded.ts'
import type { CircuitStateName } from './errors.ts'
import { countFailure } from './machine.ts'
import type { BreakerSettings, Call, CircuitStateChange } from './options.ts'
import type { CircuitChange, CircuitUpdate, MaybePromise } from './store.ts'

/** How the breaker writes its circuit. */
export interface Recorder {
  /**
   * Applies `change` at `now` (through `remote`, the store's `update` by default) and reports a
   * state change it made.
   */
  update(
    now: number,
    change: CircuitChange,
    call: Call,
    remote?: () => MaybePromise<CircuitUpdate>,
  ): MaybePromise<CircuitUpdate>
  /**
   * Counts a failure of a closed circuit: with the store's atomic `countFailure` when it has one
   * (a count that concurrent instances cannot make fail), else as a change through `update`.
   * The local state, when it is used, counts with the same rules.
   */
  recordFailure(now: number, call: Call): MaybePromise<CircuitUpdate>
}

const metricNames: Readonly<Record<CircuitStateName, string>> = {
  closed: 'CircuitClosed',
  open: 'CircuitOpen',
  'half-open': 'CircuitHalfOpen',
}

/**
 * The recorder of the breaker `settings` describes, writing through `circuit`.
 *
 * @example
 * ```ts
 * const { update } = recorder(settings, degradableStore(settings.name, settings.store, Date.now))
 * await update(Date.now(), releaseProbe(settings.instanceId), { logger })
 * ```
 */
export const recorder = (settings: BreakerSettings, circuit: DegradableStore): Recorder => {
  const { name, store, instanceId, config, rule, onStateChange } = settings

  const report = (change: CircuitStateChange, call: Call): void => {
    tell(() => call.logger?.info(`circuit ${change.from} -> ${change.to}`, change))
    tell(() => call.metrics?.addMetric(metricNames[change.to], 'Count', 1))
    try {
      onStateChange?.(change)
    } catch (error) {
      tell(() =>
        call.logger?.warn('circuit onStateChange callback threw', {
          circuit: name,
          error: toError(error).message,
        }),
      )
    }
  }

  const update: Recorder['update'] = (
    now,
    change,
    call,
    remote = () => store.update(name, now, change),
  ) => {
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
    const outcome = circuit.write(now, change, call, remote)
    return outcome instanceof Promise ? outcome.then(reported) : reported(outcome)
  }

  const recordFailure = (now: number, call: Call): MaybePromise<CircuitUpdate> => {
    const change = countFailure(config, now)
    return update(now, change, call, () =>
      store.countFailure === undefined
        ? store.update(name, now, change)
        : store.countFailure(name, now, rule),
    )
  }

  return { update, recordFailure }
}
