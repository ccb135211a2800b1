/**
 * `metis-app/openapi`: the OpenAPI 3.1 document of a routing table, for the API page, API
 * gateways and client generators. The router never loads this part: import it where the document
 * is written (a build step, the local server, or a route that serves it).
 *
 * {@link openapi} reads the HTTP routes of the app `router()` returns (`app.routes`) and writes:
 * - one path item per template (`{id}` a path parameter; a final `{proxy+}` written `{proxy}`,
 *   described as one or more segments); templates that differ only in their parameters' names
 *   share one path;
 * - an operation per method as the router answers it: HEAD by the GET route when there is no HEAD
 *   route, `ANY` as every method the template does not declare (`x-metis-method: ANY`);
 * - path and query parameters and the request body from the route's Standard Schema validators,
 *   through the JSON Schema the validator gives (Standard JSON Schema's `~standard.jsonSchema`, or
 *   a `toJSONSchema()` method as zod 4 has); a validator that cannot say gets an open schema with
 *   an `x-metis-note`;
 * - security from the route's checks: `tokenRequired()` the `bearerAuth` scheme (JWT), `scope()`
 *   its scopes (or an `oauth2` scheme's, given `oauth2.tokenUrl`), `activity()` the
 *   `x-metis-activities` extension; any check may say what it needs with its `openapi` field;
 * - the problem+json responses (RFC 9457) the router and the checks answer: 400, 401, 403, 415,
 *   422, 500 by route, and 404 and 405 among the components;
 * - `summary`, `description`, `tags`, `operationId`, `deprecated`, `responses` and `example` of the
 *   route's options (the router ignores them).
 *
 * {@link withOpenApi} adds a `GET /openapi.json` route that serves the document of the routes it
 * is given (written on the first request).
 *
 * @example
 * ```ts
 * import { openapi, withOpenApi } from 'metis-app/openapi'
 * import { router } from 'metis-app/router'
 *
 * const info = { title: 'Orders', version: '1.0.0' }
 * const app = router({
 *   http: withOpenApi(
 *     [{ method: 'GET', path: '/orders/{id}', handler: (req) => ({ id: req.params.id }) }],
 *     { info },
 *   ),
 * })
 * const document = openapi(app, { info }) // the same document, for a file or a gateway
 * ```
 * @module
 */

import type { HttpRoute, NoValidation } from '../router/types.ts'
import { writeDocument } from './document.ts'
import type { OpenApiDocument, OpenApiOptions, OpenApiSource } from './types.ts'

export type * from './types.ts'

/**
 * The OpenAPI 3.1 document of an app's HTTP routes (see the module's description for what each
 * route becomes). A plain object: `JSON.stringify` it to serve or save it.
 *
 * @example
 * ```ts
 * const document = openapi(app, {
 *   info: { title: 'Orders', version: '1.2.0' },
 *   servers: [{ url: 'https://api.example.com' }],
 * })
 * await writeFile('openapi.json', JSON.stringify(document, null, 2))
 * ```
 */
export const openapi = (app: OpenApiSource, options: OpenApiOptions): OpenApiDocument => {
  if (!Array.isArray(app?.routes)) {
    throw new TypeError('openapi: give the app router() returns (it has the routes)')
  }
  checkInfo(options)
  return writeDocument(app, options)
}

/** The info every document needs, checked where the options are given. */
const checkInfo = (options: OpenApiOptions): void => {
  if (typeof options?.info?.title !== 'string' || typeof options.info.version !== 'string') {
    throw new TypeError('openapi: info needs a title and a version')
  }
}

/**
 * Options of {@link withOpenApi}'s route.
 *
 * @example
 * ```ts
 * const docs: OpenApiRouteOptions = { path: '/docs/openapi.json' }
 * const http = withOpenApi(routes, { info: { title: 'Orders', version: '1.0.0' }, ...docs })
 * ```
 */
export interface OpenApiRouteOptions {
  /** The route's path. Default `/openapi.json`. */
  readonly path?: string
}

/** The `GET /openapi.json` route: the document, written on the first request and then kept. */
const documentRoute = <C extends object>(
  document: () => OpenApiDocument,
  options: OpenApiRouteOptions = {},
): HttpRoute<Record<never, never>, C> => {
  let body: string | undefined
  return {
    method: 'GET',
    path: options.path ?? '/openapi.json',
    options: {
      summary: 'This API description (OpenAPI 3.1)',
      responses: { '200': { description: 'The OpenAPI document', schema: { type: 'object' } } },
    },
    handler: (request) => {
      body ??= JSON.stringify(document())
      // A full response passes the router as it is: a HEAD request gets the headers only.
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-cache' },
        body: request.method === 'HEAD' ? '' : body,
        isBase64Encoded: false,
      }
    },
  }
}

/**
 * The routes, and after them a `GET /openapi.json` route (or `options.path`) that serves their
 * OpenAPI document, itself included; the document is written on the first request, so a
 * container that is never asked for it pays nothing. What a Powertools user knows as
 * `app.enableSwagger()`.
 *
 * @example
 * ```ts
 * const app = router({
 *   http: withOpenApi(
 *     [{ method: 'GET', path: '/health', handler: () => ({ status: 'ok' }) }],
 *     { info: { title: 'Orders', version: '1.0.0' }, servers: [{ url: 'https://api.example.com' }] },
 *   ),
 * })
 * ```
 */
export const withOpenApi = <C extends object = Record<never, never>>(
  routes: readonly HttpRoute<NoValidation, C>[],
  options: OpenApiOptions & OpenApiRouteOptions,
): HttpRoute<NoValidation, C>[] => {
  checkInfo(options) // now, not at the first request for the document
  const all: HttpRoute<NoValidation, C>[] = [...routes]
  all.push(documentRoute<C>(() => openapi({ routes: all }, options), options))
  return all
}
