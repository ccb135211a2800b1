import { asArray, asRecord, dict, hasLineBreak } from '../internal/guards.ts'
import { err, ok, type Result } from '../result/index.ts'
import type { EventVersion } from './events.ts'

/** An HTTP response ready to write: status, headers with all their values, body bytes. */
export interface OutgoingHttp {
  statusCode: number
  headers: Record<string, string[]>
  body: Buffer
}

const addHeader = (headers: Record<string, string[]>, name: string, value: string): void => {
  const key = name.toLowerCase()
  const list = headers[key]
  if (list === undefined) headers[key] = [value]
  else list.push(value)
}

const isScalar = (value: unknown): value is string | number | boolean =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'

/**
 * Turns a handler's result into the HTTP response API Gateway or ALB would send, or says why it
 * cannot (the local server answers that with a 502, as API Gateway does).
 */
export const fromLambdaResult = (
  result: unknown,
  version: EventVersion,
): Result<OutgoingHttp, string> => {
  const record = asRecord(result)
  // HTTP API v2 infers a 200 JSON response from a result without a statusCode.
  if (version === 'v2' && (record === undefined || record.statusCode === undefined)) {
    if (result === undefined) return ok({ statusCode: 200, headers: {}, body: Buffer.alloc(0) })
    const body = typeof result === 'string' ? result : JSON.stringify(result)
    return ok({
      statusCode: 200,
      headers: { 'content-type': ['application/json'] },
      body: Buffer.from(body),
    })
  }
  if (record === undefined) return err('the result is not an object with a statusCode')
  const status = record.statusCode
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    return err(`statusCode ${JSON.stringify(status)} is not an HTTP status`)
  }
  const headers = dict<string[]>()
  for (const [name, value] of Object.entries(asRecord(record.headers) ?? {})) {
    if (!isScalar(value) || hasLineBreak(String(value)) || hasLineBreak(name)) {
      return err(`header ${name} is not a single line of text`)
    }
    addHeader(headers, name, String(value))
  }
  for (const [name, values] of Object.entries(asRecord(record.multiValueHeaders) ?? {})) {
    const list = asArray(values)
    if (list === undefined || !list.every(isScalar)) return err(`header ${name} is not a list`)
    if (hasLineBreak(name) || list.some((value) => hasLineBreak(String(value)))) {
      return err(`header ${name} is not a single line of text`)
    }
    delete headers[name.toLowerCase()]
    for (const value of list) addHeader(headers, name, String(value))
  }
  if (version === 'v2') {
    for (const cookie of asArray(record.cookies) ?? []) {
      if (typeof cookie !== 'string' || hasLineBreak(cookie)) {
        return err('a cookie is not a single line of text')
      }
      addHeader(headers, 'set-cookie', cookie)
    }
  }
  const body = record.body
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return err('body is not a string')
  }
  const bytes =
    typeof body === 'string'
      ? Buffer.from(body, record.isBase64Encoded === true ? 'base64' : 'utf8')
      : Buffer.alloc(0)
  return ok({ statusCode: status, headers, body: bytes })
}
