import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import type { Context } from 'aws-lambda'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  type AuthContext,
  type AuthInfo,
  activity,
  type PipOptions,
  pdp,
  pip,
  resetAuthCaches,
  tokenRequired,
} from '../../src/auth/index.ts'
import {
  AUDIENCE,
  bearerEvent,
  claimsAt,
  deadUrl,
  ISSUER,
  lambdaContext,
  makeKey,
  runStack,
  sign,
  startJsonServer,
  type TestKey,
} from './support.ts'

const START = Date.UTC(2026, 0, 15, 12, 0, 0)
let now = START
let key: TestKey
let token: string
let answer: { status: number; body: string }
let seenAuthorization: string | undefined
let userinfo: Awaited<ReturnType<typeof startJsonServer>>

beforeAll(async () => {
  key = await makeKey('PS256')
  token = await sign(key, claimsAt(START / 1000, { sub: 'user-1' }))
  userinfo = await startJsonServer((authorization) => {
    seenAuthorization = authorization
    return answer
  })
})
afterAll(() => userinfo.stop())
afterEach(() => {
  resetAuthCaches()
  now = START
})

const ok = (subject: Record<string, unknown>) => ({ status: 200, body: JSON.stringify(subject) })

const local = (extra: Partial<PipOptions> = {}) =>
  pip({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: { keys: [key.publicJwk] },
    now: () => now,
    userinfo: { url: userinfo.url, retryDelayMs: 1 },
    ...extra,
  })

const subjectOf = async (middleware: ReturnType<typeof pip>, bearer = token) =>
  ((await runStack([middleware], bearerEvent(bearer))).context.auth as AuthInfo).subject

describe('userinfo', () => {
  it('looks the subject up with the bearer token and takes activities from it', async () => {
    answer = ok({ sub: 'user-1', activities: 'orders:order:read orders:order:create' })
    const run = await runStack([local(), pdp(activity('orders:order:create'))], bearerEvent(token))
    expect(run.handlerRan).toBe(true)
    expect(seenAuthorization).toBe(`Bearer ${token}`)
    const auth = run.context.auth as AuthInfo
    expect(auth.subject).toMatchObject({
      status: 'available',
      subject: { sub: 'user-1' },
      fromCache: false,
    })
    expect(auth.activities()).toEqual(['orders:order:read', 'orders:order:create'])
  })

  it('caches the answer per token until the TTL, then asks again', async () => {
    answer = ok({ sub: 'user-1' })
    const middleware = local({ userinfoTtlMs: 1000 })
    const before = userinfo.requests()
    await subjectOf(middleware)
    expect(await subjectOf(middleware)).toMatchObject({ status: 'available', fromCache: true })
    expect(userinfo.requests()).toBe(before + 1)
    now = START + 1500
    expect(await subjectOf(middleware)).toMatchObject({ status: 'available', fromCache: false })
    expect(userinfo.requests()).toBe(before + 2)
  })

  it('hands the cached answer out frozen: a handler cannot grant the next request an activity', async () => {
    answer = ok({
      sub: 'user-1',
      activities: ['orders:order:read'],
      profile: { roles: ['reader'] },
    })
    const middleware = local()
    const thrown: unknown[] = []
    const attempt = (change: () => unknown) => {
      try {
        change()
      } catch (error) {
        thrown.push(error)
      }
    }
    const grabby = middy<unknown, unknown, Error, Context & AuthContext>()
      .use(httpErrorHandler({ logger: false }))
      .use(middleware)
      .handler(async (_event, context) => {
        const { subject } = context.auth
        if (subject.status === 'available') {
          attempt(() => (subject.subject.activities as string[]).push('orders:order:delete'))
          attempt(() => (subject.subject.profile as { roles: string[] }).roles.push('admin'))
        }
        return { statusCode: 200, body: 'ran' }
      })
    await grabby(bearerEvent(token), lambdaContext() as Context & AuthContext)
    const next = await runStack(
      [middleware, pdp(activity('orders:order:delete'))],
      bearerEvent(token),
    )
    expect(next.response.statusCode).toBe(403)
    expect(next.handlerRan).toBe(false)
    const again = await subjectOf(middleware)
    expect(again).toMatchObject({
      status: 'available',
      fromCache: true,
      subject: { activities: ['orders:order:read'], profile: { roles: ['reader'] } },
    })
    expect(thrown).toHaveLength(2)
    expect(thrown.every((error) => error instanceof TypeError)).toBe(true)
  })

  it('freezes a copy of what a userinfo function answers, never the object the function holds', async () => {
    const shared = { sub: 'user-1', activities: ['orders:order:read'] }
    const subject = await subjectOf(local({ userinfo: () => shared }))
    expect(subject.status === 'available' && Object.isFrozen(subject.subject)).toBe(true)
    expect(Object.isFrozen(shared)).toBe(false)
    shared.activities.push('orders:order:create')
    expect(subject.status === 'available' && subject.subject.activities).toEqual([
      'orders:order:read',
    ])
    const unclonable = await subjectOf(local({ userinfo: () => ({ sub: 'user-1', f: () => 1 }) }))
    expect(unclonable).toMatchObject({ status: 'unavailable', reason: 'userinfo-invalid' })
  })

  it('marks the subject unavailable when userinfo is down: tokenRequired allows, activity policies deny', async () => {
    const down = { userinfo: { url: await deadUrl(), retries: 0 } }
    const subject = await subjectOf(local(down))
    expect(subject).toMatchObject({ status: 'unavailable', reason: 'userinfo-failed' })
    expect(
      (await runStack([local(down), pdp(tokenRequired())], bearerEvent(token))).handlerRan,
    ).toBe(true)
    const denied = await runStack(
      [local(down), pdp(activity('orders:order:read'))],
      bearerEvent(token),
    )
    expect(denied.handlerRan).toBe(false)
    expect(denied.response.statusCode).toBe(403)
  })

  it('does not retry a 4xx, retries a 5xx, and never caches a failure', async () => {
    answer = { status: 401, body: '{}' }
    let before = userinfo.requests()
    expect(await subjectOf(local())).toMatchObject({
      status: 'unavailable',
      reason: 'userinfo-failed',
    })
    expect(userinfo.requests()).toBe(before + 1)
    answer = { status: 503, body: '{}' }
    before = userinfo.requests()
    expect(await subjectOf(local())).toMatchObject({ status: 'unavailable' })
    expect(userinfo.requests()).toBe(before + 2)
    answer = ok({ sub: 'user-1' })
    expect(await subjectOf(local())).toMatchObject({ status: 'available' })
  })

  it('refuses an answer that is not an object or names another subject', async () => {
    answer = ok({ sub: 'someone-else' })
    expect(await subjectOf(local())).toMatchObject({
      status: 'unavailable',
      reason: 'userinfo-invalid',
    })
    answer = { status: 200, body: '["a"]' }
    expect(await subjectOf(local())).toMatchObject({
      status: 'unavailable',
      reason: 'userinfo-invalid',
    })
    answer = { status: 200, body: '<html>' }
    expect(await subjectOf(local())).toMatchObject({
      status: 'unavailable',
      reason: 'userinfo-failed',
    })
  })

  it('gives up after the timeout', async () => {
    const silent = createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/userinfo`
    try {
      const subject = await subjectOf(local({ userinfo: { url, timeoutMs: 50, retries: 0 } }))
      expect(subject).toMatchObject({ status: 'unavailable', reason: 'userinfo-failed' })
    } finally {
      silent.closeAllConnections()
      await new Promise<void>((resolve) => silent.close(() => resolve()))
    }
  })

  it('calls a user function instead of an endpoint, and a URL string works as well', async () => {
    const fromFunction = await subjectOf(
      local({ userinfo: (_t, claims) => ({ sub: claims.sub, name: 'Ada' }) }),
    )
    expect(fromFunction).toMatchObject({ status: 'available', subject: { name: 'Ada' } })
    const failing = await subjectOf(local({ userinfo: () => Promise.reject(new Error('db down')) }))
    expect(failing).toMatchObject({ status: 'unavailable', reason: 'userinfo-failed' })
    answer = ok({ name: 'Grace' })
    expect(await subjectOf(local({ userinfo: userinfo.url }))).toMatchObject({
      subject: { name: 'Grace' },
    })
  })

  it('does not look up a subject without a verified token, nor when not configured', async () => {
    expect(await subjectOf(local(), 'not.a.token')).toEqual({
      status: 'not-requested',
      reason: 'no-token',
    })
    expect(await subjectOf(local({ userinfo: undefined }))).toEqual({
      status: 'not-requested',
      reason: 'not-configured',
    })
  })

  it('takes activities from the token when told so even with userinfo', async () => {
    const withActivities = await sign(
      key,
      claimsAt(START / 1000, { sub: 'user-1', activities: ['a:b:c'] }),
    )
    answer = ok({ sub: 'user-1', activities: ['x:y:z'] })
    const run = await runStack([local({ activitiesFrom: 'token' })], bearerEvent(withActivities))
    expect((run.context.auth as AuthInfo).activities()).toEqual(['a:b:c'])
  })
})
