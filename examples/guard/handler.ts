// metis-app/guard alone: the handler runs only when its configuration is there.
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import { allOf, envEstablished, handlerGuard, withinTimeBudget } from 'metis-app/guard'

export const handler = middy()
  .use(httpErrorHandler({ logger: false }))
  .use(handlerGuard(allOf(envEstablished(['TABLE_NAME']), withinTimeBudget(1_000))))
  .handler(async () => ({ statusCode: 200, body: `using ${process.env.TABLE_NAME}` }))
