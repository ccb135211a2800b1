import { describe, expect, it } from 'vitest'
import { planRefresh } from '../../src/self-token/window.ts'

const MIN = 60_000
const tenMinutes = { issuedAt: 0, expiresAt: 10 * MIN }

describe('planRefresh', () => {
  it('refreshes a 10-minute token between 7:50 and 8:50 by default (10 % threshold, 10 % window, 10 s skew)', () => {
    expect(planRefresh(tenMinutes, {}, () => 0)).toEqual({
      refreshAt: 10 * MIN - 10_000 - MIN,
      usableUntil: 10 * MIN - 10_000,
    })
    expect(planRefresh(tenMinutes, {}, () => 0.999_999).refreshAt).toBeCloseTo(
      10 * MIN - 10_000 - 2 * MIN,
      -1,
    )
  })

  it('scales with the lifetime: a one-hour token refreshes 6 to 12 minutes before its end', () => {
    const hour = { issuedAt: 0, expiresAt: 60 * MIN }
    expect(planRefresh(hour, { clockSkewMs: 0 }, () => 0).refreshAt).toBe(54 * MIN)
    expect(planRefresh(hour, { clockSkewMs: 0 }, () => 0.5).refreshAt).toBe(51 * MIN)
  })

  it('keeps a 5 s minimum threshold and window for short tokens', () => {
    const halfMinute = { issuedAt: 0, expiresAt: 30_000 }
    expect(planRefresh(halfMinute, { clockSkewMs: 0 }, () => 1)).toEqual({
      refreshAt: 20_000,
      usableUntil: 30_000,
    })
  })

  it("scales the seed's fixed one-hour threshold down so that a 10-minute token is used for half its life", () => {
    const seed = { expiryThresholdMs: 60 * MIN, windowWidthMs: 60 * MIN, clockSkewMs: 0 }
    expect(planRefresh(tenMinutes, seed, () => 1).refreshAt).toBe(5 * MIN)
    expect(planRefresh(tenMinutes, seed, () => 0).refreshAt).toBe(7.5 * MIN)
  })

  it('accepts fixed durations and functions of the lifetime', () => {
    const plan = planRefresh(
      tenMinutes,
      { expiryThresholdMs: 30_000, windowWidthMs: (lifetime) => lifetime / 20, clockSkewMs: 0 },
      () => 1,
    )
    expect(plan.refreshAt).toBe(10 * MIN - 30_000 - 30_000)
  })

  it('caps the clock skew at a quarter of the lifetime', () => {
    const plan = planRefresh({ issuedAt: 0, expiresAt: 20_000 }, { clockSkewMs: 60_000 }, () => 0)
    expect(plan.usableUntil).toBe(15_000)
    expect(plan.refreshAt).toBeGreaterThanOrEqual(10_000)
  })

  it.each([
    [{ expiryThresholdMs: -1 }],
    [{ windowWidthMs: Number.NaN }],
    [{ windowWidthMs: () => Number.POSITIVE_INFINITY }],
  ])('refuses an invalid duration %o', (policy) => {
    expect(() => planRefresh(tenMinutes, policy, () => 0)).toThrow(TypeError)
  })
})
