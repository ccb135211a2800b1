// metis-app/self-token alone: this service's own OAuth2 token, fetched on first use and cached.
import middy from '@middy/core'
import { type SelfTokenContext, type SelfTokenOptions, selfToken } from 'metis-app/self-token'

export const createHandler = (options: SelfTokenOptions) =>
  middy()
    .use(selfToken(options))
    .handler(async (_event: unknown, context: SelfTokenContext) => {
      const token = await context.selfToken.get()
      return {
        expiresAt: token.expiresAt,
        header: (await context.selfToken.authorization()).slice(0, 7),
      }
    })
