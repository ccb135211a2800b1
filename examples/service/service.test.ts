/**
 * End to end over real HTTP: the example service on the local server, its identity provider and
 * its downstream API all started here on 127.0.0.1, exactly as `npm start` runs them.
 */
import ky from 'ky'
import { invoke } from 'metis-app/local'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadEvent } from '../../tests/support/events.ts'
import { createHandler } from './handler.ts'
import { activitiesFor, type ExampleStack, instructions, startExample } from './start.ts'

let stack: ExampleStack
let http: typeof ky

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT'
  process.env.POWERTOOLS_METRICS_DISABLED = 'true'
  stack = await startExample({ port: 0 })
  http = ky.create({ prefix: stack.orders.url, throwHttpErrors: false, retry: 0, timeout: 10_000 })
})

afterAll(async () => {
  await stack.stop()
})

describe('the example service over real HTTP', () => {
  it('answers an allowed route, calling the inventory API with its own token', async () => {
    const response = await http.get('orders/42', {
      headers: { authorization: `Bearer ${await stack.readerToken()}` },
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ id: '42', inStock: true, available: 7 })
  })

  it('forbids a route whose activity the token lacks, and allows it with one that has it', async () => {
    const order = { json: { sku: '42' } }
    const forbidden = await http.post('orders', {
      ...order,
      headers: { authorization: `Bearer ${await stack.readerToken()}` },
    })
    expect(forbidden.status).toBe(403)
    expect(forbidden.headers.get('www-authenticate')).toContain('insufficient_scope')
    const allowed = await http.post('orders', {
      ...order,
      headers: { authorization: `Bearer ${await stack.writerToken()}` },
    })
    expect(allowed.status).toBe(201)
    expect(allowed.headers.get('location')).toMatch(/^\/orders\/\d+$/)
  })

  it('answers 401 without a token, 404 for an unknown path and 405 for a wrong method', async () => {
    const unauthenticated = await http.get('orders/42')
    expect(unauthenticated.status).toBe(401)
    expect(unauthenticated.headers.get('www-authenticate')).toMatch(/^Bearer/)
    const missing = await http.get('nothing-here')
    expect(missing.status).toBe(404)
    expect(missing.headers.get('content-type')).toBe('application/problem+json')
    const wrongMethod = await http.delete('orders/42')
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD')
  })

  it('answers a tampered token with 401 and never runs the route', async () => {
    const token = await stack.readerToken()
    const tampered = `${token.slice(0, -4)}AAAA`
    const response = await http.get('orders/42', {
      headers: { authorization: `Bearer ${tampered}` },
    })
    expect(response.status).toBe(401)
  })

  it('serves the health route without a token', async () => {
    expect(await (await http.get('health')).json()).toEqual({ status: 'ok' })
  })
})

describe('the example service on record events', () => {
  it('routes an S3 event by the bucket name through invoke, and fails on an unknown bucket', async () => {
    const handler = createHandler()
    const event = loadEvent<{ Records: { s3: { bucket: { name: string } } }[] }>('s3/base')
    const record = event.Records[0]
    if (record === undefined) throw new Error('no record')
    record.s3.bucket.name = 'uploads.dev.example.io'
    // A record batch without partial-batch reporting answers nothing when every record succeeds.
    await expect(invoke(handler, event)).resolves.toBeUndefined()
    record.s3.bucket.name = 'elsewhere'
    await expect(invoke(handler, event)).rejects.toThrow(/elsewhere/)
  })
})

describe('what npm start prints', () => {
  it('names the URL and gives the allowed, forbidden and unauthenticated commands', () => {
    const text = instructions('http://127.0.0.1:3000', 'READER', 'WRITER')
    expect(text).toContain('http://127.0.0.1:3000/orders/42')
    expect(text).toContain("authorization: Bearer READER'")
    expect(text).toContain('forbidden (403)')
    expect(text).toContain('unauthenticated (401)')
  })

  it('maps granted scopes to activities', () => {
    expect(activitiesFor('orders:read orders:write')).toEqual([
      'orders:order:read',
      'orders:order:create',
    ])
    expect(activitiesFor(undefined)).toEqual([])
  })
})
