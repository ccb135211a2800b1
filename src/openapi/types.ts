/** The types of `metis-app/openapi`: the OpenAPI 3.1 objects it writes, and its options. */

import type { HttpRoute, JsonSchema, RouteOptions, RouteValidation } from '../router/types.ts'

export type { JsonSchema }

/** Specification extensions (`x-...`), allowed on most OpenAPI objects. */
export type Extensions = { readonly [extension: `x-${string}`]: unknown }

/** The API's metadata (OpenAPI `info`). */
export interface OpenApiInfo extends Extensions {
  readonly title: string
  readonly version: string
  readonly summary?: string
  readonly description?: string
  readonly termsOfService?: string
  readonly contact?: { readonly name?: string; readonly url?: string; readonly email?: string }
  readonly license?: { readonly name: string; readonly identifier?: string; readonly url?: string }
}

/** A server the API is reached at (OpenAPI `servers`). */
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

/** A reference to a component (`{ $ref: '#/components/responses/NotFound' }`). */
export interface Reference {
  readonly $ref: string
}

/** A path or query parameter. */
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

/** A body of one media type, with its schema and an example. */
export interface MediaType {
  readonly schema?: JsonSchema
  readonly example?: unknown
}

/** A request body (OpenAPI `requestBody`). */
export interface RequestBody {
  readonly description?: string
  readonly required?: boolean
  readonly content: Readonly<Record<string, MediaType>>
}

/** A response header. */
export interface Header {
  readonly description?: string
  readonly schema: JsonSchema
}

/** A response (OpenAPI `Response Object`). */
export interface Response {
  readonly description: string
  readonly headers?: Readonly<Record<string, Header>>
  readonly content?: Readonly<Record<string, MediaType>>
}

/** One operation: a method of a path. */
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

/** The methods OpenAPI 3.1 names in a path item. */
export type OperationMethod =
  | 'get'
  | 'put'
  | 'post'
  | 'delete'
  | 'options'
  | 'head'
  | 'patch'
  | 'trace'

/** The operations of one path template. */
export type PathItem = { readonly [M in OperationMethod]?: Operation } & Extensions

/** A security scheme (OpenAPI `components.securitySchemes`). */
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

/** An OpenAPI 3.1 document, as {@link openapi} writes it. */
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

/** An HTTP route as {@link openapi} reads it: its method, template and options. */
export interface DocumentedRoute {
  readonly method: string
  readonly path: string
  readonly options?: RouteOptions<RouteValidation, never>
}

/**
 * What {@link openapi} describes: the app `router()` returns (its `routes`), or any object with
 * the HTTP routes.
 */
export interface OpenApiSource {
  readonly routes: readonly DocumentedRoute[] | readonly HttpRoute[]
}

/** Options of {@link openapi}. */
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
