import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { headerOf } from '../../src/request/http-view.ts'
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

describe('reading one header without building the header view', () => {
  const spelling = fc.constantFrom('authorization', 'Authorization', 'AUTHORIZATION', 'x-token')
  const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null))
  const shapes = ['apigw-rest/no-auth', 'apigw-http/no-auth', 'alb/multi-fields', 'alb/base']

  it('answers what the built view holds, for any spellings and values of a header', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...shapes),
        fc.array(fc.tuple(spelling, value), { maxLength: 6 }),
        fc.constantFrom('authorization', 'x-token', 'absent'),
        (shape, entries, name) => {
          const event = loadEvent(shape) as Record<string, unknown>
          const multi = event.multiValueHeaders !== undefined && event.headers === undefined
          const headers = Object.fromEntries(
            entries.map(([key, v]) => [key, multi ? [v, v] : v] as const),
          )
          const built = buildRequest({
            ...event,
            [multi ? 'multiValueHeaders' : 'headers']: headers,
          })
          if (!built.ok || built.value.kind !== 'http') return
          const request = built.value
          const one = headerOf(request, name)
          expect(one).toBe(request.headers[name])
          // and again once the view is built
          expect(headerOf(request, name)).toBe(request.headers[name])
        },
      ),
      { numRuns: 1000 },
    )
  })
})
