// metis-app/observer alone: Powertools logger, tracer and metrics in one .use().
import { MetricUnit } from '@aws-lambda-powertools/metrics'
import middy from '@middy/core'
import { type ObserverContext, observer } from 'metis-app/observer'

export const handler = middy()
  .use(observer({ serviceName: 'greeter', metricsNamespace: 'examples' }))
  .handler(async (_event: unknown, context: ObserverContext) => {
    context.observer.metrics.addMetric('greeted', MetricUnit.Count, 1)
    context.observer.logger.info('greeting')
    return { statusCode: 200, body: 'hello' }
  })
