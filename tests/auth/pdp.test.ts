import middy, { type MiddlewareObj } from '@middy/core'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  type AuthContext,
  activity,
  allOf,
  anyOf,
  custom,
  type PipOptions,
  type Policy,
  pdp,
  pip,
  scope,
  tokenRequired,
} from '../../src/auth/index.ts'
import { ForbiddenError } from '../../src/errors/index.ts'
import { err, ok } from '../../src/result/index.ts'
import {
  AUDIENCE,
  bearerEvent,
  claimsAt,
  httpEvent,
  ISSUER,
  lambdaContext,
  makeKey,
  runStack,
  sign,
  type TestKey,
} from './support.ts'

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0)
let key: TestKey
let granted: string

beforeAll(async () => {
  key = await makeKey('EdDSA')
  granted = await sign(
    key,
    claimsAt(NOW / 1000, {
      scope: 'orders:read orders:write',
      activities: ['orders:order:*', 'billing:invoice:read'],
    }),
  )
})

const local = (extra: Partial<PipOptions> = {}) =>
  pip({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: { keys: [key.publicJwk] },
    now: () => NOW,
    ...extra,
  })

const decide = (policies: Policy[], token = granted, extra: Partial<PipOptions> = {}) =>
  runStack([local(extra), pdp(...policies)], bearerEvent(token))

const withRoute = (policies: readonly Policy[]): MiddlewareObj => ({
  before: (request) => {
    ;(request.context as unknown as Record<string, unknown>).route = {
      key: '/orders',
      params: {},
      options: { policies },
    }
  },
})

describe('pdp()', () => {
  it('runs the handler when every policy allows', async () => {
    const run = await decide([
      tokenRequired(),
      scope('orders:read'),
      activity('orders:order:create'),
    ])
    expect(run.handlerRan).toBe(true)
  })

  it('answers 403 insufficient_scope with a challenge for a missing activity', async () => {
    const run = await decide([activity('orders:refund:create')])
    expect(run.handlerRan).toBe(false)
    expect(run.response.statusCode).toBe(403)
    expect(run.response.headers['WWW-Authenticate']).toBe(
      'Bearer error="insufficient_scope", error_description="The activity orders:refund:create is not granted"',
    )
  })

  it('answers 401 rather than 403 when an activity or scope policy finds no valid token', async () => {
    for (const policy of [activity('orders:order:read'), scope('orders:read')]) {
      const run = await runStack([local(), pdp(policy)], httpEvent())
      expect(run.handlerRan).toBe(false)
      expect(run.response.statusCode).toBe(401)
    }
  })

  it('does not let a narrower granted activity meet a broader required one', async () => {
    const own = await sign(
      key,
      claimsAt(NOW / 1000, { activities: ['orders:order:delete:own', 'orders:invoice:read:*'] }),
    )
    const broad = await decide([activity('orders:order:delete')], own)
    expect(broad.handlerRan).toBe(false)
    expect(broad.response.statusCode).toBe(403)
    expect((await decide([activity('orders:order:delete:own')], own)).handlerRan).toBe(true)
    expect((await decide([activity('orders:invoice:read')], own)).handlerRan).toBe(true)
  })

  it('filters granted activities by namespace', async () => {
    expect(
      (await decide([activity('billing:invoice:read', { namespace: 'billing' })])).handlerRan,
    ).toBe(true)
    expect(
      (await decide([activity('billing:invoice:read', { namespace: 'orders' })])).handlerRan,
    ).toBe(false)
  })

  it('evaluates its own policies only: a route declares its policies to the router, which runs them', async () => {
    const allowed = await runStack(
      [local(), withRoute([scope('admin')]), pdp(tokenRequired(), scope('orders:read'))],
      bearerEvent(granted),
    )
    expect(allowed.handlerRan).toBe(true)
    const denied = await runStack([local(), pdp(scope('admin'))], bearerEvent(granted))
    expect(denied.handlerRan).toBe(false)
    expect(denied.response.statusCode).toBe(403)
    expect(denied.response.headers['WWW-Authenticate']).toContain('scope="admin"')
  })

  it('keeps going through asynchronous policies to the first denial', async () => {
    const slowYes = custom('slow-yes', async () => true)
    const denied = await runStack(
      [local(), pdp(slowYes, scope('orders:read'), slowYes, scope('admin'), scope('root'))],
      bearerEvent(granted),
    )
    expect(denied.handlerRan).toBe(false)
    expect(denied.response.headers['WWW-Authenticate']).toContain('scope="admin"')
    const allowed = await runStack([local(), pdp(slowYes, slowYes)], bearerEvent(granted))
    expect(allowed.handlerRan).toBe(true)
  })

  it('is a 500 configuration error that says to stack pip() first when no PIP ran', async () => {
    let handlerRan = false
    const handler = middy()
      .use(pdp(tokenRequired()))
      .handler(async () => {
        handlerRan = true
      })
    await expect(handler(bearerEvent(granted), lambdaContext() as never)).rejects.toMatchObject({
      statusCode: 500,
      code: 'MIDDLEWARE_ORDER',
      message: 'pdp() needs the PIP outcome on context.auth: stack pip() before it',
    })
    expect(handlerRan).toBe(false)
  })

  it('lets a denial flow through onError', async () => {
    const seen: unknown[] = []
    const handler = middy()
      .use({ onError: (request) => void seen.push(request.error) })
      .use(local())
      .use(pdp(scope('admin')))
      .handler(async () => 'ran')
    await expect(handler(bearerEvent(granted), lambdaContext() as never)).rejects.toBeInstanceOf(
      ForbiddenError,
    )
    expect(seen).toHaveLength(1)
  })

  it('adds the realm to the challenge and escapes quotes', async () => {
    const run = await runStack([local({ realm: 'shop "eu"' }), pdp(tokenRequired())], httpEvent())
    expect(run.response.headers['WWW-Authenticate']).toBe('Bearer realm="shop \\"eu\\""')
  })
})

describe('policy composition', () => {
  it('custom() allows on true, denies 403 POLICY_DENIED on false, and passes a Result through', async () => {
    expect((await decide([custom('yes', () => true)])).handlerRan).toBe(true)
    const no = await decide([custom('tenant', async (auth) => auth.claims?.tenant === 'acme')])
    expect(no.response.statusCode).toBe(403)
    expect(no.response.body).toBe('Denied by policy tenant')
    const teapot = await decide([custom('teapot', () => err(new ForbiddenError('no tea')))])
    expect(teapot.response.body).toBe('no tea')
    expect((await decide([custom('ok', () => ok(undefined))])).handlerRan).toBe(true)
  })

  it('allOf() answers the first denial, anyOf() the first allowance', async () => {
    const both = await decide([allOf(scope('orders:read'), scope('admin'), scope('root'))])
    expect(both.response.headers['WWW-Authenticate']).toContain('scope="admin"')
    expect((await decide([allOf(scope('orders:read'), scope('orders:write'))])).handlerRan).toBe(
      true,
    )
    expect((await decide([anyOf(scope('admin'), scope('orders:read'))])).handlerRan).toBe(true)
    const none = await decide([anyOf(scope('admin'), scope('root'))])
    expect(none.response.headers['WWW-Authenticate']).toContain('scope="admin"')
    expect((await decide([anyOf()])).response.statusCode).toBe(403)
  })

  it('anyOf() answers synchronously for synchronous policies, and waits for asynchronous ones', async () => {
    const deny = (name: string): Policy<object> => ({
      name,
      evaluate: () => err(new ForbiddenError(name)),
    })
    const later = (policy: Policy<object>): Policy<object> => ({
      name: `later(${policy.name})`,
      evaluate: (context) => Promise.resolve(policy.evaluate(context)),
    })
    const allow: Policy<object> = { name: 'allow', evaluate: () => ok(undefined) }
    expect(anyOf<object>(deny('a'), allow).evaluate({})).toEqual(ok(undefined))
    expect(await anyOf<object>(later(deny('a')), later(allow)).evaluate({})).toEqual(ok(undefined))
    const denied = await anyOf<object>(later(deny('first')), deny('second')).evaluate({})
    expect(denied.ok === false && denied.error.message).toBe('first')
  })

  it('names composed policies after their parts', () => {
    expect(allOf(scope('a'), activity('s:r:a')).name).toBe('allOf(scope(a), activity(s:r:a))')
    expect(anyOf(tokenRequired()).name).toBe('anyOf(token-required)')
  })

  it('allOf() of no policies allows, and stops at the first denial', async () => {
    expect(await allOf<object>().evaluate({})).toEqual(ok(undefined))
    const first: Policy<object> = {
      name: 'first',
      evaluate: () => err(new ForbiddenError('first')),
    }
    const denial = await allOf<AuthContext>(first, tokenRequired()).evaluate({} as AuthContext)
    expect(denial.ok === false && denial.error.message).toBe('first')
  })
})
