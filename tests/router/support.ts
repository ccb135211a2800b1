/** Small HTTP events for router tests, in the shapes API Gateway sends. */
import type { Context } from 'aws-lambda'
import type { RequestContext } from '../../src/request/index.ts'
import type { RouteContext } from '../../src/router/index.ts'
import { lambdaContext } from '../support/events.ts'

export interface EventInit {
  headers?: Record<string, string>
  body?: string
  query?: string
}

/** An HTTP API v2 event for a method and a raw path (with an optional query string). */
export const v2Event = (method: string, rawPath: string, init: EventInit = {}) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath,
  rawQueryString: init.query ?? '',
  headers: init.headers ?? {},
  ...(init.body === undefined ? {} : { body: init.body, isBase64Encoded: false }),
  requestContext: {
    http: { method, path: rawPath, sourceIp: '127.0.0.1' },
    domainName: 'abc.execute-api.eu-west-1.amazonaws.com',
    requestId: 'gw-1',
    stage: '$default',
  },
})

/** A REST v1 event with multi-value headers. */
export const v1Event = (method: string, path: string, init: EventInit = {}) => {
  const headers = init.headers ?? {}
  return {
    httpMethod: method,
    path,
    resource: '/{proxy+}',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    body: init.body ?? null,
    isBase64Encoded: false,
    requestContext: { stage: 'prod', requestId: 'gw-2', identity: { sourceIp: '10.0.0.1' } },
  }
}

/** A fresh Lambda context, typed as the one the router middleware and request builder fill in. */
export const context = (): Context & RouteContext & RequestContext =>
  lambdaContext() as unknown as Context & RouteContext & RequestContext

/** Parses a JSON response body. */
export const bodyOf = (response: unknown): unknown =>
  JSON.parse((response as { body: string }).body)
