import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import type { Context } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { reasonPhrase } from '../../src/errors/errors.ts'
import {
  AppError,
  BadGatewayError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  GatewayTimeoutError,
  InternalServerError,
  isAppError,
  MethodNotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
  toAppError,
  toProblem,
  UnauthorizedError,
  UnprocessableEntityError,
  UnsupportedMediaTypeError,
} from '../../src/errors/index.ts'

describe('AppError', () => {
  it.each([
    [BadRequestError, 400, 'BAD_REQUEST', true],
    [UnauthorizedError, 401, 'UNAUTHORIZED', true],
    [ForbiddenError, 403, 'FORBIDDEN', true],
    [NotFoundError, 404, 'NOT_FOUND', true],
    [ConflictError, 409, 'CONFLICT', true],
    [UnsupportedMediaTypeError, 415, 'UNSUPPORTED_MEDIA_TYPE', true],
    [UnprocessableEntityError, 422, 'UNPROCESSABLE_CONTENT', true],
    [InternalServerError, 500, 'INTERNAL_SERVER_ERROR', false],
    [BadGatewayError, 502, 'BAD_GATEWAY', false],
    [ServiceUnavailableError, 503, 'SERVICE_UNAVAILABLE', false],
    [GatewayTimeoutError, 504, 'GATEWAY_TIMEOUT', false],
  ] as const)('%o answers %i with code %s and expose %s', (ErrorClass, status, code, expose) => {
    const error = new ErrorClass()
    expect(error).toBeInstanceOf(AppError)
    expect(error).toBeInstanceOf(Error)
    expect(error.statusCode).toBe(status)
    expect(error.code).toBe(code)
    expect(error.expose).toBe(expose)
    expect(error.message).toBe(reasonPhrase(status))
    expect(error.name).toBe(ErrorClass.name)
  })

  it('carries a custom code, details, headers, type and cause', () => {
    const cause = new Error('db down')
    const error = new AppError(429, 'Slow down', {
      code: 'RATE_LIMITED',
      details: { retryIn: 10 },
      headers: { 'Retry-After': '10' },
      type: 'https://example.com/problems/rate-limited',
      cause,
    })
    expect(error.code).toBe('RATE_LIMITED')
    expect(error.details).toEqual({ retryIn: 10 })
    expect(error.headers).toEqual({ 'Retry-After': '10' })
    expect(error.cause).toBe(cause)
    expect(toProblem(error)).toEqual({
      type: 'https://example.com/problems/rate-limited',
      title: 'Too Many Requests',
      status: 429,
      detail: 'Slow down',
      code: 'RATE_LIMITED',
      details: { retryIn: 10 },
    })
  })

  it('puts the allowed methods in the Allow header of a 405', () => {
    const error = new MethodNotAllowedError(['GET', 'HEAD'])
    expect(error.statusCode).toBe(405)
    expect(error.headers).toEqual({ Allow: 'GET, HEAD' })
    expect(error.allow).toEqual(['GET', 'HEAD'])
    expect(toProblem(error).details).toEqual({ allow: ['GET', 'HEAD'] })
  })

  it('never shows the message, cause or stack of a non-exposed error', () => {
    const error = new InternalServerError('password=hunter2 leaked', {
      cause: new Error('secret cause'),
      details: { secret: 'x' },
      type: 'https://example.com/internal',
    })
    const problem = toProblem(error, '/orders/1')
    expect(problem).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      instance: '/orders/1',
    })
    expect(JSON.stringify(problem)).not.toContain('hunter2')
  })

  it('can expose a 5xx explicitly and hide a 4xx explicitly', () => {
    expect(toProblem(new ServiceUnavailableError('Try later', { expose: true })).detail).toBe(
      'Try later',
    )
    expect(toProblem(new BadRequestError('internal detail', { expose: false })).detail).toBe(
      undefined,
    )
  })

  it('gives generic reason phrases outside the table', () => {
    expect(reasonPhrase(599)).toBe('Server Error')
    expect(reasonPhrase(418)).toBe('Client Error')
    expect(reasonPhrase(299)).toBe('OK')
  })
})

describe('toAppError', () => {
  it('returns an AppError as it is', () => {
    const error = new NotFoundError()
    expect(toAppError(error)).toBe(error)
  })

  it('keeps the status, expose and headers of an http-errors style error', () => {
    const thrown = Object.assign(new Error('Gone fishing'), {
      statusCode: 410,
      expose: false,
      headers: { 'X-Why': 'fishing' },
    })
    const error = toAppError(thrown)
    expect(error.statusCode).toBe(410)
    expect(error.expose).toBe(false)
    expect(error.headers).toEqual({ 'X-Why': 'fishing' })
    expect(error.cause).toBe(thrown)
  })

  it('reads `status` when there is no `statusCode`, and defaults expose by status', () => {
    const error = toAppError(Object.assign(new Error('x'), { status: 502, headers: { a: 1 } }))
    expect(error.statusCode).toBe(502)
    expect(error.expose).toBe(false)
    expect(error.headers).toEqual({})
  })

  it('turns anything else into a non-exposed 500 that keeps what was thrown as cause', () => {
    for (const thrown of [new TypeError('boom'), 'a string', 42, null, { statusCode: 'x' }]) {
      const error = toAppError(thrown)
      expect(error.statusCode).toBe(500)
      expect(error.expose).toBe(false)
      expect(error.cause).toBe(thrown)
    }
    expect(toAppError(Object.assign(new Error('x'), { statusCode: 200 })).statusCode).toBe(500)
  })

  it('recognises AppErrors by shape across copies of the package', () => {
    const lookalike = Object.assign(new Error('x'), { statusCode: 404, code: 'NF', expose: true })
    expect(isAppError(lookalike)).toBe(true)
    expect(isAppError(new Error('x'))).toBe(false)
  })
})

describe('AppError with @middy/http-error-handler', () => {
  const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 1000 } as Context

  it('answers an exposed AppError with its status, message and headers', async () => {
    const handler = middy()
      .use(httpErrorHandler({ logger: false }))
      .handler(() => {
        throw new MethodNotAllowedError(['GET'], 'Use GET')
      })
    const response = await handler({}, context)
    expect(response).toMatchObject({
      statusCode: 405,
      body: 'Use GET',
      headers: { Allow: 'GET', 'Content-Type': 'text/plain' },
    })
  })

  it('answers a non-exposed AppError with a bare 500 and no internals', async () => {
    const handler = middy()
      .use(httpErrorHandler({ logger: false }))
      .handler(() => {
        throw new InternalServerError('connection string postgres://u:secret@db')
      })
    const response = (await handler({}, context)) as { statusCode: number; body?: string }
    expect(response.statusCode).toBe(500)
    expect(JSON.stringify(response)).not.toContain('secret')
  })
})
