/**
 * The logger of the Metrics the observer creates. Powertools Metrics warns "No application metrics
 * to publish..." on every invocation that added no metric (a health check), and "Namespace should
 * be defined" on every flush without one (the README documents `default_namespace`): notices that
 * nothing is wrong, as full WARN lines. They go to DEBUG; every other message keeps its level.
 */
import type { GenericLogger } from '@aws-lambda-powertools/commons/types'
import { type Logger, LogLevelThreshold } from '@aws-lambda-powertools/logger'
import type { LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types'

/** How Powertools Metrics' empty-metrics notice begins (`Metrics.publishStoredMetrics`). */
export const EMPTY_METRICS_NOTICE = 'No application metrics to publish'
const notices = [EMPTY_METRICS_NOTICE, 'Namespace should be defined']

/** Metrics' logger: the notices at DEBUG (not even handed over while `debugDropped()`). */
export const metricsLogger = (logger: Logger, debugDropped = () => false): GenericLogger => ({
  debug: (message: LogItemMessage, ...extra: LogItemExtraInput) => logger.debug(message, ...extra),
  info: (message: LogItemMessage, ...extra: LogItemExtraInput) => logger.info(message, ...extra),
  warn: (message: LogItemMessage, ...extra: LogItemExtraInput) => {
    if (typeof message !== 'string' || !notices.some((notice) => message.startsWith(notice))) {
      logger.warn(message, ...extra)
    } else if (!debugDropped()) logger.debug(message, ...extra)
  },
  error: (message: LogItemMessage, ...extra: LogItemExtraInput) => logger.error(message, ...extra),
})

/**
 * Whether the logger buffers lines of this level (`logBufferOptions`): such a line is kept below
 * the logger's level and written when the invocation logs an error. Asked through
 * `shouldBufferLog`, which Logger keeps protected: a Logger without it does not buffer.
 */
export const buffersAt = (logger: Logger, threshold: number): boolean => {
  const probe = (logger as unknown as { shouldBufferLog?: (id: string, level: number) => boolean })
    .shouldBufferLog
  return typeof probe === 'function' && probe.call(logger, 'any trace', threshold)
}

/** Whether a DEBUG line of this logger goes nowhere now: neither printed nor buffered. */
export const debugDropped = (logger: Logger): (() => boolean) => {
  if (buffersAt(logger, LogLevelThreshold.DEBUG)) return () => false
  return () => logger.level > LogLevelThreshold.DEBUG
}
