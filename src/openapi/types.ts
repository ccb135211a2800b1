/** The types of `metis-app/openapi`: the OpenAPI 3.1 objects it writes, and its options. */

import type { HttpRoute, JsonSchema, RouteOptions, RouteValidation } from '../router/types.ts'

export type { JsonSchema }

/**
 * Specification extensions (`x-...`), allowed on most OpenAPI objects.
 *
 * @example
 * ```ts
 * const internal: Extensions = { 'x-internal': true, 'x-owner': 'orders-team' }
 * ```
 */
export type Extensions = { readonly [extension: `x-${string}`]: unknown }

/**
 * The API's metadata (OpenAPI `info`).
 *
 * @example
 * ```ts
 * const info: OpenApiInfo = {
 *   title: 'Orders', version: '1.2.0', contact: { email: 'api@example.com' }, license: { name: 'MIT', identifier: 'MIT' },
 * }
 * ```
 */
export interface OpenApiInfo extends Extensions {
  readonly title: string
  readonly version: string
  readonly summary?: string
  readonly description?: string
  readonly termsOfService?: string
  readonly contact?: { readonly name?: string; readonly url?: string; readonly email?: string }
  readonly license?: { readonly name: string; readonly identifier?: string; readonly url?: string }
}

/**
 * A server the API is reached at (OpenAPI `servers`).
 *
 * @example
 * ```ts
 * const server: OpenApiServer = {
 *   url: 'https://{stage}.api.example.com', variables: { stage: { default: 'prod', enum: ['prod', 'dev'] } },
 * }
 * ```
 */
export interface OpenApiServer extends Extensions {
  readonly url: string
  readonly description?: string
  readonly variables?: Readonly<
    Record<
      string,
      { readonly default: string; readonly enum?: readonly string[]; readonly description?: string }
    >
  >
}

/**
 * A reference to a component (`{ $ref: '#/components/responses/NotFound' }`).
 *
 * @example
 * ```ts
 * const notFound: Reference = { $ref: '#/components/responses/NotFound' }
 * ```
 */
export interface Reference {
  readonly $ref: string
}

/**
 * A path or query parameter.
 *
 * @example
 * ```ts
 * const id: Parameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } }
 * ```
 */
export interface Parameter extends Extensions {
  readonly name: string
  readonly in: 'path' | 'query' | 'header' | 'cookie'
  readonly required?: boolean
  readonly description?: string
  readonly schema: JsonSchema
  readonly style?: string
  readonly explode?: boolean
  readonly example?: unknown
}

/**
 * A body of one media type, with its schema and an example.
 *
 * @example
 * ```ts
 * const json: MediaType = { schema: { type: 'object' }, example: { id: '42' } }
 * ```
 */
export interface MediaType {
  readonly schema?: JsonSchema
  readonly example?: unknown
}

/**
 * A request body (OpenAPI `requestBody`).
 *
 * @example
 * ```ts
 * const body: RequestBody = { required: true, content: { 'application/json': { schema: { type: 'object' } } } }
 * ```
 */
export interface RequestBody {
  readonly description?: string
  readonly required?: boolean
  readonly content: Readonly<Record<string, MediaType>>
}

/**
 * A response header.
 *
 * @example
 * ```ts
 * const location: Header = { description: 'The URL of the new order', schema: { type: 'string' } }
 * ```
 */
export interface Header {
  readonly description?: string
  readonly schema: JsonSchema
}

/**
 * A response (OpenAPI `Response Object`).
 *
 * @example
 * ```ts
 * const found: Response = { description: 'The order', content: { 'application/json': { schema: { type: 'object' } } } }
 * ```
 */
export interface Response {
  readonly description: string
  readonly headers?: Readonly<Record<string, Header>>
  readonly content?: Readonly<Record<string, MediaType>>
}

/**
 * One operation: a method of a path.
 *
 * @example
 * ```ts
 * const operation: Operation | undefined = document.paths['/orders/{id}']?.get
 * console.log(operation?.operationId, Object.keys(operation?.responses ?? {}))
 * ```
 */
export interface Operation extends Extensions {
  readonly operationId: string
  readonly summary?: string
  readonly description?: string
  readonly tags?: readonly string[]
  readonly deprecated?: boolean
  readonly parameters?: readonly Parameter[]
  readonly requestBody?: RequestBody
  readonly responses: Readonly<Record<string, Response | Reference>>
  /** Alternatives: any one requirement object is enough; `{}` is anonymous access. */
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[]
}

/**
 * The methods OpenAPI 3.1 names in a path item.
 *
 * @example
 * ```ts
 * const method: OperationMethod = 'post'
 * const summary = document.paths['/orders']?.[method]?.summary
 * ```
 */
export type OperationMethod =
  | 'get'
  | 'put'
  | 'post'
  | 'delete'
  | 'options'
  | 'head'
  | 'patch'
  | 'trace'

/**
 * The operations of one path template.
 *
 * @example
 * ```ts
 * const item: PathItem = document.paths['/orders/{id}'] ?? {}
 * const methods = Object.keys(item) // ['get', 'head', ...]
 * ```
 */
export type PathItem = { readonly [M in OperationMethod]?: Operation } & Extensions

/**
 * A security scheme (OpenAPI `components.securitySchemes`).
 *
 * @example
 * ```ts
 * const bearer: SecurityScheme = { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }
 * ```
 */
export type SecurityScheme =
  | {
      readonly type: 'http'
      readonly scheme: string
      readonly bearerFormat?: string
      readonly description?: string
    }
  | {
      readonly type: 'oauth2'
      readonly description?: string
      readonly flows: {
        readonly clientCredentials?: {
          readonly tokenUrl: string
          readonly scopes: Readonly<Record<string, string>>
        }
      }
    }

/**
 * An OpenAPI 3.1 document, as {@link openapi} writes it.
 *
 * @example
 * ```ts
 * const document: OpenApiDocument = openapi(app, { info: { title: 'Orders', version: '1.0.0' } })
 * await writeFile('openapi.json', JSON.stringify(document, null, 2))
 * ```
 */
export interface OpenApiDocument extends Extensions {
  readonly openapi: '3.1.1'
  readonly info: OpenApiInfo
  readonly servers?: readonly OpenApiServer[]
  readonly tags?: readonly { readonly name: string; readonly description?: string }[]
  readonly paths: Readonly<Record<string, PathItem>>
  readonly components: {
    readonly schemas: Readonly<Record<string, JsonSchema>>
    readonly responses: Readonly<Record<string, Response>>
    readonly securitySchemes?: Readonly<Record<string, SecurityScheme>>
  }
}

/**
 * An HTTP route as {@link openapi} reads it: its method, template and options.
 *
 * @example
 * ```ts
 * const route: DocumentedRoute = { method: 'GET', path: '/orders/{id}', options: { summary: 'One order' } }
 * const document = openapi({ routes: [route] }, { info: { title: 'Orders', version: '1.0.0' } })
 * ```
 */
export interface DocumentedRoute {
  readonly method: string
  readonly path: string
  readonly options?: RouteOptions<RouteValidation, never>
}

/**
 * What {@link openapi} describes: the app `router()` returns (its `routes`), or any object with
 * the HTTP routes.
 *
 * @example
 * ```ts
 * const source: OpenApiSource = { routes: app.routes } // app = router({ http: [...] })
 * const document = openapi(source, { info: { title: 'Orders', version: '1.0.0' } })
 * ```
 */
export interface OpenApiSource {
  readonly routes: readonly DocumentedRoute[] | readonly HttpRoute[]
}

/**
 * Options of {@link openapi}.
 *
 * @example
 * ```ts
 * const options: OpenApiOptions = {
 *   info: { title: 'Orders', version: '1.0.0' }, oauth2: { tokenUrl: 'https://auth.example.com/oauth2/token' },
 * }
 * const document = openapi(app, options)
 * ```
 */
export interface OpenApiOptions {
  /** The API's title, version and description. */
  readonly info: OpenApiInfo
  /** Where the API is reached (API Gateway stage URLs, the local server). */
  readonly servers?: readonly OpenApiServer[]
  /** Descriptions of the tags the routes use. */
  readonly tags?: readonly { readonly name: string; readonly description?: string }[]
  /**
   * The token endpoint of the OAuth2 client-credentials flow. When given, the routes' `scope()`
   * checks are an `oauth2` scheme's scopes (the API page can then fetch a token); without it
   * they are role names of the bearer scheme (OpenAPI 3.1 allows that).
   */
  readonly oauth2?: { readonly tokenUrl: string; readonly description?: string }
}
