import { describe, expect, it } from 'vitest'
import {
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
})
