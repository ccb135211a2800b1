import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import { observer } from 'metis-app/observer'
import { describe, expect, it } from 'vitest'
import { lambdaContext, loadEvent } from '../support/events.ts'
import { useCapturedOutput } from './capture.ts'

const BEARER = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LWNsYWltcw.c2lnbmF0dXJlLXNlY3JldA'
const COOKIE = 'sess-7f3a9c1e-cookie-secret'
const PASSWORD = 'hunter2-configured-secret'
const CLIENT_SECRET = 'cs-4d1e8b-form-secret'
const API_KEY = 'ak-91c2e7-api-key-secret'
const SECURITY_TOKEN = 'IQoJb3JpZ2luX2Vj-session-token-secret'
const SECRETS = [BEARER, COOKIE, PASSWORD, CLIENT_SECRET, API_KEY, SECURITY_TOKEN]

const output = useCapturedOutput()

/** Middy types the handler's context with what the middlewares add, so callers cast it. */
const context = () => lambdaContext() as never

/** A REST v1 event carrying every kind of secret: headers, cookies, a JSON body, a form body. */
const restEvent = () => {
  const event = loadEvent('apigw-rest/no-auth') as Record<string, Record<string, unknown>>
  event.headers = { ...event.headers, Authorization: `Bearer ${BEARER}`, Cookie: `sid=${COOKIE}` }
  event.multiValueHeaders = {
    ...event.multiValueHeaders,
    authorization: [`Bearer ${BEARER}`],
    COOKIE: [`sid=${COOKIE}`],
  }
  ;(event as Record<string, unknown>).body = JSON.stringify({
    user: { name: 'ann', Password: PASSWORD },
    note: `token Bearer ${BEARER}`,
  })
  event.requestContext = { ...event.requestContext, authorizer: { password: PASSWORD } }
  return event
}

/** An HTTP API v2 event with its `cookies` array and a form-encoded body. */
const v2Event = () => {
  const event = loadEvent('apigw-http/no-auth') as Record<string, unknown>
  event.cookies = [`sid=${COOKIE}`]
  event.headers = { ...(event.headers as object), authorization: `Bearer ${BEARER}` }
  event.body = `grant_type=client_credentials&client_secret=${CLIENT_SECRET}`
  return event
}

/** A login post as HTTP API delivers it: the form body base64-encoded. */
const base64FormEvent = () => {
  const event = v2Event()
  event.isBase64Encoded = true
  event.body = Buffer.from(`user=ann&password=${PASSWORD}`).toString('base64')
  return event
}

/** A login post whose JSON body does not parse (a trailing comma). */
const malformedJsonEvent = () => {
  const event = v2Event()
  event.headers = { 'content-type': 'application/json' }
  event.body = `{"user":"ann","password":"${PASSWORD}",}`
  return event
}

/** An IAM-signed REST call with an API key: the security token and the key in the event. */
const apiKeyEvent = () => {
  const event = loadEvent('apigw-rest/iam-auth') as Record<string, Record<string, unknown>>
  event.headers = { ...event.headers, 'X-Amz-Security-Token': SECURITY_TOKEN, 'x-api-key': API_KEY }
  const identity = event.requestContext?.identity as Record<string, unknown>
  identity.apiKey = API_KEY
  return event
}

/** An error that carries secrets in its message, its own fields and its cause. */
const leakyError = () =>
  Object.assign(new Error(`upstream refused Bearer ${BEARER}`), {
    statusCode: 502,
    request: { headers: { Authorization: `Bearer ${BEARER}`, 'set-cookie': [`sid=${COOKIE}`] } },
    cause: { password: PASSWORD, body: `client_secret=${CLIENT_SECRET}` },
  })

const expectNoSecret = (): void => {
  const written = output.raw.join('')
  expect(written).toContain('[REDACTED]')
  for (const secret of SECRETS) expect(written).not.toContain(secret)
}

describe('observer: nothing secret is logged', () => {
  it('redacts tokens, cookies and configured fields from logged events', async () => {
    const handler = middy()
      .use(
        observer({
          tracing: false,
          logEvent: true,
          requestStartLevel: 'INFO',
          redact: ['password', 'client_secret'],
        }),
      )
      .handler(async (_event, ctx) => {
        ctx.observer.logger.info('redacted by hand', { event: ctx.observer.redact(_event) })
        return { statusCode: 200, headers: { 'Set-Cookie': `sid=${COOKIE}` } }
      })

    await handler(restEvent(), context())
    await handler(v2Event(), context())

    expect(output.logs().filter((line) => line.message === 'request start')).toHaveLength(2)
    expectNoSecret()
  })

  it('redacts a base64 form body, a malformed JSON body, the API key and the security token', async () => {
    const handler = middy()
      .use(observer({ tracing: false, logEvent: true, logLevel: 'DEBUG' }))
      .handler(async () => ({ statusCode: 400, body: '' }))

    await handler(base64FormEvent(), context())
    await handler(malformedJsonEvent(), context())
    await handler(apiKeyEvent(), context())

    const events = output
      .logs()
      .filter((line) => line.message === 'request start')
      .map((line) => line.event as Record<string, unknown>)
    expect(events.map((event) => event.body)).toEqual([
      '[REDACTED base64 body]',
      '{"user":"ann","password":"[REDACTED]",}',
      null,
    ])
    expectNoSecret()
  })

  it('masks header lines an error carries as text', async () => {
    const handler = middy()
      .use(observer({ tracing: false }))
      .handler(async () => {
        throw new Error(
          `upstream: HTTP/1.1 401\r\nSet-Cookie: sid=${COOKIE}\r\nX-Api-Key: ${API_KEY}`,
        )
      })

    await expect(handler(v2Event(), context())).rejects.toThrow('upstream')
    expectNoSecret()
  })

  it('redacts the error on the end line, with or without an error handler inside', async () => {
    const options = { tracing: false, logEvent: true, redact: ['password', 'client_secret'] }
    const bare = middy()
      .use(observer(options))
      .handler(async () => {
        throw leakyError()
      })
    const answered = middy()
      .use(observer(options))
      .use(httpErrorHandler({ logger: false }))
      .handler(async () => {
        throw leakyError()
      })

    await expect(bare(restEvent(), context())).rejects.toThrow('upstream refused')
    const response = await answered(v2Event(), context())

    // http-error-handler answers an unexposed error with a plain 500.
    expect(response).toMatchObject({ statusCode: 500 })
    const ends = output.logs().filter((line) => line.message === 'request end')
    expect(ends.map((line) => line.status)).toEqual([502, 500])
    expect(ends[0]?.error).toMatchObject({ message: 'upstream refused Bearer [REDACTED]' })
    expectNoSecret()
  })
})
