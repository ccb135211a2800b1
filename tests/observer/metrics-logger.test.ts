import { Logger } from '@aws-lambda-powertools/logger'
import { describe, expect, it, vi } from 'vitest'
import {
  debugDropped,
  EMPTY_METRICS_NOTICE,
  metricsLogger,
} from '../../src/observer/metrics-logger.ts'
import { useCapturedOutput } from './capture.ts'

const output = useCapturedOutput()

describe('metricsLogger', () => {
  it('writes the empty-metrics notice at DEBUG and every other message at its own level', () => {
    const logger = metricsLogger(new Logger({ serviceName: 'orders', logLevel: 'DEBUG' }))

    logger.debug('a debug')
    logger.info('an info', { extra: 1 })
    logger.warn(`${EMPTY_METRICS_NOTICE}. The cold-start metric may be published if enabled.`)
    logger.warn('a warning')
    logger.warn({ message: 'a structured warning' })
    logger.error('an error')

    expect(output.logs().map((line) => [line.level, line.message])).toEqual([
      ['DEBUG', 'a debug'],
      ['INFO', 'an info'],
      ['DEBUG', expect.stringMatching(/^No application metrics to publish\./)],
      ['WARN', 'a warning'],
      ['WARN', 'a structured warning'],
      ['ERROR', 'an error'],
    ])
    expect(output.line('an info').extra).toBe(1)
  })

  it('lets an INFO logger drop the notice', () => {
    const logger = metricsLogger(new Logger({ serviceName: 'orders' }))

    logger.warn(`${EMPTY_METRICS_NOTICE}.`)

    expect(output.raw).toEqual([])
  })

  it('does not even hand the notice over while a DEBUG line would go nowhere', () => {
    const logger = new Logger({ serviceName: 'orders' })
    const debug = vi.spyOn(logger, 'debug')

    metricsLogger(logger, debugDropped(logger)).warn(`${EMPTY_METRICS_NOTICE}.`)
    expect(debug).not.toHaveBeenCalled()

    logger.setLogLevel('DEBUG')
    metricsLogger(logger, debugDropped(logger)).warn(`${EMPTY_METRICS_NOTICE}.`)
    expect(debug).toHaveBeenCalledTimes(1)
  })

  it('takes a DEBUG line as kept by a logger that buffers DEBUG lines, whatever its level', () => {
    const buffering = new Logger({ serviceName: 'orders', logBufferOptions: { enabled: true } })
    const plain = new Logger({ serviceName: 'orders' })

    expect(debugDropped(buffering)()).toBe(false)
    expect(debugDropped(plain)()).toBe(true)
  })
})
