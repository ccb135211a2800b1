/**
 * The end-to-end suite's app: what a user of metis-app writes in their own project, installed
 * from the packed tarball. It is copied into a fresh directory, type-checked strictly, bundled
 * with the README's recipe and run under AWS's runtime interface client.
 */
import middy from '@middy/core'
import type { AuthContext } from 'metis-app/auth'
import type { CircuitBreaker } from 'metis-app/circuit'
import { requireEnv } from 'metis-app/guard'
import { type ObserverContext, observer } from 'metis-app/observer'
import { requestBuilder } from 'metis-app/request'
import { created, responder } from 'metis-app/response'
import { router } from 'metis-app/router'
import type { SelfTokenContext } from 'metis-app/self-token'

// Read at start: without it the function's init fails with one line that names it.
const { GREETING } = requireEnv(['GREETING'])

/** The record of the SQS sample that this app cannot process. */
const POISON_BODY = 'Test message.'

/**
 * Never called: these bring the types of the auth, circuit and self-token parts into the check
 * (their code is bundled by `inventory.ts` and the README's Quick start).
 */
export const describeCaller = (context: AuthContext & SelfTokenContext): string =>
  context.auth.valid ? 'authenticated' : 'anonymous'
export const isOpen = async (breaker: CircuitBreaker): Promise<boolean> =>
  (await breaker.snapshot()).state === 'open'

const app = router<ObserverContext>(
  {
    http: [
      { method: 'GET', path: '/hello', handler: () => ({ message: GREETING }) },
      {
        method: 'GET',
        path: '/boom',
        handler: () => {
          throw new Error('boom')
        },
      },
      {
        method: 'POST',
        path: '/orders',
        handler: (request) => created({ order: request.json }, '/orders/1'),
      },
    ],
    sqs: {
      'my-queue': (record) => {
        if (record.body === POISON_BODY) throw new Error('unprocessable message body')
      },
    },
    s3: {
      'lambda-artifacts-deafc19498e3f2df': (object, context) => {
        context.observer.logger.debug('stored', { key: object.key })
      },
    },
  },
  { partialBatch: true },
)

export const handler = middy()
  .use(observer({ serviceName: 'metis-e2e' }))
  .use(responder())
  .use(requestBuilder())
  .handler(app)
