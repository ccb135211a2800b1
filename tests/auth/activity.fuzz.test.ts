import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { activityMatches, hasActivity } from '../../src/auth/activity.ts'

const segment = fc.stringMatching(/^[a-z]{1,4}$/)
const activityOf = (min: number, max: number) =>
  fc.array(segment, { minLength: min, maxLength: max }).map((segments) => segments.join(':'))

describe('activity matching', () => {
  it('matches exact activities and granted wildcards, and a longer grant only through stars', () => {
    expect(activityMatches('orders:order:read', 'orders:order:read')).toBe(true)
    expect(activityMatches('orders:order:read', 'orders:*:read')).toBe(true)
    expect(activityMatches('orders:order:read', '*:*:*')).toBe(true)
    expect(activityMatches('orders:order', 'orders:order:*')).toBe(true)
    expect(activityMatches('orders', '*:*:*')).toBe(true)
    expect(activityMatches('orders:order:read', 'orders:order')).toBe(false)
    expect(activityMatches('orders:order:read', 'billing:order:read')).toBe(false)
    expect(activityMatches('orders:*:read', 'orders:order:read')).toBe(false)
  })

  it('never lets a narrower grant meet a broader requirement', () => {
    expect(activityMatches('orders:order:delete', 'orders:order:delete:own')).toBe(false)
    expect(activityMatches('orders:order', 'orders:order:read')).toBe(false)
    expect(activityMatches('orders:order:delete', 'orders:order:delete:*:own')).toBe(false)
    expect(activityMatches('orders:order:delete', 'orders:order:delete:*')).toBe(true)
    expect(hasActivity(['orders:order:delete:own'], 'orders:order:delete')).toBe(false)
  })

  it('counts only grants of the namespace when one is given', () => {
    expect(hasActivity(['orders:order:read'], 'orders:order:read', 'orders')).toBe(true)
    expect(hasActivity(['*:order:read'], 'orders:order:read', 'orders')).toBe(false)
    expect(hasActivity(['*:order:read'], 'orders:order:read')).toBe(true)
    expect(hasActivity([], 'orders')).toBe(false)
  })

  it('property: every activity meets itself, and itself extended by stars', () => {
    fc.assert(
      fc.property(activityOf(1, 6), fc.integer({ min: 1, max: 4 }), (granted, extra) => {
        expect(activityMatches(granted, granted)).toBe(true)
        expect(activityMatches(granted, `${granted}${':*'.repeat(extra)}`)).toBe(true)
      }),
    )
  })

  it('property: a grant longer than the requirement never meets it unless its extra segments are stars', () => {
    fc.assert(
      fc.property(activityOf(2, 6), fc.integer({ min: 1, max: 5 }), (granted, cut) => {
        const segments = granted.split(':')
        const kept = Math.max(1, segments.length - cut)
        const required = segments.slice(0, kept).join(':')
        const starred = [...segments.slice(0, kept), ...segments.slice(kept).map(() => '*')]
        expect(activityMatches(required, granted)).toBe(false)
        expect(activityMatches(required, starred.join(':'))).toBe(true)
      }),
    )
  })

  it('property: a grant shorter than the requirement never meets it', () => {
    fc.assert(
      fc.property(activityOf(1, 5), activityOf(1, 3), (granted, more) => {
        const stars = granted
          .split(':')
          .map(() => '*')
          .join(':')
        expect(activityMatches(`${granted}:${more}`, granted)).toBe(false)
        expect(activityMatches(`${granted}:${more}`, stars)).toBe(false)
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
