/**
 * One logger for every part: a Powertools Logger and `console` fit each part's `logger` option;
 * a function (the old responder and router option) or an object of `warn` only does not.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger'
import { circuitBreaker, type Logger } from 'metis-app/circuit'
import { responder } from 'metis-app/response'
import { router } from 'metis-app/router'
import { selfTokenClient } from 'metis-app/self-token'
import { describe, expectTypeOf, it } from 'vitest'

const identity = { tokenEndpoint: 'https://id.example/token', clientId: 'c', clientSecret: 's' }

describe('the logger option', () => {
  it('takes a Powertools Logger and console everywhere', () => {
    const powertools = new PowertoolsLogger({ serviceName: 'orders' })
    expectTypeOf(powertools).toExtend<Logger>()
    expectTypeOf(console).toExtend<Logger>()
    responder({ logger: powertools })
    router({}, { logger: console })
    circuitBreaker({ name: 'c', logger: powertools })
    selfTokenClient({ ...identity, logger: console })
  })

  it('refuses a bare function or a partial object', () => {
    // @ts-expect-error a function is no longer a logger
    responder({ logger: (error: unknown) => console.error(error) })
    // @ts-expect-error a logger has debug, info, warn and error
    circuitBreaker({ name: 'c', logger: { warn: () => undefined } })
  })
})
