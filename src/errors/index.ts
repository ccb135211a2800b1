/**
 * `metis-app/errors`: one error model for every part.
 *
 * An {@link AppError} carries an HTTP `statusCode`, a stable `code`, whether its message may be
 * shown to a client (`expose`, by default only below 500), optional `details`, response `headers`
 * and the `cause`. It is what `@middy/http-error-handler` expects (`statusCode`, `expose`,
 * `headers`), and it serialises as RFC 9457 problem details with {@link toProblem}.
 *
 * @example
 * ```ts
 * import { NotFoundError, toProblem } from 'metis-app/errors'
 *
 * const error = new NotFoundError('No order 42', { details: { orderId: '42' } })
 * toProblem(error)
 * // { type: 'about:blank', title: 'Not Found', status: 404, detail: 'No order 42',
 * //   code: 'NOT_FOUND', details: { orderId: '42' } }
 * ```
 * @module
 */

export {
  AppError,
  type AppErrorOptions,
  BadGatewayError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  GatewayTimeoutError,
  type HttpErrorOptions,
  InternalServerError,
  isAppError,
  MethodNotAllowedError,
  NotFoundError,
  type ProblemDetails,
  ServiceUnavailableError,
  toAppError,
  toProblem,
  UnauthorizedError,
  UnprocessableEntityError,
  UnsupportedMediaTypeError,
} from './errors.ts'
