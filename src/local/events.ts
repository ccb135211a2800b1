import { randomUUID } from 'node:crypto'
import { dict, safeDecode } from '../internal/guards.ts'

/**
 * The API Gateway / ALB event shape the local server builds from each HTTP request.
 *
 * @example
 * ```ts
 * const eventVersion: EventVersion = process.env.EVENT_VERSION === 'alb' ? 'alb' : 'v2'
 * await serve(handler, { eventVersion })
 * ```
 */
export type EventVersion = 'v2' | 'v1' | 'alb'

/** What the local server read of one HTTP request. */
export interface IncomingHttp {
  method: string
  /** Path and query as sent (`/orders?id=1`). */
  url: string
  /** Header name -> values (Node's `headersDistinct`). */
  headers: Record<string, string[]>
  body: Buffer
  sourceIp: string
}

/** Content types sent to the handler as text; anything else is base64, as API Gateway does. */
const isTextual = (contentType: string | undefined): boolean => {
  if (contentType === undefined) return true
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? ''
  return (
    type.startsWith('text/') ||
    type.endsWith('+json') ||
    type.endsWith('+xml') ||
    [
      'application/json',
      'application/xml',
      'application/javascript',
      'application/x-www-form-urlencoded',
    ].includes(type)
  )
}

const lastOf = (values: Record<string, string[]>): Record<string, string> => {
  const single: Record<string, string> = {}
  for (const [name, list] of Object.entries(values)) {
    const last = list[list.length - 1]
    if (last !== undefined) single[name] = last
  }
  return single
}

const queryValues = (search: URLSearchParams, encode: boolean): Record<string, string[]> => {
  const all = dict<string[]>()
  for (const [rawName, rawValue] of search) {
    const name = encode ? encodeURIComponent(rawName) : rawName
    const value = encode ? encodeURIComponent(rawValue) : rawValue
    const list = all[name]
    if (list === undefined) all[name] = [value]
    else list.push(value)
  }
  return all
}

/**
 * Builds the API Gateway (HTTP API v2 or REST v1) or ALB event for one HTTP request, in the same
 * shape as the real samples, so that a handler cannot tell it from the real thing.
 */
export const toLambdaEvent = (
  request: IncomingHttp,
  version: EventVersion,
  now: Date = new Date(),
): Record<string, unknown> => {
  // Split by hand: `new URL` would read `//host/x` as a host and resolve `..` segments, which
  // API Gateway does not do.
  const mark = request.url.indexOf('?')
  const rawPath = (mark < 0 ? request.url : request.url.slice(0, mark)) || '/'
  const rawQuery = mark < 0 ? '' : (request.url.slice(mark + 1).split('#')[0] ?? '')
  const parsed = { searchParams: new URLSearchParams(rawQuery) }
  const text = isTextual(request.headers['content-type']?.[0])
  const body =
    request.body.length === 0
      ? undefined
      : text
        ? request.body.toString('utf8')
        : request.body.toString('base64')
  const isBase64Encoded = body !== undefined && !text
  const requestId = randomUUID()
  // HTTP API hands the handler a decoded path; REST APIs and ALB keep the encoding.
  const path = version === 'v2' ? (safeDecode(rawPath) ?? rawPath) : rawPath

  if (version === 'v2') {
    const headers: Record<string, string> = {}
    for (const [name, values] of Object.entries(request.headers)) {
      if (name !== 'cookie') headers[name] = values.join(',')
    }
    const cookies = (request.headers.cookie ?? []).flatMap((c) => c.split(/;\s*/)).filter(Boolean)
    const query = queryValues(parsed.searchParams, false)
    const queryStringParameters = Object.fromEntries(
      Object.entries(query).map(([name, values]) => [name, values.join(',')]),
    )
    return {
      version: '2.0',
      routeKey: '$default',
      rawPath: path,
      rawQueryString: rawQuery,
      ...(cookies.length > 0 ? { cookies } : {}),
      headers,
      ...(rawQuery === '' ? {} : { queryStringParameters }),
      requestContext: {
        accountId: '123456789012',
        apiId: 'local',
        domainName: headers.host ?? 'localhost',
        domainPrefix: 'local',
        http: {
          method: request.method,
          path,
          protocol: 'HTTP/1.1',
          sourceIp: request.sourceIp,
          userAgent: headers['user-agent'] ?? '',
        },
        requestId,
        routeKey: '$default',
        stage: '$default',
        time: now.toISOString(),
        timeEpoch: now.getTime(),
      },
      ...(body === undefined ? {} : { body }),
      isBase64Encoded,
    }
  }

  // API Gateway and ALB add the client address to X-Forwarded-For; ALB's handler has no other way
  // to learn it.
  const forwarded = request.headers['x-forwarded-for']
  const multiValueHeaders = {
    ...request.headers,
    'x-forwarded-for': forwarded
      ? [`${forwarded.join(', ')}, ${request.sourceIp}`]
      : [request.sourceIp],
  }
  const common = {
    httpMethod: request.method,
    path,
    headers: lastOf(multiValueHeaders),
    multiValueHeaders,
    body: body ?? null,
    isBase64Encoded,
  }
  if (version === 'alb') {
    const multiValueQueryStringParameters = queryValues(parsed.searchParams, true)
    return {
      requestContext: {
        elb: {
          targetGroupArn:
            'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/local/0123456789abcdef',
        },
      },
      ...common,
      queryStringParameters: lastOf(multiValueQueryStringParameters),
      multiValueQueryStringParameters,
    }
  }
  const multiValueQueryStringParameters = queryValues(parsed.searchParams, false)
  const hasQuery = Object.keys(multiValueQueryStringParameters).length > 0
  return {
    resource: '/{proxy+}',
    ...common,
    queryStringParameters: hasQuery ? lastOf(multiValueQueryStringParameters) : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQueryStringParameters : null,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      httpMethod: request.method,
      identity: { sourceIp: request.sourceIp, userAgent: lastOf(multiValueHeaders)['user-agent'] },
      path: `/local${path}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: now.toISOString(),
      requestTimeEpoch: now.getTime(),
      resourcePath: '/{proxy+}',
      stage: 'local',
    },
  }
}
