import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { activityMatches, hasActivity } from '../../src/auth/index.ts'

const segment = fc.stringMatching(/^[a-z]{1,4}$/)
const activityOf = (min: number, max: number) =>
  fc.array(segment, { minLength: min, maxLength: max }).map((segments) => segments.join(':'))

describe('activity matching (the seed matcher)', () => {
  it('matches exact activities, granted wildcards and granted extensions', () => {
    expect(activityMatches('orders:order:read', 'orders:order:read')).toBe(true)
    expect(activityMatches('orders:order:read', 'orders:*:read')).toBe(true)
    expect(activityMatches('orders:order:read', '*:*:*')).toBe(true)
    expect(activityMatches('orders:order', 'orders:order:read')).toBe(true)
    expect(activityMatches('orders:order:read', 'orders:order')).toBe(false)
    expect(activityMatches('orders:order:read', 'billing:order:read')).toBe(false)
    expect(activityMatches('orders:*:read', 'orders:order:read')).toBe(false)
  })

  it('counts only grants of the namespace when one is given', () => {
    expect(hasActivity(['orders:order:read'], 'orders:order:read', 'orders')).toBe(true)
    expect(hasActivity(['*:order:read'], 'orders:order:read', 'orders')).toBe(false)
    expect(hasActivity(['*:order:read'], 'orders:order:read')).toBe(true)
    expect(hasActivity([], 'orders')).toBe(false)
  })

  it('property: every activity meets itself and every prefix of itself', () => {
    fc.assert(
      fc.property(activityOf(1, 6), fc.nat(5), (granted, cut) => {
        const segments = granted.split(':')
        const required = segments.slice(0, Math.max(1, segments.length - cut)).join(':')
        expect(activityMatches(required, granted)).toBe(true)
      }),
    )
  })

  it('property: a grant of stars meets any activity no longer than it', () => {
    fc.assert(
      fc.property(activityOf(1, 6), (required) => {
        const stars = required
          .split(':')
          .map(() => '*')
          .join(':')
        expect(activityMatches(required, stars)).toBe(true)
        expect(activityMatches(`${required}:more`, stars)).toBe(false)
      }),
    )
  })

  it('property: a grant that differs in a non-star segment never meets', () => {
    fc.assert(
      fc.property(activityOf(1, 6), fc.nat(5), (required, at) => {
        const segments = required.split(':')
        const index = at % segments.length
        const changed = segments.map((s, i) => (i === index ? `${s}x` : s)).join(':')
        expect(activityMatches(required, changed)).toBe(false)
      }),
    )
  })
})
