// metis-app/auth alone: verify bearer JWTs (PIP) and require an activity (PDP).
import middy from '@middy/core'
import { type AuthContext, activity, pdp, pip, tokenRequired } from 'metis-app/auth'
import { responder } from 'metis-app/response'

/** Builds the handler for an issuer (read from the environment in a real service). */
export const createHandler = (trust: { issuer: string; audience: string; jwksUri: string }) =>
  middy()
    .use(responder({ logger: false }))
    .use(pip(trust))
    .use(pdp(tokenRequired(), activity('orders:order:read')))
    .handler(async (_event: unknown, context: AuthContext) => ({
      caller: context.auth.claims?.sub,
    }))
