import fc from 'fast-check'
import { circuitBreaker, memoryCircuitStore } from 'metis-app/circuit'
import { describe, expect, it } from 'vitest'
import { boom, manualClock } from './helpers.ts'

/** One step of a run: an instance calls (and the dependency works or not), or time passes. */
const step = fc.oneof(
  fc.record({ kind: fc.constant('call' as const), instance: fc.nat(3), works: fc.boolean() }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 400_000 }) }),
)

describe('circuit state machine (property)', () => {
  it('keeps its invariants over any sequence of calls by four instances and waits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        const clock = manualClock()
        const store = memoryCircuitStore()
        const breakers = Array.from({ length: 4 }, (_, i) =>
          circuitBreaker({
            name: 'fuzz',
            store,
            clock: clock.now,
            retry: false,
            instanceId: `i${i}`,
            probeLeaseMs: 10_000,
          }),
        )
        let version = 0
        for (const s of steps) {
          if (s.kind === 'wait') {
            clock.advance(s.ms)
            continue
          }
          const before = store.read('fuzz', clock.now())
          const breaker = breakers[s.instance] as (typeof breakers)[number]
          let called = false
          await breaker.execute(async () => {
            called = true
            if (!s.works) return boom()
            return 'ok'
          })
          const after = store.read('fuzz', clock.now())
          // Versions only grow; a closed circuit counts below its threshold; an open one holds no lease.
          expect(after.version).toBeGreaterThanOrEqual(version)
          version = after.version
          if (after.state === 'closed') expect(after.failures).toBeLessThan(3)
          if (after.state === 'open') expect(after.prober).toBeUndefined()
          // A refused call never reached the dependency, and only an open circuit past its stand-down
          // or a half-open one without a live lease lets a call through.
          if (before.state === 'open' && clock.now() < before.openedAt + 300_000) {
            expect(called).toBe(false)
          }
          // A successful call on a closed circuit writes nothing.
          if (before.state === 'closed' && s.works) expect(after.version).toBe(before.version)
        }
      }),
      { numRuns: 200 },
    )
  })
})
