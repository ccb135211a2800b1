/** The function the docs/local.md example block serves: any Middy or plain handler. */
import middy from '@middy/core'

export const handler = middy().handler(async () => ({ statusCode: 200, body: 'ok' }))
