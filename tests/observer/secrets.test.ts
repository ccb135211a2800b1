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
const SECRETS = [BEARER, COOKIE, PASSWORD, CLIENT_SECRET]

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
      .use(observer({ tracing: false, logEvent: true, redact: ['password', 'client_secret'] }))
      .handler(async (_event, ctx) => {
        ctx.observer.logger.info('redacted by hand', { event: ctx.observer.redact(_event) })
        return { statusCode: 200, headers: { 'Set-Cookie': `sid=${COOKIE}` } }
      })

    await handler(restEvent(), context())
    await handler(v2Event(), context())

    expect(output.logs().filter((line) => line.message === 'request start')).toHaveLength(2)
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
