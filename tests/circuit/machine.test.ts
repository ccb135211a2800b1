import { describe, expect, it } from 'vitest'
import {
  claimProbe,
  countFailure,
  type MachineConfig,
  probeFailed,
  probeSucceeded,
  releaseProbe,
  waitLeft,
} from '../../src/circuit/machine.ts'
import { INITIAL_SNAPSHOT } from '../../src/circuit/store.ts'

const config: MachineConfig = {
  failureThreshold: 3,
  window: 1_000,
  standDown: 5_000,
  halfOpenProbes: 1,
  probeLease: 2_000,
}

describe('circuit state changes', () => {
  it('leaves a circuit that another instance opened alone when a late failure arrives', () => {
    const open = { ...INITIAL_SNAPSHOT, state: 'open' as const, openedAt: 10, version: 4 }
    expect(countFailure(config, 20)(open)).toBeUndefined()
  })

  it('ignores probe outcomes from an instance that does not hold the lease', () => {
    const probing = {
      ...INITIAL_SNAPSHOT,
      state: 'half-open' as const,
      prober: 'b',
      leaseUntil: 5_000,
      version: 5,
    }
    expect(probeSucceeded(config, 'a')(probing)).toBeUndefined()
    expect(probeFailed(100, 'a')(probing)).toBeUndefined()
    expect(probeSucceeded(config, 'b')(INITIAL_SNAPSHOT)).toBeUndefined()
    expect(releaseProbe('a')(probing)).toBeUndefined()
    expect(releaseProbe('b')(INITIAL_SNAPSHOT)).toBeUndefined()
  })

  it('gives a released probe lease back and keeps the half-open state and its successes', () => {
    const probing = {
      ...INITIAL_SNAPSHOT,
      state: 'half-open' as const,
      prober: 'a',
      leaseUntil: 5_000,
      probeSuccesses: 1,
      version: 5,
    }
    expect(releaseProbe('a')(probing)).toEqual({
      ...probing,
      prober: undefined,
      leaseUntil: 0,
    })
  })

  it('tells a refused caller how long the stand-down or the lease has left, never less than 0', () => {
    const open = { ...INITIAL_SNAPSHOT, state: 'open' as const, openedAt: 1_000 }
    expect(waitLeft(open, config, 2_000)).toBe(4_000)
    expect(waitLeft(open, config, 9_000)).toBe(0)
    const halfOpen = { ...INITIAL_SNAPSHOT, state: 'half-open' as const, leaseUntil: 3_000 }
    expect(waitLeft(halfOpen, config, 2_500)).toBe(500)
  })

  describe('the prober election', () => {
    const halfOpen = (prober: string | undefined, leaseUntil: number) => ({
      ...INITIAL_SNAPSHOT,
      state: 'half-open' as const,
      prober,
      leaseUntil,
      probeSuccesses: 1,
      version: 7,
    })

    it('elects no prober on a closed circuit, nor on an open one before its stand-down ends', () => {
      expect(claimProbe(config, 100, 'a')(INITIAL_SNAPSHOT)).toBeUndefined()
      const open = { ...INITIAL_SNAPSHOT, state: 'open' as const, openedAt: 1_000 }
      expect(claimProbe(config, 5_999, 'a')(open)).toBeUndefined()
      expect(claimProbe(config, 6_000, 'a')(open)).toMatchObject({
        state: 'half-open',
        prober: 'a',
        leaseUntil: 8_000,
        probeSuccesses: 0,
      })
    })

    it('elects an instance on a half-open circuit with no prober, and keeps the successes so far', () => {
      expect(claimProbe(config, 100, 'a')(halfOpen(undefined, 0))).toMatchObject({
        prober: 'a',
        leaseUntil: 2_100,
        probeSuccesses: 1,
      })
    })

    it("refuses a second instance while the prober's lease holds, and takes over once it ended", () => {
      expect(claimProbe(config, 4_999, 'b')(halfOpen('a', 5_000))).toBeUndefined()
      expect(claimProbe(config, 5_000, 'b')(halfOpen('a', 5_000))).toMatchObject({ prober: 'b' })
    })

    it('lets the prober renew its own lease', () => {
      expect(claimProbe(config, 1_000, 'a')(halfOpen('a', 5_000))).toMatchObject({
        prober: 'a',
        leaseUntil: 3_000,
      })
    })

    it('answers outcomes only on a half-open circuit, whatever prober field another state keeps', () => {
      const open = { ...INITIAL_SNAPSHOT, state: 'open' as const, openedAt: 1, prober: 'a' }
      expect(probeSucceeded(config, 'a')(open)).toBeUndefined()
      expect(probeFailed(100, 'a')(open)).toBeUndefined()
      expect(releaseProbe('a')(open)).toBeUndefined()
    })
  })

  it('starts the first window at the first failure, even at time 0', () => {
    expect(countFailure(config, 0)(INITIAL_SNAPSHOT)).toMatchObject({ failures: 1, windowStart: 0 })
    const counted = { ...INITIAL_SNAPSHOT, failures: 1, windowStart: 500 }
    expect(countFailure(config, 1_499)(counted)).toMatchObject({ failures: 2, windowStart: 500 })
    expect(countFailure(config, 1_500)(counted)).toMatchObject({ failures: 1, windowStart: 1_500 })
  })
})
