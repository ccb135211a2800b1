import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildRequest } from '../../src/request/index.ts'
import { allEventNames, loadEvent } from '../support/events.ts'

const samples = allEventNames().map((name) => loadEvent(name))

/** Replaces one nested field of an event with an arbitrary JSON value. */
const mutate = (event: unknown, path: number[], value: unknown): unknown => {
  if (typeof event !== 'object' || event === null || path.length === 0) return value
  const copy: Record<string, unknown> = Array.isArray(event)
    ? ([...event] as unknown as Record<string, unknown>)
    : { ...(event as Record<string, unknown>) }
  const keys = Object.keys(copy)
  if (keys.length === 0) return value
  const key = keys[(path[0] ?? 0) % keys.length] as string
  copy[key] = mutate(copy[key], path.slice(1), value)
  return copy
}

describe('buildRequest on arbitrary input', () => {
  it('never throws on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (event) => {
        const result = buildRequest(event)
        expect(typeof result.ok).toBe('boolean')
      }),
    )
  })

  it('never throws when any field of a real sample is replaced by arbitrary JSON', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: samples.length - 1 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
        fc.jsonValue(),
        (index, path, value) => {
          const result = buildRequest(mutate(samples[index], path, value))
          if (!result.ok) {
            expect([400, 413, 415]).toContain(result.error.statusCode)
            return
          }
          // the views built on first read never throw either
          expect(typeof JSON.stringify(result.value)).toBe('string')
        },
      ),
      { numRuns: 2000 },
    )
  })
})
