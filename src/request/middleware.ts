/** {@link requestBuilder}, the Middy middleware that builds the request before the handler, and its helpers. */

import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import { AppError, UnprocessableEntityError } from '../errors/index.ts'
import { choiceOption, functionOption, numberOption } from '../internal/options.ts'
import type { Result } from '../result/index.ts'
import { buildRequest } from './build.ts'
import type { AppRequest, BuildOptions } from './types.ts'

/**
 * What {@link requestBuilder} adds to the Lambda context.
 *
 * @example
 * ```ts
 * const handler = async (_event: unknown, context: Context & RequestContext) =>
 *   context.request.kind === 'http' ? { statusCode: 200, body: context.request.path } : undefined
 * ```
 */
export interface RequestContext<R extends AppRequest = AppRequest> {
  /** The built request. */
  request: R
}

/**
 * A parse step: from the built request to a (possibly transformed) request, or an error.
 *
 * @example
 * ```ts
 * const requireTenant: ParseStep = (request) =>
 *   request.kind === 'http' && !request.headers['x-tenant'] ? err(new BadRequestError('No tenant')) : ok(request)
 * middy().use(requestBuilder({ parse: requireTenant })).handler(handler)
 * ```
 */
export type ParseStep = (
  request: AppRequest,
  context: Context,
) => Result<AppRequest, unknown> | Promise<Result<AppRequest, unknown>>

/**
 * Options of {@link requestBuilder}.
 *
 * @example
 * ```ts
 * const options: RequestBuilderOptions = { jsonBody: 'required', maxBodyBytes: 1_048_576, unwrapSns: true }
 * middy().use(requestBuilder(options)).handler(handler)
 * ```
 */
export interface RequestBuilderOptions extends BuildOptions {
  /**
   * An optional step after building (the seed's `params_parser`). An error Result is answered as
   * a problem: an `AppError` keeps its status, anything else is a 422.
   */
  parse?: ParseStep
}

/**
 * Middy middleware that builds the request in `before` and puts it on `context.request`. A
 * malformed event throws an `AppError` (400, 413, 415, or 422 from `parse`), so that
 * `@middy/http-error-handler` or the metis-app responder answers it and the handler does not run.
 *
 * @example
 * ```ts
 * middy().use(requestBuilder({ jsonBody: 'required', unwrapSns: true })).handler(handler)
 * ```
 */
export const requestBuilder = (
  options: RequestBuilderOptions = {},
): MiddlewareObj<unknown, unknown, Error, Context & RequestContext> => {
  const { parse, ...buildOptions } = options
  choiceOption('requestBuilder', 'jsonBody', options.jsonBody, ['auto', 'required', 'off'], 'auto')
  numberOption('requestBuilder', 'maxBodyBytes', options.maxBodyBytes, 0, { min: 1, integer: true })
  functionOption('requestBuilder', 'parse', parse)
  functionOption('requestBuilder', 'clock', options.clock)

  const parseBuilt = async (
    built: AppRequest,
    context: Context & Partial<RequestContext>,
  ): Promise<void> => {
    const parsed = await (parse as ParseStep)(built, context)
    if (!parsed.ok) throw parseFailure(parsed.error)
    context.request = parsed.value
  }

  // Synchronous without `parse`: Middy then awaits no promise for this middleware.
  const requestBuilderBefore = (request: {
    event: unknown
    context: Context & Partial<RequestContext>
  }): void | Promise<void> => {
    const built = buildRequest(request.event, {
      ...buildOptions,
      requestId: request.context.awsRequestId,
    })
    if (!built.ok) throw built.error
    if (parse !== undefined) return parseBuilt(built.value, request.context)
    request.context.request = built.value
  }

  return { name: 'metis-app/request', before: requestBuilderBefore }
}

const parseFailure = (error: unknown): AppError => {
  if (error instanceof AppError) return error
  const message = error instanceof Error ? error.message : 'The request did not pass the parse step'
  return new UnprocessableEntityError(message, { cause: error })
}

/**
 * A copy of a request with some fields changed. Use it rather than `{ ...request }`: an HTTP
 * request computes its query, cookies and multi-value views on first read (they live on its
 * prototype, which a spread does not copy); this copies them too.
 *
 * @example
 * ```ts
 * requestBuilder({ parse: (request) => ok(updateRequest(request, { json: normalise(request.json) })) })
 * ```
 */
export const updateRequest = <R extends AppRequest>(request: R, changes: Partial<R>): R => {
  const copy: Record<string, unknown> = { ...request }
  const prototype: object | null = Object.getPrototypeOf(request)
  if (prototype !== null && prototype !== Object.prototype) {
    for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(prototype))) {
      if (descriptor.get) copy[key] = (request as unknown as Record<string, unknown>)[key]
    }
  }
  return Object.assign(copy, changes) as R
}
