/**
 * RFC 9457 problem details as OpenAPI components: the schema, and a response per status the
 * router and the checks answer (400, 401, 403, 404, 405, 415, 422, 500).
 */
import { PROBLEM_CONTENT_TYPE, reasonPhrase } from '../errors/errors.ts'
import type { JsonSchema, Response } from './types.ts'

/** The reason phrase of a status, for a response's default description. */
export const reason = (status: number): string =>
  Number.isInteger(status) ? reasonPhrase(status) : 'Response'

const PROBLEM = '#/components/schemas/ProblemDetails'

/** `ProblemDetails` (RFC 9457, as `toProblem` of `metis-app/errors` writes it) and `ValidationProblem` (the 422). */
export const PROBLEM_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  ProblemDetails: {
    type: 'object',
    description: 'RFC 9457 problem details (application/problem+json)',
    required: ['type', 'title', 'status'],
    properties: {
      type: { type: 'string', format: 'uri-reference', default: 'about:blank' },
      title: { type: 'string', description: 'The reason phrase of the status' },
      status: { type: 'integer', minimum: 100, maximum: 599 },
      detail: { type: 'string', description: 'What went wrong; only for an exposed error' },
      instance: { type: 'string', format: 'uri-reference' },
      code: {
        type: 'string',
        description: 'A stable error code (INVALID_TOKEN, VALIDATION_FAILED)',
      },
      details: { description: 'More about the error, by its code' },
    },
    additionalProperties: true,
  },
  ValidationProblem: {
    allOf: [
      { $ref: PROBLEM },
      {
        type: 'object',
        properties: {
          code: { const: 'VALIDATION_FAILED' },
          details: {
            type: 'object',
            required: ['issues'],
            properties: {
              issues: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['in', 'path', 'message'],
                  properties: {
                    in: { enum: ['body', 'query', 'params'] },
                    path: { type: 'string', description: 'Dotted path inside the part' },
                    message: { type: 'string' },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
}

/** A problem details response (RFC 9457) with the given description. */
export const problem = (
  description: string,
  schema = PROBLEM,
  headers?: Response['headers'],
): Response => ({
  description,
  ...(headers === undefined ? {} : { headers }),
  content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: schema } } },
})

const challenge = {
  'WWW-Authenticate': {
    description: 'The Bearer challenge (RFC 6750): error="invalid_token" or "insufficient_scope"',
    schema: { type: 'string' },
  },
}

/** The problem responses, by component name. */
export const PROBLEM_RESPONSES: Readonly<Record<string, Response>> = {
  BadRequest: problem(
    'A malformed request: a bad percent-encoding in the path, a body that is not JSON',
  ),
  Unauthorized: problem('No valid bearer token', PROBLEM, challenge),
  Forbidden: problem(
    'The token lacks a scope or an activity the route requires',
    PROBLEM,
    challenge,
  ),
  NotFound: problem(
    'No route matches the path (what the router answers any path this document does not list)',
  ),
  MethodNotAllowed: problem('The path has routes for other methods only', PROBLEM, {
    Allow: { description: 'The methods the path answers', schema: { type: 'string' } },
  }),
  UnsupportedMediaType: problem('The route needs a JSON body (application/json)'),
  UnprocessableContent: problem(
    'The request did not pass validation: every issue of the body, the query and the path parameters',
    '#/components/schemas/ValidationProblem',
  ),
  InternalServerError: problem('The route failed; no detail is shown'),
}

const NAMES: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  415: 'UnsupportedMediaType',
  422: 'UnprocessableContent',
  500: 'InternalServerError',
}

/** A reference to the component of a status, or a problem response of its own. */
export const problemResponse = (status: number): Response | { readonly $ref: string } => {
  const name = NAMES[status]
  return name === undefined ? problem(reason(status)) : { $ref: `#/components/responses/${name}` }
}
