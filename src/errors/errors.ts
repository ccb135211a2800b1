/** The error model: `AppError`, its status subclasses, and problem details (RFC 9457). */

/** Reason phrases of the statuses metis-app answers with (kept here, not imported from `node:http`). */
const reasonPhrases: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

/**
 * The reason phrase of an HTTP status (`404` -> `'Not Found'`); a generic phrase for statuses
 * outside the table.
 */
export const reasonPhrase = (status: number): string =>
  reasonPhrases[status] ?? (status >= 500 ? 'Server Error' : status >= 400 ? 'Client Error' : 'OK')

/**
 * Options accepted by every {@link AppError} constructor.
 *
 * @example
 * ```ts
 * const options: AppErrorOptions = { code: 'ORDER_NOT_FOUND', details: { orderId: '42' } }
 * throw new AppError(404, 'No order 42', options)
 * ```
 */
export interface AppErrorOptions {
  /** A stable, machine-readable code (`'ORDER_NOT_FOUND'`); defaults from the status. */
  code?: string
  /** Whether the message and details may reach a client; defaults to `statusCode < 500`. */
  expose?: boolean
  /** Extra, client-safe information (validation issues, the allowed methods, ...). */
  details?: Readonly<Record<string, unknown>>
  /** Response headers to send with this error (`Allow`, `WWW-Authenticate`, `Retry-After`). */
  headers?: Readonly<Record<string, string>>
  /** The underlying error; never serialised. */
  cause?: unknown
  /** A URI that identifies the problem type (RFC 9457 `type`); defaults to `about:blank`. */
  type?: string
}

/** The default stable code of a status: `404` -> `'NOT_FOUND'`. */
const codeOf = (status: number): string =>
  reasonPhrase(status)
    .toUpperCase()
    .replace(/[^A-Z]+/g, '_')

/**
 * The base error of metis-app: an `Error` with an HTTP status, a stable code and the knowledge of
 * whether it may be shown to a client.
 *
 * @example
 * ```ts
 * throw new AppError(429, 'Slow down', { code: 'RATE_LIMITED', headers: { 'Retry-After': '10' } })
 * ```
 */
export class AppError extends Error {
  /** The HTTP status this error is answered with. */
  readonly statusCode: number
  /** A stable, machine-readable code. */
  readonly code: string
  /** Whether the message and details may be shown to a client. */
  expose: boolean
  /** Extra, client-safe information, shown only when `expose` is true. */
  readonly details: Readonly<Record<string, unknown>> | undefined
  /** Headers for the response that answers this error. */
  readonly headers: Readonly<Record<string, string>>
  /** RFC 9457 problem type URI. */
  readonly type: string

  constructor(statusCode: number, message?: string, options: AppErrorOptions = {}) {
    super(message ?? reasonPhrase(statusCode), { cause: options.cause })
    this.name = new.target.name
    this.statusCode = statusCode
    this.code = options.code ?? codeOf(statusCode)
    this.expose = options.expose ?? statusCode < 500
    this.details = options.details
    this.headers = options.headers ?? {}
    this.type = options.type ?? 'about:blank'
  }
}

/**
 * Options for the status-specific subclasses.
 *
 * @example
 * ```ts
 * const options: HttpErrorOptions = { headers: { 'Retry-After': '30' }, cause: thrown }
 * throw new ServiceUnavailableError('Try later', options)
 * ```
 */
export type HttpErrorOptions = AppErrorOptions

/**
 * 400: the request is malformed (bad JSON, bad base64, an unreadable event).
 *
 * @example
 * ```ts
 * throw new BadRequestError('The body is not valid JSON')
 * ```
 */
export class BadRequestError extends AppError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(400, message, options)
  }
}

/**
 * 401: no valid credentials. Send `WWW-Authenticate` through `headers`.
 *
 * @example
 * ```ts
 * throw new UnauthorizedError('No token', { headers: { 'WWW-Authenticate': 'Bearer' } })
 * ```
 */
export class UnauthorizedError extends AppError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(401, message, options)
  }
}

/**
 * 403: valid credentials that do not allow this.
 *
 * @example
 * ```ts
 * throw new ForbiddenError('Orders of another customer')
 * ```
 */
export class ForbiddenError extends AppError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(403, message, options)
  }
}

/**
 * 404: nothing here.
 *
 * @example
 * ```ts
 * throw new NotFoundError('No order 42', { details: { orderId: '42' } })
 * ```
 */
export class NotFoundError extends AppError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(404, message, options)
  }
}

/**
 * 405: the path exists, the method does not; carries the `Allow` header.
 *
 * @example
 * ```ts
 * throw new MethodNotAllowedError(['GET', 'HEAD']) // Allow: GET, HEAD
 * ```
 */
export class MethodNotAllowedError extends AppError {
  /** The methods the path does allow. */
  readonly allow: readonly string[]

  constructor(allow: readonly string[], message?: string, options: HttpErrorOptions = {}) {
    super(405, message, {
      ...options,
      headers: { ...options.headers, Allow: allow.join(', ') },
      details: { ...options.details, allow: [...allow] },
    })
    this.allow = allow
  }
}

/**
 * 409: the request conflicts with the current state.
 *
 * @example
 * ```ts
 * throw new ConflictError('The order was already shipped', { code: 'ALREADY_SHIPPED' })
 * ```
 */
export class ConflictError extends AppError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(409, message, options)
  }
}

/**
 * 415: the body's content type is not one the route accepts.
 *
 * @example
 * ```ts
 * throw new UnsupportedMediaTypeError('Send application/json')
 * ```
 */
export class UnsupportedMediaTypeError extends AppError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(415, message, options)
  }
}

/**
 * 422: the request is well-formed but its content is invalid.
 *
 * @example
 * ```ts
 * throw new UnprocessableEntityError('Invalid order', { details: { issues } })
 * ```
 */
export class UnprocessableEntityError extends AppError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(422, message, options)
  }
}

/**
 * 500: something went wrong inside; never exposed by default.
 *
 * @example
 * ```ts
 * throw new InternalServerError('Inventory answered nonsense', { cause: answer })
 * ```
 */
export class InternalServerError extends AppError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(500, message, options)
  }
}

/**
 * 502: an upstream answered with something unusable.
 *
 * @example
 * ```ts
 * throw new BadGatewayError('The payment provider answered 200 without a body')
 * ```
 */
export class BadGatewayError extends AppError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(502, message, options)
  }
}

/**
 * 503: a dependency is unavailable (an open circuit, an unreachable JWKS).
 *
 * @example
 * ```ts
 * throw new ServiceUnavailableError('Try later', { headers: { 'Retry-After': '30' } })
 * ```
 */
export class ServiceUnavailableError extends AppError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(503, message, options)
  }
}

/**
 * 504: an upstream did not answer in time.
 *
 * @example
 * ```ts
 * throw new GatewayTimeoutError('Inventory did not answer in 2 s')
 * ```
 */
export class GatewayTimeoutError extends AppError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(504, message, options)
  }
}

/**
 * True for any {@link AppError} (also across copies of the package, by shape).
 *
 * @example
 * ```ts
 * if (isAppError(thrown) && thrown.statusCode === 404) return undefined
 * ```
 */
export const isAppError = (value: unknown): value is AppError =>
  value instanceof AppError ||
  (value instanceof Error &&
    typeof (value as Partial<AppError>).statusCode === 'number' &&
    typeof (value as Partial<AppError>).code === 'string' &&
    typeof (value as Partial<AppError>).expose === 'boolean')

const isStatus = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599

/**
 * Normalises anything thrown into an {@link AppError}. An `AppError` is returned as is; an error
 * with a numeric `statusCode` or `status` (as `http-errors` and Middy create) keeps its status and
 * `expose`; anything else becomes a non-exposed 500 whose cause is what was thrown.
 *
 * @example
 * ```ts
 * toAppError(new TypeError('x')).statusCode // 500, expose false
 * ```
 */
export const toAppError = (thrown: unknown): AppError => {
  if (isAppError(thrown)) return thrown
  if (thrown instanceof Error) {
    const withStatus = thrown as Error & {
      statusCode?: unknown
      status?: unknown
      expose?: unknown
      headers?: unknown
    }
    const status = isStatus(withStatus.statusCode)
      ? withStatus.statusCode
      : isStatus(withStatus.status)
        ? withStatus.status
        : undefined
    if (status !== undefined) {
      const headers = isStringRecord(withStatus.headers) ? withStatus.headers : undefined
      return new AppError(status, thrown.message, {
        cause: thrown,
        expose: typeof withStatus.expose === 'boolean' ? withStatus.expose : status < 500,
        ...(headers ? { headers } : {}),
      })
    }
  }
  return new InternalServerError(undefined, { cause: thrown })
}

const isStringRecord = (value: unknown): value is Record<string, string> =>
  typeof value === 'object' &&
  value !== null &&
  Object.values(value).every((v) => typeof v === 'string')

/**
 * RFC 9457 problem details, as serialised to `application/problem+json`.
 *
 * @example
 * ```ts
 * const problem: ProblemDetails = toProblem(new NotFoundError('No order 42'), '/orders/42')
 * // { type: 'about:blank', title: 'Not Found', status: 404, instance: '/orders/42',
 * //   detail: 'No order 42', code: 'NOT_FOUND' }
 * ```
 */
export interface ProblemDetails {
  /** Problem type URI; `about:blank` when the status says it all. */
  type: string
  /** Short summary: the reason phrase of the status. */
  title: string
  /** The HTTP status. */
  status: number
  /** Human-readable explanation; only for exposed errors. */
  detail?: string
  /** URI reference of this occurrence (the request id, the path). */
  instance?: string
  /** Extension members (`code`, `details`). */
  [extension: string]: unknown
}

/** The media type of problem details. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

/**
 * Serialises an error as RFC 9457 problem details. An exposed error shows its message as `detail`,
 * its `code` and its `details`; a non-exposed one shows only its status and title: never its
 * message, stack or cause.
 *
 * @example
 * ```ts
 * toProblem(new Error('db password is hunter2'))
 * // { type: 'about:blank', title: 'Internal Server Error', status: 500 }
 * ```
 */
export const toProblem = (thrown: unknown, instance?: string): ProblemDetails => {
  const error = toAppError(thrown)
  const problem: ProblemDetails = {
    type: error.expose ? error.type : 'about:blank',
    title: reasonPhrase(error.statusCode),
    status: error.statusCode,
  }
  if (instance !== undefined) problem.instance = instance
  if (!error.expose) return problem
  problem.detail = error.message
  problem.code = error.code
  if (error.details !== undefined) problem.details = error.details
  return problem
}
