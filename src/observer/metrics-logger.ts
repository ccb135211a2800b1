/**
 * The logger the observer gives the Metrics it creates. Powertools Metrics warns "No application
 * metrics to publish..." on every invocation that added no metric (a health check, a
 * redirect), and through Powertools Logger that warning is a full structured line, the most
 * expensive thing such an invocation does. The notice says nothing is wrong, so it goes to
 * `debug`; every other message of Metrics keeps its level.
 */
import type { GenericLogger } from '@aws-lambda-powertools/commons/types'
import { type Logger, LogLevelThreshold } from '@aws-lambda-powertools/logger'
import type { LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types'

/** How Powertools Metrics' empty-metrics notice begins (`Metrics.publishStoredMetrics`). */
export const EMPTY_METRICS_NOTICE = 'No application metrics to publish'

/**
 * How Powertools Metrics' notice that no namespace was set begins: written on every flush, it says
 * that the metrics go to `default_namespace`, which the README documents.
 */
export const NO_NAMESPACE_NOTICE = 'Namespace should be defined'

const notices = [EMPTY_METRICS_NOTICE, NO_NAMESPACE_NOTICE]

/**
 * Metrics' logger: the empty-metrics and no-namespace notices at DEBUG (not even handed to the logger while
 * `debugDropped()` says a DEBUG line would go nowhere), the rest at its own level.
 */
export const metricsLogger = (logger: Logger, debugDropped = () => false): GenericLogger => ({
  debug: (message: LogItemMessage, ...extra: LogItemExtraInput) => logger.debug(message, ...extra),
  info: (message: LogItemMessage, ...extra: LogItemExtraInput) => logger.info(message, ...extra),
  warn: (message: LogItemMessage, ...extra: LogItemExtraInput) => {
    if (typeof message === 'string' && notices.some((notice) => message.startsWith(notice))) {
      if (!debugDropped()) logger.debug(message, ...extra)
    } else {
      logger.warn(message, ...extra)
    }
  },
  error: (message: LogItemMessage, ...extra: LogItemExtraInput) => logger.error(message, ...extra),
})

/**
 * Whether the logger buffers lines of this level (Powertools' `logBufferOptions`): such a line
 * is kept below the logger's level and written when the invocation logs an error, so it must be
 * handed over. Asked once, since a logger's buffering is fixed when it is built; through
 * `shouldBufferLog`, which Logger keeps protected: a Logger without it does not buffer.
 */
export const buffersAt = (logger: Logger, threshold: number): boolean => {
  const probe = (
    logger as unknown as { shouldBufferLog?: (traceId: string, level: number) => boolean }
  ).shouldBufferLog
  return typeof probe === 'function' && probe.call(logger, 'any trace', threshold)
}

/** Whether a DEBUG line of this logger goes nowhere now: neither printed nor buffered. */
export const debugDropped = (logger: Logger): (() => boolean) => {
  if (buffersAt(logger, LogLevelThreshold.DEBUG)) return () => false
  return () => logger.level > LogLevelThreshold.DEBUG
}
