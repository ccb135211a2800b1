import type { Context } from 'aws-lambda'
import {
  type AppError,
  BadRequestError,
  MethodNotAllowedError,
  NotFoundError,
  UnsupportedMediaTypeError,
} from '../errors/index.ts'
import { dict, safeDecode } from '../internal/guards.ts'
import { type HttpRequest, isJsonMediaType } from '../request/index.ts'
import {
  logServerError,
  type ResponderOptions,
  type ResponseTarget,
  respond,
  respondError,
  targetOf,
} from '../response/index.ts'
import { err, isResult, ok, type Result } from '../result/index.ts'
import type { HttpRoute, ResolvedRoute, RoutedRequest, RouteOptions } from './index.ts'
import { RouteTableError, splitPath, Trie } from './trie.ts'
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

/** The HTTP half of the routing table: a trie of the declared routes and the no-match route. */
export class HttpTable {
  readonly #trie = new Trie<HttpRoute>()
  readonly #notFound: HttpRoute['handler'] | undefined

  constructor(routes: readonly HttpRoute[], notFound: HttpRoute['handler'] | undefined) {
    for (const declared of routes) {
      const method = String(declared.method).toUpperCase()
      if (!METHOD.test(method)) {
        throw new RouteTableError(
          'ROUTE_INVALID',
          `Invalid method '${declared.method}' for '${declared.path}'`,
        )
      }
      if (typeof declared.handler !== 'function') {
        throw new RouteTableError(
          'ROUTE_INVALID',
          `Route '${method} ${declared.path}' has no handler`,
        )
      }
      this.#trie.add(method, declared.path, declared)
    }
    this.#notFound = notFound
  }

  /** Resolves a request to its route, or the 400 / 404 / 405 error that answers it. */
  plan(request: HttpRequest): Result<HttpPlan, AppError> {
    const raw = splitPath(request.path)
    const segments: string[] = []
    for (const segment of raw) {
      const decoded = safeDecode(segment)
      if (decoded === undefined) {
        return err(new BadRequestError('The path has a malformed percent-encoding'))
      }
      segments.push(decoded)
    }
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
  error: AppError,
  logger: ResponderOptions['logger'],
  request?: unknown,
): unknown => {
  const target = targetOf(event, request)
  if (target === undefined) throw error
  logServerError(error, logger)
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
  const isJson = request.contentType !== undefined && isJsonMediaType(request.contentType)
  if (!isJson || request.body === undefined) {
    if (mode === 'required') {
      return err(
        new UnsupportedMediaTypeError(
          `This route needs a JSON body (application/json), got ${request.contentType ?? 'none'}`,
        ),
      )
    }
    return ok(request.body)
  }
  return request.json === undefined ? parseJson(request.body) : ok(request.json)
}

/** The route's inputs: the body by `jsonBody`, then validation when the route has schemas. */
const inputsOf = async (
  plan: HttpPlan,
): Promise<Result<{ body: unknown; query: unknown; params: unknown }, AppError>> => {
  const { request, route } = plan
  const body = bodyOf(request, route.options.jsonBody ?? 'auto')
  if (!body.ok) return body
  const values = { body: body.value, query: request.query, params: route.params }
  const schemas = route.options.validate
  if (schemas === undefined) return ok(values)
  return validateParts(schemas, values)
}

/** Runs the route handler and shapes its outcome; never throws. */
export const dispatchHttp = async (
  plan: HttpPlan,
  context: Context,
  logger: ResponderOptions['logger'],
): Promise<unknown> => {
  const { request, route } = plan
  const target: ResponseTarget = {
    shape: request.shape,
    multiValue: request.multiValue,
    method: request.method,
  }
  try {
    Object.assign(context, { route })
    const inputs = await inputsOf(plan)
    if (!inputs.ok) return respondError(inputs.error, target)
    const routed = {
      ...request,
      params: inputs.value.params,
      input: { body: inputs.value.body, query: inputs.value.query },
    } as RoutedRequest
    const value = await plan.handler(routed, context as Parameters<HttpRoute['handler']>[1])
    if (isResult(value) && !value.ok) logServerError(value.error, logger)
    return respond(value, target)
  } catch (error) {
    logServerError(error, logger)
    return respondError(error, target)
  }
}
