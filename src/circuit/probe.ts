/**
 * The prober election of an open or half-open circuit: which call of this instance may probe
 * (one at a time, holding the store's lease), and giving the lease back.
 * @module
 */
import { err } from '../result/index.ts'
import { type Attempt, outOfTime, type Races } from './attempt.ts'
import { CircuitOpenError } from './errors.ts'
import { claimProbe, probeDue, releaseProbe, waitLeft } from './machine.ts'
import type { BreakerSettings, Call } from './options.ts'
import type { Recorder } from './record.ts'
import type { CircuitSnapshot, CircuitUpdate, MaybePromise } from './store.ts'

/** This instance's side of the election. */
export interface Prober {
  /** Tries to become the prober; answers a refusal, or `undefined` when this call may probe. */
  admit(snapshot: CircuitSnapshot, now: number, call: Call): Promise<Attempt | undefined>
  /** Gives this instance's probe lease back (see {@link releaseProbe}), within the deadline. */
  giveBack(call: Call): MaybePromise<CircuitUpdate | undefined>
  /** The admitted probe ended: this instance may probe again. */
  done(): void
}

/**
 * The prober of the breaker `settings` describes.
 *
 * @example
 * ```ts
 * const probe = prober(settings, recorder(settings, circuit), races(name, clock, schedule))
 * const refusal = await probe.admit(snapshot, clock(), call)
 * ```
 */
export const prober = (
  settings: BreakerSettings,
  { update }: Recorder,
  { within }: Races,
): Prober => {
  const { name, config, clock, instanceId } = settings
  // True while a call of this instance is probing: one probe at a time per instance, too.
  let probing = false

  const refuse = (snapshot: CircuitSnapshot, now: number): Attempt => ({
    result: err(new CircuitOpenError(name, snapshot.state, waitLeft(snapshot, config, now))),
    retry: false,
    refused: true,
  })

  const admit = async (
    snapshot: CircuitSnapshot,
    now: number,
    call: Call,
  ): Promise<Attempt | undefined> => {
    if (probing || !probeDue(snapshot, config, now, instanceId)) return refuse(snapshot, now)
    probing = true
    const claim = update(now, claimProbe(config, now, instanceId), call)
    const claimed = await within(claim, call.deadline)
    if (claimed === undefined) {
      // The deadline came first: when the claim lands, give it back. Until then this instance
      // starts no other probe (its claim would be the one given back).
      void Promise.resolve(claim)
        .then(() => update(clock(), releaseProbe(instanceId), call))
        .finally(() => {
          probing = false
        })
      return outOfTime(name)
    }
    const { current } = claimed
    if (current.state === 'half-open' && current.prober === instanceId) return undefined
    probing = false
    return refuse(current, now)
  }

  const giveBack = (call: Call): MaybePromise<CircuitUpdate | undefined> =>
    within(update(clock(), releaseProbe(instanceId), call), call.deadline)

  const done = (): void => {
    probing = false
  }

  return { admit, giveBack, done }
}
