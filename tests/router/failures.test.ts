/**
 * Who logs a failure the router answered: the observer's end line when `observer()` is stacked
 * (tests/observer/observer.test.ts), else the router itself, once, for a 5xx or a failed record.
 */
import { router } from 'metis-app/router'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { lambdaContext, loadEvent, restGet } from '../support/events.ts'
import { spyLogger } from '../support/logger.ts'

const boom = new Error('boom')
const app = (options: Parameters<typeof router>[1] = {}) =>
  router(
    {
      http: [{ method: 'GET', path: '/boom', handler: () => Promise.reject(boom) }],
      sqs: { '*': () => Promise.reject(boom) },
    },
    { partialBatch: true, ...options },
  )

describe('the router without an observer', () => {
  const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined)
  afterEach(() => printed.mockClear())

  it('prints a route that throws once, and a 4xx not at all', async () => {
    expect(await app()(restGet('/boom'), lambdaContext() as never)).toMatchObject({
      statusCode: 500,
    })
    expect(printed.mock.calls).toEqual([['request failed', boom]])
    expect(await app()(restGet('/none'), lambdaContext() as never)).toMatchObject({
      statusCode: 404,
    })
    expect(printed).toHaveBeenCalledTimes(1)
  })

  it('prints each failed record', async () => {
    const event = loadEvent('sqs/base') as { Records: unknown[] }
    const answer = (await app()(event, lambdaContext() as never)) as { batchItemFailures: [] }
    expect(answer.batchItemFailures).toHaveLength(event.Records.length)
    expect(printed).toHaveBeenCalledTimes(event.Records.length)
  })

  it('leaves the failure to the observer on the context, unless given its own logger', async () => {
    const observed = () => ({ ...lambdaContext(), observer: {} }) as never
    await app()(restGet('/boom'), observed())
    expect(printed).not.toHaveBeenCalled()
    const logger = spyLogger()
    await app({ logger })(restGet('/boom'), observed())
    expect(logger.error.mock.calls).toEqual([['request failed', boom]])
    await app({ logger: false })(restGet('/boom'), lambdaContext() as never)
    expect(printed).not.toHaveBeenCalled()
  })
})
