/**
 * What every answer to an HTTP event must look like, whatever the input: the response of one of
 * Lambda's HTTP integrations, with no internals in it.
 */
import { expect } from 'vitest'

const isStringRecord = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((v) => typeof v === 'string')

const isStringListRecord = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((v) => Array.isArray(v) && v.every((s) => typeof s === 'string'))

/**
 * Checks a response to an HTTP event: an integer status in 100-599, a string body (absent only
 * where HTTP API v2 allows it), headers of strings, multi-value headers and cookies of strings, and
 * no stack trace in the body.
 */
export const expectHttpResponse = (response: unknown): void => {
  expect(typeof response).toBe('object')
  const r = response as Record<string, unknown>
  expect(Number.isInteger(r.statusCode)).toBe(true)
  expect(r.statusCode).toBeGreaterThanOrEqual(100)
  expect(r.statusCode).toBeLessThanOrEqual(599)
  if (r.body !== undefined) expect(typeof r.body).toBe('string')
  if (r.headers !== undefined) expect(isStringRecord(r.headers)).toBe(true)
  if (r.multiValueHeaders !== undefined) expect(isStringListRecord(r.multiValueHeaders)).toBe(true)
  if (r.cookies !== undefined) {
    expect(Array.isArray(r.cookies)).toBe(true)
    expect((r.cookies as unknown[]).every((c) => typeof c === 'string')).toBe(true)
  }
  if (r.isBase64Encoded !== undefined) expect(typeof r.isBase64Encoded).toBe('boolean')
  if (typeof r.body === 'string') expect(r.body).not.toMatch(/\n\s+at .+:\d+:\d+/)
}
