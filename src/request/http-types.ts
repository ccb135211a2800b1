/**
 * The types of an HTTP request: the event shapes metis-app reads and answers, and the one
 * normalized {@link HttpRequest} every shape becomes.
 */

import type { RequestCommon } from './common-types.ts'

/**
 * The HTTP event shapes metis-app reads and answers: API Gateway REST APIs (and HTTP API payload
 * 1.0), HTTP API payload 2.0, Lambda Function URLs, Application Load Balancers, and VPC Lattice
 * target groups of event structure version 1 and 2.
 *
 * @example
 * ```ts
 * const behindLoadBalancer = (shape: HttpShape): boolean => shape === 'alb' || shape.startsWith('lattice')
 * ```
 */
export type HttpShape = 'rest-v1' | 'http-v2' | 'function-url' | 'alb' | 'lattice-v1' | 'lattice-v2'

/**
 * A normalized HTTP request, whichever HTTP shape the event had.
 *
 * @example
 * ```ts
 * const hello = (request: HttpRequest) => ({
 *   statusCode: 200,
 *   body: `${request.method} ${request.path}: hello ${request.query.name ?? 'world'}`,
 * })
 * ```
 */
export interface HttpRequest extends RequestCommon {
  /** Always `http`. */
  readonly kind: 'http'
  /** The shape of the event; the responder answers in the same shape. */
  readonly shape: HttpShape
  /** Upper-case method (`GET`). */
  readonly method: string
  /** The path, without a named HTTP API stage prefix (as REST v1's `path`). */
  readonly path: string
  /**
   * Headers with lower-case names; the last value when a header repeats. When the event has both
   * maps (REST v1), this is its `headers` map, in which API Gateway puts the last value.
   */
  readonly headers: Readonly<Record<string, string>>
  /**
   * Headers with lower-case names and all their values. When the event has both maps (REST v1),
   * `multiValueHeaders` wins for a name in both; a name only in `headers` is added.
   */
  readonly multiValueHeaders: Readonly<Record<string, readonly string[]>>
  /**
   * Headers with lower-case names, each with all its values in one string: joined with `, ` as
   * RFC 9110 section 5.3 combines the lines of a field, `cookie` with `; ` (RFC 9113 8.2.3). Read
   * this where a header may repeat and every value counts (`accept`, `forwarded`, `via`).
   */
  readonly combinedHeaders: Readonly<Record<string, string>>
  /** Query parameters, decoded; the last value when a name repeats. */
  readonly query: Readonly<Record<string, string>>
  /** Query parameters, decoded, with all their values. */
  readonly multiValueQuery: Readonly<Record<string, readonly string[]>>
  /** Request cookies by name (from `cookies` in v2, the `Cookie` header otherwise). */
  readonly cookies: Readonly<Record<string, string>>
  /** The body as text (decoded from base64 when the event flagged it), or undefined. */
  readonly body: string | undefined
  /** The raw bytes of a base64-flagged body, or undefined. */
  readonly bodyBytes: Uint8Array | undefined
  /** The parsed JSON body when the content type is JSON, else undefined. */
  readonly json: unknown
  /** Whether the event flagged the body as base64. */
  readonly isBase64Encoded: boolean
  /** The media type of `content-type`, lower-cased without parameters. */
  readonly contentType: string | undefined
  /**
   * The client IP as API Gateway saw it; for ALB and VPC Lattice the last `x-forwarded-for` entry
   * (the one the load balancer added: the entries before it are the client's to write).
   */
  readonly sourceIp: string | undefined
  /** API Gateway's own request id (`requestContext.requestId`), when the event has one. */
  readonly gatewayRequestId: string | undefined
  /** The API Gateway stage, when the event names one (hand-written events often do not). */
  readonly stage: string | undefined
  /** Path parameters API Gateway itself extracted (the router adds its own on the route match). */
  readonly pathParameters: Readonly<Record<string, string>>
  /** True when the event used multi-value headers (REST v1, ALB with multi-value enabled). */
  readonly multiValue: boolean
  /**
   * True when `path` is still percent-encoded as the client sent it (REST APIs, Function URLs,
   * ALB, VPC Lattice); false when API Gateway decoded it (HTTP APIs, payload 2.0 and 1.0).
   */
  readonly pathEncoded: boolean
}
