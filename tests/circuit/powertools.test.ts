import { Logger } from '@aws-lambda-powertools/logger'
import { Metrics } from '@aws-lambda-powertools/metrics'
import { type CircuitBreakerOptions, circuitBreaker } from 'metis-app/circuit'
import { describe, expect, it, vi } from 'vitest'
import { boom, manualClock } from './helpers.ts'

describe('circuitBreaker with Powertools', () => {
  it('takes a Powertools Logger and Metrics as they are, logging and counting the opening', async () => {
    const logger = new Logger({ serviceName: 'orders', logLevel: 'SILENT' })
    const metrics = new Metrics({ namespace: 'shop', serviceName: 'orders' })
    const info = vi.spyOn(logger, 'info')
    const addMetric = vi.spyOn(metrics, 'addMetric')
    const options: CircuitBreakerOptions = {
      name: 'inventory',
      failureThreshold: 1,
      retry: false,
      clock: manualClock().now,
      logger,
      metrics,
    }
    const breaker = circuitBreaker(options)
    await breaker.execute(boom)
    expect(info).toHaveBeenCalledWith(
      'circuit closed -> open',
      expect.objectContaining({ circuit: 'inventory', to: 'open' }),
    )
    expect(addMetric).toHaveBeenCalledWith('CircuitOpen', 'Count', 1)
  })
})
