/**
 * Types carry the stack (issue 20): a router's context type is what its routes need, and
 * `middy().use(...).handler(app)` compiles only when the stacked middlewares put that on the
 * context. Each rejected stack is pinned with `@ts-expect-error`, which fails the type check if the
 * stack ever compiles.
 */
import middy from '@middy/core'
import { describe, expectTypeOf, it } from 'vitest'
import {
  type AuthContext,
  activity,
  custom,
  pip,
  scope,
  tokenRequired,
} from '../../src/auth/index.ts'
import { type ObserverContext, observer } from '../../src/observer/index.ts'
import { responder } from '../../src/response/index.ts'
import { type RouteCheck, router } from '../../src/router/index.ts'
import { type SelfTokenContext, selfToken } from '../../src/self-token/index.ts'

const pipOptions = {
  issuer: 'https://idp.example',
  audience: 'orders',
  jwksUri: 'https://idp.example/jwks',
}
const tokenOptions = {
  tokenEndpoint: 'https://idp.example/token',
  clientId: 'orders',
  clientSecret: 's',
}

describe('a router in a Middy stack', () => {
  it('accepts a stack that provides what the routes need', () => {
    const app = router<AuthContext & ObserverContext & SelfTokenContext>({
      http: [
        {
          method: 'GET',
          path: '/orders/{id}',
          options: { policies: [activity('orders:order:read')] },
          handler: async (request, { selfToken: token, observer: obs, auth }) => {
            expectTypeOf(auth.subject.status).toBeString()
            obs.logger.info('read', { id: request.params.id })
            return { id: request.params.id, token: await token.get() }
          },
        },
      ],
    })
    middy()
      .use(observer({ serviceName: 'orders' }))
      .use(responder())
      .use(pip(pipOptions))
      .use(selfToken(tokenOptions))
      .handler(app)
  })

  it('infers what the routes need from their checks', () => {
    const app = router({
      http: [
        {
          method: 'GET',
          path: '/orders',
          options: { policies: [scope('orders:read')] },
          handler: (_request, context) => context.auth.claims,
        },
      ],
    })
    middy().use(pip(pipOptions)).handler(app)
    // @ts-expect-error the routes' checks need context.auth: pip() is not stacked
    middy().use(responder()).handler(app)
  })

  it('refuses a stack without the self token a route handler reads', () => {
    const app = router<SelfTokenContext>({
      http: [
        { method: 'GET', path: '/stock', handler: (_request, { selfToken: token }) => token.get() },
      ],
    })
    middy().use(selfToken(tokenOptions)).handler(app)
    const observed = middy().use(observer({ serviceName: 'orders' }))
    // @ts-expect-error the route handler needs context.selfToken
    observed.handler(app)
  })

  it('refuses a stack without the observer a record route logs with', () => {
    const app = router<ObserverContext>({
      s3: {
        uploads: (object, { observer: obs }) => obs.logger.info('upload', { key: object.key }),
      },
    })
    middy()
      .use(observer({ serviceName: 'orders' }))
      .handler(app)
    // @ts-expect-error the record route needs context.observer
    middy().use(responder()).handler(app)
  })

  it('refuses a check that needs context.auth on a router whose context lacks it', () => {
    router<ObserverContext>({
      http: [
        {
          method: 'GET',
          path: '/a',
          // @ts-expect-error activity() reads context.auth, which ObserverContext does not give
          options: { policies: [activity('orders:order:read')] },
          handler: () => 'a',
        },
      ],
    })
  })

  it("takes any check of the right context shape, yours or the auth part's", () => {
    const open: RouteCheck = { name: 'open', evaluate: () => ({ ok: true, value: undefined }) }
    const sameTenant = custom('same-tenant', (auth) => auth.claims?.tenant === 'acme')
    router<AuthContext>({
      http: [
        {
          method: 'GET',
          path: '/a',
          options: { policies: [open, tokenRequired(), sameTenant] },
          handler: () => 'a',
        },
      ],
    })
  })

  it('keeps a router without needs usable on a bare stack', () => {
    const app = router({ http: [{ method: 'GET', path: '/ping', handler: () => 'pong' }] })
    middy().handler(app)
    middy().use(responder()).handler(app)
  })
})
