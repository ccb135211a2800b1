import middy from '@middy/core'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { activity, custom, type Policy, pdp, pip, scope } from '../../src/auth/index.ts'
import { responder } from '../../src/response/index.ts'
import { router } from '../../src/router/index.ts'
import { spyLogger } from '../support/logger.ts'
import {
  AUDIENCE,
  claimsAt,
  httpEvent,
  ISSUER,
  lambdaContext,
  makeKey,
  sign,
  type TestKey,
} from './support.ts'

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0)
let key: TestKey
let reader: string

beforeAll(async () => {
  key = await makeKey('ES256')
  reader = await sign(
    key,
    claimsAt(NOW / 1000, { scope: 'orders:read', activities: ['orders:order:read'] }),
  )
})

const routedEvent = (method: string, path: string, token?: string) =>
  httpEvent(token === undefined ? {} : { authorization: `Bearer ${token}` }, {
    routeKey: `${method} ${path}`,
    rawPath: path,
    requestContext: {
      ...((httpEvent() as Record<string, unknown>).requestContext as object),
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '1.2.3.4' },
    },
  })

/** The PIP of these tests: the test key, at the fixed time. */
const trustedPip = () =>
  pip({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [key.publicJwk] }, now: () => NOW })

describe('route policies with metis-app/router', () => {
  it('are run by the router, after the PIP and before validation and the route handler', async () => {
    const list = vi.fn(() => ['order-1'])
    const remove = vi.fn(() => ({ deleted: true }))
    const validate = vi.fn(() => ({ value: {} }))
    const app = router({
      http: [
        {
          method: 'GET',
          path: '/orders',
          handler: list,
          options: { policies: [activity('orders:order:read')] },
        },
        {
          method: 'DELETE',
          path: '/orders/{id}',
          handler: remove,
          options: {
            policies: [custom('slow-yes', async () => true), scope('orders:admin')],
            validate: {
              params: { '~standard': { version: 1, vendor: 'test', validate } },
            },
          },
        },
      ],
    })
    const handler = middy().use(responder()).use(trustedPip()).handler(app)

    const listed = (await handler(
      routedEvent('GET', '/orders', reader),
      lambdaContext() as never,
    )) as { statusCode: number }
    expect(listed.statusCode).toBe(200)
    expect(list).toHaveBeenCalledTimes(1)

    const forbidden = (await handler(
      routedEvent('DELETE', '/orders/1', reader),
      lambdaContext() as never,
    )) as { statusCode: number; headers: Record<string, string> }
    expect(forbidden.statusCode).toBe(403)
    expect(forbidden.headers['WWW-Authenticate']).toContain('insufficient_scope')
    expect(remove).not.toHaveBeenCalled()
    expect(validate).not.toHaveBeenCalled()

    const anonymous = (await handler(routedEvent('GET', '/orders'), lambdaContext() as never)) as {
      statusCode: number
    }
    expect(anonymous.statusCode).toBe(401)
    expect(list).toHaveBeenCalledTimes(1)
  })

  it('come after the global policies of a pdp() stacked for every route', async () => {
    const list = vi.fn(() => ['order-1'])
    const app = router({
      http: [
        {
          method: 'GET',
          path: '/orders',
          handler: list,
          options: { policies: [scope('orders:read')] },
        },
      ],
    })
    const handler = middy()
      .use(responder())
      .use(trustedPip())
      .use(pdp(activity('orders:order:write')))
      .handler(app)
    const denied = (await handler(
      routedEvent('GET', '/orders', reader),
      lambdaContext() as never,
    )) as { statusCode: number; body: string }
    expect(denied.statusCode).toBe(403)
    expect(JSON.parse(denied.body).detail).toContain('orders:order:write')
    expect(list).not.toHaveBeenCalled()
  })
})

describe('route policies without pip() in the stack', () => {
  it('answer 500 MIDDLEWARE_ORDER and never run the route (the types refuse this stack too)', async () => {
    const remove = vi.fn(() => ({ deleted: true }))
    const logged: unknown[] = []
    const app = router(
      {
        http: [
          {
            method: 'DELETE',
            path: '/orders/{id}',
            handler: remove,
            options: { policies: [activity('orders:order:delete')] },
          },
        ],
      },
      {
        logger: { ...spyLogger(), error: (_message: string, error: unknown) => logged.push(error) },
      },
    )
    // Cast: the compiler refuses this stack, which is the point; the router must refuse it too.
    const unchecked = app as unknown as (event: unknown, context: unknown) => unknown
    const handler = middy()
      .use(responder({ logger: false }))
      .handler(unchecked)
    const response = (await handler(
      routedEvent('DELETE', '/orders/1', reader),
      lambdaContext() as never,
    )) as { statusCode: number; body: string }
    expect(response.statusCode).toBe(500)
    expect(remove).not.toHaveBeenCalled()
    // The body of a 500 shows nothing internal; the log line names the fix.
    expect(response.body).not.toContain('pip()')
    expect(logged).toMatchObject([{ code: 'MIDDLEWARE_ORDER' }])
    expect(String((logged[0] as Error).message)).toContain('stack pip() before it')
  })
})

describe('custom policies', () => {
  const run = async (policy: Policy, token?: string) => {
    const handler = middy()
      .use(responder({ logger: false }))
      .use(trustedPip())
      .use(pdp(policy))
      .handler(() => ({ ran: true }))
    return (
      (await handler(routedEvent('GET', '/x', token), lambdaContext() as never)) as {
        statusCode: number
      }
    ).statusCode
  }

  it('answer a request without a valid token as tokenRequired() before the predicate runs', async () => {
    const predicate = vi.fn(() => true)
    expect(await run(custom('anything', predicate))).toBe(401)
    expect(predicate).not.toHaveBeenCalled()
    expect(await run(custom('anything', predicate), reader)).toBe(200)
  })

  it('let the predicate decide for anonymous requests only when allowed explicitly', async () => {
    expect(await run(custom('open', () => true, { allowAnonymous: true }))).toBe(200)
  })

  it('deny when the predicate returns anything but true or a Result', async () => {
    const sloppy = (() => 'yes') as unknown as () => boolean
    expect(await run(custom('sloppy', sloppy), reader)).toBe(403)
    expect(
      await run(
        custom('no', () => false),
        reader,
      ),
    ).toBe(403)
  })
})
