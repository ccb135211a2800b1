/**
 * The one logger every part of metis-app accepts: four methods that take a message and then
 * anything (a structured object, an error). A Powertools `Logger` fits, and so do `console` and
 * pino. A part given none uses the observer's logger when `observer()` is stacked; where a part
 * answers a failure, the observer's end line is then the one line that reports it.
 */
import { optionError } from './options.ts'

/**
 * A logger: Powertools `Logger`, `console`, pino, or any object with these four methods.
 *
 * @example
 * ```ts
 * const logger: Logger = new Logger({ serviceName: 'orders' }) // @aws-lambda-powertools/logger
 * circuitBreaker({ name: 'payments', logger })
 * ```
 */
export interface Logger {
  debug(message: string, ...extra: unknown[]): void
  info(message: string, ...extra: unknown[]): void
  warn(message: string, ...extra: unknown[]): void
  error(message: string, ...extra: unknown[]): void
}

const METHODS = ['debug', 'info', 'warn', 'error'] as const

/**
 * Checks a part's `logger` option at creation: a {@link Logger}, `false` (when allowed), or none;
 * answers it as given.
 */
export const loggerOption = <T>(factory: string, value: T, allowFalse = true): T => {
  if (value === undefined || (allowFalse && value === false)) return value
  const missing =
    typeof value === 'object' && value !== null
      ? METHODS.filter((name) => typeof (value as Record<string, unknown>)[name] !== 'function')
      : METHODS
  if (missing.length > 0) {
    throw optionError(
      factory,
      `logger must be an object with debug, info, warn and error functions (a Powertools Logger, console)${allowFalse ? ', or false' : ''}; missing ${missing.join(', ')}`,
    )
  }
  return value
}

/** The logger of `observer()` on the context, when one is stacked. */
export const observerLogger = (context: object | undefined): Logger | undefined => {
  const logger = (context as { observer?: { logger?: unknown } } | undefined)?.observer?.logger
  return typeof logger === 'object' &&
    logger !== null &&
    typeof (logger as Logger).error === 'function'
    ? (logger as Logger)
    : undefined
}
