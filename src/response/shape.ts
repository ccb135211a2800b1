/** Shapes a handler's value or error as the response of the event it answers (REST v1, HTTP API v2, Function URL, ALB, VPC Lattice). */

import { InternalServerError, reasonPhrase, toAppError } from '../errors/errors.ts'
import { asRecord, dict } from '../internal/guards.ts'
import { isResult } from '../internal/result.ts'
import { httpTargetOf } from '../request/accessor.ts'
import { isProxied, isV2Shape } from '../request/http-shapes.ts'
import type { HttpShape } from '../request/types.ts'
import { binary, isReply, json, noContent, problem, type Reply } from './reply.ts'

/**
 * Where a response goes: the event shape, whether it used multi-value headers, and the method.
 *
 * @example
 * ```ts
 * const target: ResponseTarget = { shape: 'rest-v1', multiValue: false, method: 'GET' }
 * respond(json({ id: '42' }), target)
 * ```
 */
export interface ResponseTarget {
  readonly shape: HttpShape
  readonly multiValue: boolean
  readonly method: string
}

/**
 * A REST v1 (API Gateway proxy) response.
 *
 * @example
 * ```ts
 * const response: RestV1Response = {
 *   statusCode: 204, headers: {}, body: '', isBase64Encoded: false,
 * }
 * ```
 */
export interface RestV1Response {
  statusCode: number
  headers: Record<string, string>
  multiValueHeaders?: Record<string, string[]>
  body: string
  isBase64Encoded: boolean
}

/**
 * An HTTP API v2 or Function URL response.
 *
 * @example
 * ```ts
 * const response: HttpV2Response = { statusCode: 204, headers: {}, isBase64Encoded: false }
 * ```
 */
export interface HttpV2Response {
  statusCode: number
  headers: Record<string, string>
  cookies?: string[]
  body?: string
  isBase64Encoded: boolean
}

/**
 * An ALB response (multi-value headers when the target group has them on).
 *
 * @example
 * ```ts
 * const response: AlbResponse = {
 *   statusCode: 404, statusDescription: '404 Not Found', body: '', isBase64Encoded: false,
 * }
 * ```
 */
export interface AlbResponse {
  statusCode: number
  statusDescription: string
  headers?: Record<string, string>
  multiValueHeaders?: Record<string, string[]>
  body: string
  isBase64Encoded: boolean
}

/**
 * A VPC Lattice response (event structure v1 and v2 alike): single-value headers.
 *
 * @example
 * ```ts
 * const response: LatticeResponse = {
 *   statusCode: 200, statusDescription: '200 OK', headers: {}, body: 'ok', isBase64Encoded: false,
 * }
 * ```
 */
export interface LatticeResponse {
  statusCode: number
  statusDescription: string
  headers: Record<string, string>
  body: string
  isBase64Encoded: boolean
}

/**
 * A response in one of the shapes Lambda's HTTP integrations read.
 *
 * @example
 * ```ts
 * const response: HttpResponse = respond(json({ id: '42' }), target)
 * if ('statusDescription' in response) console.log(response.statusDescription) // ALB, VPC Lattice
 * ```
 */
export type HttpResponse = RestV1Response | HttpV2Response | AlbResponse | LatticeResponse

/** Turns a handler's value (not an error) into a reply; undefined for a full response object. */
const replyOf = (value: unknown): Reply | undefined => {
  if (isReply(value)) return value
  if (value === undefined) return noContent()
  if (value instanceof Error) return problem(value)
  if (value instanceof Uint8Array) return binary(value)
  if (typeof asRecord(value)?.statusCode === 'number') return undefined
  return json(value)
}

/**
 * The common case without building a reply: a plain JSON value, status 200, for REST v1, HTTP API
 * v2 or Function URL (the three take the same fields when there are no cookies); else undefined.
 */
const plainJson = (value: unknown, target: ResponseTarget): HttpResponse | undefined => {
  // ALB and VPC Lattice (the proxied shapes) answer with a status line: built as a reply.
  if (value === undefined || isProxied(target.shape)) return undefined
  if (typeof value === 'object' && value !== null) {
    if (isReply(value) || value instanceof Error || value instanceof Uint8Array) return undefined
    if (typeof (value as { statusCode?: unknown }).statusCode === 'number') return undefined
  }
  const body = JSON.stringify(value)
  if (body === undefined) return undefined
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body,
    isBase64Encoded: false,
  }
}

/** A `Set-Cookie` in single-value headers, where only one fits. */
const singleCookie = (
  headers: Record<string, string>,
  cookies: readonly string[],
  shape: HttpShape,
): void => {
  if (cookies.length > 1) {
    const [who, code] =
      shape === 'alb'
        ? ['An ALB target group without multi-value headers', 'ALB_SINGLE_VALUE_COOKIES']
        : ['A VPC Lattice target group', 'LATTICE_SINGLE_VALUE_COOKIES']
    throw new InternalServerError(`${who} can set only one cookie per response`, { code })
  }
  if (cookies[0] !== undefined) headers['Set-Cookie'] = cookies[0]
}

/** Places a reply in the shape of the target event. */
const shape = (reply: Reply, target: ResponseTarget): HttpResponse => {
  const { body, isBase64Encoded } = reply
  const headers = { ...reply.headers }
  const cookies = reply.cookies
  if (isV2Shape(target.shape)) {
    const response: HttpV2Response = { statusCode: reply.statusCode, headers, isBase64Encoded }
    if (cookies.length > 0) response.cookies = [...cookies]
    if (body !== undefined) response.body = body
    return response
  }
  if (target.shape === 'rest-v1') {
    const response: RestV1Response = {
      statusCode: reply.statusCode,
      headers,
      body: body ?? '',
      isBase64Encoded,
    }
    if (cookies.length > 0) response.multiValueHeaders = { 'Set-Cookie': [...cookies] }
    return response
  }
  const statusDescription = `${reply.statusCode} ${reasonPhrase(reply.statusCode)}`
  if (target.shape === 'lattice-v1' || target.shape === 'lattice-v2') {
    singleCookie(headers, cookies, target.shape)
    const lattice: LatticeResponse = {
      statusCode: reply.statusCode,
      statusDescription,
      headers,
      body: body ?? '',
      isBase64Encoded,
    }
    return lattice
  }
  const alb: AlbResponse = {
    statusCode: reply.statusCode,
    statusDescription,
    body: body ?? '',
    isBase64Encoded,
  }
  if (target.multiValue) {
    const multi = dict<string[]>()
    for (const [name, value] of Object.entries(headers)) multi[name] = [value]
    if (cookies.length > 0) multi['Set-Cookie'] = [...cookies]
    alb.multiValueHeaders = multi
    return alb
  }
  singleCookie(headers, cookies, 'alb')
  alb.headers = headers
  return alb
}

/**
 * The answer to a HEAD request: the same status and headers, no body (RFC 9110 9.3.2); an empty
 * body where the shape has one.
 */
const withoutBody = (response: HttpResponse, target: ResponseTarget): HttpResponse => {
  const { body: _body, ...rest } = response as HttpResponse & { body?: unknown }
  const head = { ...rest, ...(isV2Shape(target.shape) ? {} : { body: '' }), isBase64Encoded: false }
  return head as HttpResponse
}

/**
 * Shapes a handler's outcome for the event it answers: a `Result` is unwrapped (its error becomes a
 * problem), a {@link Reply} or plain value is shaped, a full response object passes through, and
 * `undefined` is a 204. Never throws: a value that cannot be serialised is a 500 problem.
 *
 * @example
 * ```ts
 * respond(ok({ id: '42' }), { shape: 'http-v2', multiValue: false, method: 'GET' })
 * // { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"id":"42"}', isBase64Encoded: false }
 * ```
 */
export const respond = (value: unknown, target: ResponseTarget): HttpResponse => {
  const response = shaped(value, target)
  return target.method === 'HEAD' ? withoutBody(response, target) : response
}

const shaped = (value: unknown, target: ResponseTarget): HttpResponse => {
  try {
    const outcome = isResult(value) ? (value.ok ? value.value : toAppError(value.error)) : value
    const fast = plainJson(outcome, target)
    if (fast !== undefined) return fast
    const reply = replyOf(outcome)
    return reply === undefined ? (outcome as HttpResponse) : shape(reply, target)
  } catch (error) {
    return shape(problem(error), target)
  }
}

/**
 * Shapes an error as a problem response for the event it answers.
 *
 * @example
 * ```ts
 * respondError(new ForbiddenError(), targetOf(event))
 * ```
 */
export const respondError = (error: unknown, target: ResponseTarget): HttpResponse =>
  respond({ ok: false, error }, target)

/**
 * The response target of the invocation's HTTP event (read from `context.request`, built once by
 * whichever part needs it first); undefined for any other event.
 *
 * @example
 * ```ts
 * const target = targetOf(event, context)
 * ```
 */
export const targetOf = (event: unknown, context: object = {}): ResponseTarget | undefined =>
  httpTargetOf(event, context)
