/**
 * The one reader of the event: {@link requestOf} gives the typed request of the invocation, built
 * once and kept on `context.request`, so that every part (router, responder, PIP, guard, observer)
 * reads the same request and none re-detects the event's shape.
 */

import type { AppError } from '../errors/index.ts'
import { asRecord, asString, pick } from '../internal/guards.ts'
import { ok, type Result } from '../result/index.ts'
import { buildRequest } from './build.ts'
import { detectHttpShape, isV2Shape } from './http-shapes.ts'
import type { AppRequest, BuildOptions, HttpShape } from './types.ts'

interface MaybeRequestContext {
  request?: AppRequest
  awsRequestId?: string
}

/**
 * The typed request of this invocation: `context.request` when it was built from this event (by
 * `requestBuilder()` or by another part), else built now with `options` and put on
 * `context.request`. An HTTP event that cannot be read is an error Result (400, 413, 415) and
 * nothing is kept. A context reused across invocations (tests, local servers) never hands out
 * another event's request: the kept request must carry this very event.
 *
 * @example
 * ```ts
 * const request = requestOf(event, context)
 * if (request.ok && request.value.kind === 'http') console.log(request.value.path)
 * ```
 */
export const requestOf = (
  event: unknown,
  context: object,
  options?: BuildOptions,
): Result<AppRequest, AppError> => {
  const holder = context as MaybeRequestContext
  const present = holder.request
  if (present !== undefined && present.event === event) return ok(present)
  const built = buildRequest(event, { ...options, requestId: holder.awsRequestId })
  if (built.ok) holder.request = built.value
  return built
}

/** What an answer to an HTTP event needs to know of it: the shape, multi-value headers, the method. */
export interface HttpTarget {
  readonly shape: HttpShape
  readonly multiValue: boolean
  readonly method: string
}

/**
 * The HTTP target of this invocation's event, or `undefined` when it is not an HTTP event: read
 * from the typed request ({@link requestOf}); for an HTTP event too malformed to build (a 400 is
 * then answered), from the builder's own shape detection, so that the problem has the right
 * shape.
 *
 * @example
 * ```ts
 * const target = httpTargetOf(event, context)
 * if (target?.shape === 'alb') console.log('answer with statusDescription')
 * ```
 */
export const httpTargetOf = (event: unknown, context: object): HttpTarget | undefined => {
  const built = requestOf(event, context)
  if (built.ok) {
    const request = built.value
    if (request.kind !== 'http') return undefined
    return { shape: request.shape, multiValue: request.multiValue, method: request.method }
  }
  const raw = asRecord(event)
  const shape = raw === undefined ? undefined : detectHttpShape(raw)
  if (raw === undefined || shape === undefined) return undefined
  const method = isV2Shape(shape)
    ? pick(raw.requestContext, 'http', 'method')
    : shape === 'rest-v1' || shape === 'alb'
      ? raw.httpMethod
      : raw.method
  const multiValue =
    (shape === 'rest-v1' || shape === 'alb') && asRecord(raw.multiValueHeaders) !== undefined
  return { shape, multiValue, method: (asString(method) ?? 'GET').toUpperCase() }
}
