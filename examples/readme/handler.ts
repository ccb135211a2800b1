/** The function the README's local-server block serves: any Middy or plain handler. */
import middy from '@middy/core'

export const handler = middy().handler(async () => ({ statusCode: 200, body: 'ok' }))
