import type { Context } from 'aws-lambda'
import {
  type AppError,
  BadRequestError,
  MethodNotAllowedError,
  NotFoundError,
  UnsupportedMediaTypeError,
} from '../errors/index.ts'
import { type Check, runChecks } from '../internal/check.ts'
import { answerFailure } from '../internal/failures.ts'
import { asRecord, dict, safeDecode } from '../internal/guards.ts'
import type { Logger } from '../internal/logger.ts'
import { isResult } from '../internal/result.ts'
import { isJsonMediaType } from '../request/http-body.ts'
import type { HttpRequest } from '../request/types.ts'
import { type ResponseTarget, respond, respondError, targetOf } from '../response/shape.ts'
import { err, ok, type Result } from '../result/index.ts'
import { RouteTableError, splitPath, Trie } from './trie.ts'
import type { HttpRoute, ResolvedRoute, RoutedRequest, RouteOptions } from './types.ts'
import { validateParts } from './validate.ts'

/** An HTTP request with its resolved route, ready to dispatch. */
export interface HttpPlan {
  readonly kind: 'http'
  readonly request: HttpRequest
  readonly route: ResolvedRoute
  readonly handler: HttpRoute['handler']
}

const METHOD = /^[A-Z]+$/
const NO_OPTIONS: RouteOptions = Object.freeze({})
const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze(dict<string>())

/**
 * The method (upper-case) and path of a declared route, or a {@link RouteTableError} naming the
 * route by its place in the table: a route without a method is refused, not routed as `UNDEFINED`.
 */
const checkRoute = (declared: unknown, place: number): { method: string; path: string } => {
  const route = asRecord(declared)
  if (route === undefined) {
    throw new RouteTableError(
      'ROUTE_INVALID',
      `HTTP route #${place} is not an object with method, path and handler`,
    )
  }
  const { method, path, handler } = route
  const hasMethod = typeof method === 'string' && method !== ''
  if (typeof path !== 'string') {
    const named = hasMethod ? ` '${method}'` : ''
    throw new RouteTableError(
      'ROUTE_INVALID',
      `HTTP route #${place}${named} has no path: give a string that starts with /`,
    )
  }
  if (!hasMethod) {
    throw new RouteTableError(
      'ROUTE_INVALID',
      `HTTP route #${place} '${path}' has no method: give GET, POST, ... or ANY`,
    )
  }
  const upper = method.toUpperCase()
  if (!METHOD.test(upper)) {
    throw new RouteTableError('ROUTE_INVALID', `Invalid method '${method}' for '${path}'`)
  }
  if (typeof handler !== 'function') {
    throw new RouteTableError('ROUTE_INVALID', `Route '${upper} ${path}' has no handler`)
  }
  return { method: upper, path }
}

/** The HTTP half of the routing table: a trie of the declared routes and the no-match route. */
export class HttpTable {
  readonly #trie = new Trie<HttpRoute>()
  readonly #notFound: HttpRoute['handler'] | undefined

  constructor(routes: readonly HttpRoute[], notFound: HttpRoute['handler'] | undefined) {
    routes.forEach((declared, index) => {
      const { method, path } = checkRoute(declared, index + 1)
      this.#trie.add(method, path, declared)
    })
    this.#notFound = notFound
  }

  /** Resolves a request to its route, or the 400 / 404 / 405 error that answers it. */
  plan(request: HttpRequest): Result<HttpPlan, AppError> {
    const raw = splitPath(request.path)
    // A path HTTP API already decoded is not decoded again (`%2541` would reach a route as `A`);
    // an encoded one is decoded once, segment by segment.
    if (!request.pathEncoded) return this.#resolve(request, raw)
    const segments: string[] = []
    for (const segment of raw) {
      const decoded = safeDecode(segment)
      if (decoded === undefined) {
        return err(new BadRequestError('The path has a malformed percent-encoding'))
      }
      segments.push(decoded)
    }
    return this.#resolve(request, segments)
  }

  /** Looks up the decoded path segments. */
  #resolve(request: HttpRequest, segments: readonly string[]): Result<HttpPlan, AppError> {
    const found = this.#trie.lookup(request.method, segments)
    if (found.found) {
      const { entry, values } = found
      const params = dict<string>()
      for (let i = 0; i < entry.names.length; i++) {
        params[entry.names[i] as string] = values[i] as string
      }
      const route: ResolvedRoute = {
        key: entry.template,
        method: entry.method,
        params,
        options: entry.value.options ?? NO_OPTIONS,
      }
      return ok({ kind: 'http', request, route, handler: entry.value.handler })
    }
    if (found.allow.length > 0) return err(new MethodNotAllowedError(found.allow))
    if (this.#notFound !== undefined) {
      const route: ResolvedRoute = { key: '*', params: NO_PARAMS, options: NO_OPTIONS }
      return ok({ kind: 'http', request, route, handler: this.#notFound })
    }
    return err(new NotFoundError(`No route for ${request.method} ${request.path}`))
  }
}

/** Answers an error as a problem response for an HTTP event, or throws it for any other event. */
export const failHttp = (
  event: unknown,
  context: Context,
  error: AppError,
  logger: PartLogger,
): unknown => {
  const target = targetOf(event, context)
  if (target === undefined) throw error
  answerFailure(context, error, logger)
  return respondError(error, target)
}

const parseJson = (body: string): Result<unknown, BadRequestError> => {
  try {
    return ok(JSON.parse(body))
  } catch (cause) {
    return err(new BadRequestError('The body is not valid JSON', { cause }))
  }
}

/** The body a route sees, by its `jsonBody` option. */
const bodyOf = (
  request: HttpRequest,
  mode: NonNullable<RouteOptions['jsonBody']>,
): Result<unknown, AppError> => {
  if (mode === 'off') return ok(request.body)
  const body = request.body
  const isJson =
    body !== undefined && request.contentType !== undefined && isJsonMediaType(request.contentType)
  if (body === undefined || !isJson) {
    if (mode === 'required') {
      return err(
        new UnsupportedMediaTypeError(
          `This route needs a JSON body (application/json), got ${request.contentType ?? 'none'}`,
        ),
      )
    }
    return ok(body)
  }
  return request.json === undefined ? parseJson(body) : ok(request.json)
}

/** A route's `input` when nothing validates it: the body, and the query read on first use. */
class Input {
  readonly body: unknown
  readonly #request: HttpRequest

  constructor(body: unknown, request: HttpRequest) {
    this.body = body
    this.#request = request
  }

  get query(): unknown {
    return this.#request.query
  }

  toJSON(): { body: unknown; query: unknown } {
    return { body: this.body, query: this.query }
  }
}

interface Inputs {
  readonly input: { readonly body: unknown; readonly query: unknown }
  readonly params: unknown
}

/** The route's inputs: the body by `jsonBody`, then validation when the route has schemas. */
const inputsOf = (plan: HttpPlan): Result<Inputs, AppError> | Promise<Result<Inputs, AppError>> => {
  const { request, route } = plan
  const body = bodyOf(request, route.options.jsonBody ?? 'auto')
  if (!body.ok) return body
  const schemas = route.options.validate
  if (schemas === undefined)
    return ok({ input: new Input(body.value, request), params: route.params })
  const values = { body: body.value, query: request.query, params: route.params }
  return validateParts(schemas, values).then((valid) => {
    if (!valid.ok) return valid
    const { params, ...input } = valid.value
    return ok({ input, params })
  })
}

/** The request a route handler receives: the request with the route's params and input. */
const routedOf = (request: HttpRequest, inputs: Inputs): RoutedRequest => {
  // A built request keeps its lazy views (query, cookies, ...) on its prototype, which a spread
  // would drop: it is this invocation's own object, so the inputs go onto it. A plain object (a
  // user's parse step may return one) is copied.
  if (Object.getPrototypeOf(request) !== Object.prototype) {
    const routed = request as { -readonly [K in keyof RoutedRequest]: RoutedRequest[K] }
    routed.params = inputs.params as RoutedRequest['params']
    routed.input = inputs.input as RoutedRequest['input']
    return routed
  }
  return { ...request, params: inputs.params, input: inputs.input } as RoutedRequest
}

const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as { then?: unknown } | null)?.then === 'function'

/** Shapes a route handler's value; an error Result is answered as a failure. */
const finish = (
  value: unknown,
  target: ResponseTarget,
  context: Context,
  logger: PartLogger,
): unknown => {
  if (isResult(value) && !value.ok) answerFailure(context, value.error, logger)
  return respond(value, target)
}

/** Shapes a thrown error as the answer, and records it for the observer's end line. */
const fail = (
  error: unknown,
  target: ResponseTarget,
  context: Context,
  logger: PartLogger,
): unknown => {
  answerFailure(context, error, logger)
  return respondError(error, target)
}

type PartLogger = Logger | false | undefined

/** Calls the route handler with its inputs; a promise only when the handler returns one. */
const call = (
  plan: HttpPlan,
  context: Context,
  inputs: Result<Inputs, AppError>,
  logger: PartLogger,
): unknown => {
  const { request } = plan
  if (!inputs.ok) return fail(inputs.error, request, context, logger)
  const routed = routedOf(request, inputs.value)
  const value = plan.handler(routed, context as Parameters<HttpRoute['handler']>[1])
  if (!isPromiseLike(value)) return finish(value, request, context, logger)
  return Promise.resolve(value).then(
    (resolved) => finish(resolved, request, context, logger),
    (error: unknown) => fail(error, request, context, logger),
  )
}

/**
 * Runs the route handler and shapes its outcome (the request is the response target: it has the
 * shape, the multi-value flag and the method); never throws. Answers synchronously when the route
 * handler and its validators do (Middy then arms no early-timeout timer), else a promise.
 */
export const dispatchHttp = (plan: HttpPlan, context: Context, logger: PartLogger): unknown => {
  const { request, route } = plan
  try {
    ;(context as { route?: ResolvedRoute }).route = route
    const checks = route.options.policies
    if (checks === undefined || checks.length === 0) return validated(plan, context, logger)
    const decision = runChecks(context, checks as readonly Check<object>[])
    if (decision instanceof Promise) {
      return decision
        .then((settled) =>
          settled.ok
            ? validated(plan, context, logger)
            : fail(settled.error, request, context, logger),
        )
        .catch((error: unknown) => fail(error, request, context, logger))
    }
    if (!decision.ok) return fail(decision.error, request, context, logger)
    return validated(plan, context, logger)
  } catch (error) {
    return fail(error, request, context, logger)
  }
}

/** The route's inputs (body, validation), then its handler; after its checks allowed. */
const validated = (plan: HttpPlan, context: Context, logger: PartLogger): unknown => {
  const pending = inputsOf(plan)
  if (!(pending instanceof Promise)) return call(plan, context, pending, logger)
  return pending
    .then((inputs) => call(plan, context, inputs, logger))
    .catch((error: unknown) => fail(error, plan.request, context, logger))
}
