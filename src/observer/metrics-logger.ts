/**
 * The logger the observer gives the Metrics it creates. Powertools Metrics warns "No application
 * metrics to publish..." on every invocation that added no metric (a health check, a
 * redirect), and through Powertools Logger that warning is a full structured line, the most
 * expensive thing such an invocation does. The notice says nothing is wrong, so it goes to
 * `debug`; every other message of Metrics keeps its level.
 */
import type { GenericLogger } from '@aws-lambda-powertools/commons/types'
import type { Logger } from '@aws-lambda-powertools/logger'
import type { LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types'

/** How Powertools Metrics' empty-metrics notice begins (`Metrics.publishStoredMetrics`). */
export const EMPTY_METRICS_NOTICE = 'No application metrics to publish'

/** Metrics' logger: the empty-metrics notice at DEBUG, the rest at its own level. */
export const metricsLogger = (logger: Logger): GenericLogger => ({
  debug: (message: LogItemMessage, ...extra: LogItemExtraInput) => logger.debug(message, ...extra),
  info: (message: LogItemMessage, ...extra: LogItemExtraInput) => logger.info(message, ...extra),
  warn: (message: LogItemMessage, ...extra: LogItemExtraInput) => {
    if (typeof message === 'string' && message.startsWith(EMPTY_METRICS_NOTICE)) {
      logger.debug(message, ...extra)
    } else {
      logger.warn(message, ...extra)
    }
  },
  error: (message: LogItemMessage, ...extra: LogItemExtraInput) => logger.error(message, ...extra),
})
