import middy from '@middy/core'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import {
  activity,
  custom,
  type Policy,
  pdp,
  pip,
  scope,
  tokenRequired,
} from '../../src/auth/index.ts'
import { responder } from '../../src/response/index.ts'
import { router } from '../../src/router/index.ts'
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
  it('applies each route policies after the global ones, before the route handler', async () => {
    const list = vi.fn(() => ['order-1'])
    const remove = vi.fn(() => ({ deleted: true }))
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
          options: { policies: [scope('orders:admin')] },
        },
      ],
    })
    const handler = middy()
      .use(responder())
      .use(app.middleware())
      .use(trustedPip())
      .use(pdp(tokenRequired()))
      .handler(app)

    const listed = (await handler(
      routedEvent('GET', '/orders', reader),
      lambdaContext() as never,
    )) as {
      statusCode: number
    }
    expect(listed.statusCode).toBe(200)
    expect(list).toHaveBeenCalledTimes(1)

    const forbidden = (await handler(
      routedEvent('DELETE', '/orders/1', reader),
      lambdaContext() as never,
    )) as {
      statusCode: number
      headers: Record<string, string>
    }
    expect(forbidden.statusCode).toBe(403)
    expect(
      forbidden.headers['WWW-Authenticate'] ?? forbidden.headers['www-authenticate'],
    ).toContain('insufficient_scope')
    expect(remove).not.toHaveBeenCalled()

    const anonymous = (await handler(routedEvent('GET', '/orders'), lambdaContext() as never)) as {
      statusCode: number
    }
    expect(anonymous.statusCode).toBe(401)
    expect(list).toHaveBeenCalledTimes(1)
  })
})

describe('route policies that no pdp() evaluated', () => {
  const remove = vi.fn(() => ({ deleted: true }))
  const app = router({
    http: [
      {
        method: 'DELETE',
        path: '/orders/{id}',
        handler: remove,
        options: { policies: [activity('orders:order:delete')] },
      },
    ],
  })

  it.each([
    [
      'pdp() stacked before the router middleware',
      () =>
        middy()
          .use(responder({ logger: false }))
          .use(trustedPip())
          .use(pdp())
          .use(app.middleware())
          .handler(app),
    ],
    [
      'no pdp() at all',
      () =>
        middy()
          .use(responder({ logger: false }))
          .use(app.middleware())
          .use(trustedPip())
          .handler(app),
    ],
    [
      'no router middleware',
      () =>
        middy()
          .use(responder({ logger: false }))
          .use(trustedPip())
          .use(pdp())
          .handler(app),
    ],
  ])('answer 500 and never run the route: %s', async (_case, stack) => {
    const response = (await stack()(
      routedEvent('DELETE', '/orders/1'),
      lambdaContext() as never,
    )) as {
      statusCode: number
    }
    expect(response.statusCode).toBe(500)
    expect(remove).not.toHaveBeenCalled()
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
