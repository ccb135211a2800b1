import type { Logger } from '@aws-lambda-powertools/logger'
import type { Metrics } from '@aws-lambda-powertools/metrics'
import type { Tracer } from '@aws-lambda-powertools/tracer'
import middy from '@middy/core'
import { type Observer, observer } from 'metis-app/observer'
import { describe, expectTypeOf, it } from 'vitest'

class AuditTrail {
  record(_what: string): void {}
}

describe('observer types', () => {
  it('puts a typed observer, with custom observers by name, on the handler context', () => {
    middy()
      .use(observer({ serviceName: 's', custom: { audit: new AuditTrail(), limit: 3 } }))
      .handler(async (_event, context) => {
        expectTypeOf(context.observer.logger).toEqualTypeOf<Logger>()
        expectTypeOf(context.observer.tracer).toEqualTypeOf<Tracer | undefined>()
        expectTypeOf(context.observer.metrics).toEqualTypeOf<Metrics>()
        expectTypeOf(context.observer.custom.audit).toEqualTypeOf<AuditTrail>()
        expectTypeOf(context.observer.custom.limit).toEqualTypeOf<number>()
        expectTypeOf(context.functionName).toEqualTypeOf<string>()
      })
  })

  it('exposes the same observer on the middleware for module-scope use', () => {
    const middleware = observer({ custom: { audit: new AuditTrail() } })
    expectTypeOf(middleware.observer).toEqualTypeOf<Observer<{ audit: AuditTrail }>>()
  })
})
