/**
 * Checks of a generated document: the OpenAPI 3.1 schema (`@seriousme/openapi-schema-validator`,
 * the specification's own JSON Schemas), and what a schema cannot say: each template's parameters
 * declared as path parameters, unique operation ids, every `$ref` resolving in the document.
 */
import { Validator } from '@seriousme/openapi-schema-validator'
import type { Context } from 'aws-lambda'
import { createLambdaContext } from '../../src/local/index.ts'
import type { OpenApiDocument } from '../../src/openapi/index.ts'

/** What is wrong with a document (empty when it is valid). */
export const problemsOf = async (document: OpenApiDocument): Promise<string[]> => {
  const validator = new Validator()
  const result = await validator.validate(
    structuredClone(document) as unknown as Parameters<Validator['validate']>[0],
  )
  const problems: string[] = []
  if (!result.valid) problems.push(`schema: ${JSON.stringify(result.errors)}`)
  if (validator.version !== '3.1') problems.push(`version ${validator.version}`)
  const ids = new Set<string>()
  for (const [path, item] of Object.entries(document.paths)) {
    const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])
    for (const [method, operation] of Object.entries(item)) {
      if (method.startsWith('x-') || operation === undefined) continue
      const op = operation as { operationId: string; parameters?: { name: string; in: string }[] }
      if (ids.has(op.operationId)) problems.push(`operationId ${op.operationId} twice`)
      ids.add(op.operationId)
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name)
      if (declared.sort().join() !== [...names].sort().join()) {
        problems.push(`${method} ${path}: path parameters ${declared} for ${names}`)
      }
    }
  }
  const text = JSON.stringify(document)
  for (const [, ref] of text.matchAll(/"\$ref":"([^"]+)"/g)) {
    const target = (ref as string)
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>(
        (at, key) => (at as Record<string, unknown> | undefined)?.[key.replaceAll('~1', '/')],
        document,
      )
    if (target === undefined) problems.push(`unresolved ${ref}`)
  }
  return problems
}

/** An HTTP API v2 event. */
export const httpEvent = (
  method: string,
  path: string,
  init: { query?: string; body?: string; headers?: Record<string, string> } = {},
) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: path,
  rawQueryString: init.query ?? '',
  headers: init.headers ?? {},
  ...(init.body === undefined ? {} : { body: init.body, isBase64Encoded: false }),
  requestContext: {
    http: { method, path, sourceIp: '127.0.0.1' },
    domainName: 'api.example.com',
    requestId: 'req-1',
    stage: '$default',
  },
})

/** A fresh Lambda context. */
export const lambda = (): Context => createLambdaContext({ requestId: 'req-1' })

/** The status, headers and body of an HTTP answer. */
export const answerOf = async (
  pending: unknown,
): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> =>
  (await pending) as { statusCode: number; headers: Record<string, string>; body: string }
