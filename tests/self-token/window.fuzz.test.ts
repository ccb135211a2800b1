import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { planRefresh } from '../../src/self-token/window.ts'

const duration = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: 0, max: 10_000_000 }),
  fc.double({ min: 0, max: 1, noNaN: true }).map((ratio) => (lifetime: number) => lifetime * ratio),
)

describe('planRefresh (properties)', () => {
  it('always refreshes in the second half of the lifetime, before the token stops being usable', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000_000_000_000 }),
        fc.integer({ min: 1, max: 86_400_000 }),
        duration,
        duration,
        fc.option(fc.integer({ min: 0, max: 3_600_000 }), { nil: undefined }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (issuedAt, lifetime, expiryThresholdMs, windowWidthMs, clockSkewMs, random) => {
          const token = { issuedAt, expiresAt: issuedAt + lifetime }
          const plan = planRefresh(
            token,
            { expiryThresholdMs, windowWidthMs, clockSkewMs },
            () => random,
          )
          expect(plan.usableUntil).toBeLessThanOrEqual(token.expiresAt)
          expect(plan.usableUntil).toBeGreaterThanOrEqual(issuedAt + lifetime * 0.75 - 1e-6)
          expect(plan.refreshAt).toBeLessThanOrEqual(plan.usableUntil)
          expect(plan.refreshAt).toBeGreaterThanOrEqual(issuedAt + lifetime / 2 - 1e-3)
        },
      ),
    )
  })
})
