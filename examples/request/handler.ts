// metis-app/request alone: one typed request from any Lambda event.
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import { type RequestContext, requestBuilder } from 'metis-app/request'

export const handler = middy()
  .use(httpErrorHandler())
  .use(requestBuilder({ jsonBody: 'auto' }))
  .handler(async (_event: unknown, { request }: RequestContext) => {
    if (request.kind === 'http')
      return { statusCode: 200, body: `${request.method} ${request.path}` }
    if (request.kind === 's3') return request.records.map((object) => object.key)
    return request.kind
  })
