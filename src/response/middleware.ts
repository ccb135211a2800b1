/** {@link responder}: the Middy middleware that answers a handler's value and every error in the event's shape. */

import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import { toAppError } from '../errors/index.ts'
import { answerFailure } from '../internal/failures.ts'
import type { Logger } from '../internal/logger.ts'
import { loggerOption } from '../internal/logger.ts'
import { isResult } from '../internal/result.ts'
import { respond, respondError, targetOf } from './shape.ts'

/**
 * Options of {@link responder}.
 *
 * @example
 * ```ts
 * const options: ResponderOptions = { logger: false }
 * export const handler = middy().use(responder(options)).handler(app)
 * ```
 */
export interface ResponderOptions {
  /**
   * Where every error answered with a 5xx status goes (its `error`; the problem body never shows
   * it); `false` logs nothing. Default: the observer's "request end" line reports it when
   * `observer()` is stacked, else `console`.
   */
  logger?: Logger | false
}

/**
 * Middy middleware that shapes the handler's outcome (`after`) and any error (`onError`) as the
 * response of the event: the value, `Reply` or `Result` of a plain handler becomes an HTTP
 * response of the right shape, a thrown error a problem response. For a record event (SQS,
 * Kinesis, ...) a successful value passes through as it is (the partial batch response, or
 * nothing) and an error `Result` is thrown so that the invocation fails.
 *
 * @example
 * ```ts
 * middy().use(responder({ logger: new Logger({ serviceName: 'orders' }) })).handler(fn)
 * ```
 */
export const responder = (
  options: ResponderOptions = {},
): MiddlewareObj<unknown, unknown, Error, Context> => {
  const { logger } = options
  loggerOption('responder', logger)

  const responderAfter = (request: {
    event: unknown
    context: Context
    response: unknown
  }): void => {
    const target = targetOf(request.event, request.context)
    const value = request.response
    if (target !== undefined) {
      if (isResult(value) && !value.ok) answerFailure(request.context, value.error, logger)
      request.response = respond(value, target)
      return
    }
    if (!isResult(value)) return
    if (!value.ok) throw value.error instanceof Error ? value.error : toAppError(value.error)
    request.response = value.value
  }

  const responderOnError = (request: {
    event: unknown
    context: Context
    response: unknown
    error: unknown
  }): void => {
    if (request.response !== undefined) return
    const target = targetOf(request.event, request.context)
    if (target === undefined) return
    answerFailure(request.context, request.error, logger)
    request.response = respondError(request.error, target)
  }

  return { name: 'metis-app/response', after: responderAfter, onError: responderOnError }
}
