// metis-app/router alone: HTTP routes and an SQS queue in one table, partial batch failures on.
import middy from '@middy/core'
import { responder } from 'metis-app/response'
import { router } from 'metis-app/router'

const app = router(
  {
    http: [
      { method: 'GET', path: '/hello/{name}', handler: (req) => ({ hello: req.params.name }) },
    ],
    sqs: {
      'my-queue': (message) => {
        if (message.body.includes('poison')) throw new Error('cannot process')
      },
    },
  },
  { partialBatch: true, logger: false },
)

export const handler = middy()
  .use(responder({ logger: false }))
  .handler(app)
