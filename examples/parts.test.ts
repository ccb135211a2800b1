/** Runs each of the one-part examples, as a user would call the handler. */

import { CircuitOpenError } from 'metis-app/circuit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lambdaContext, loadEvent } from '../tests/support/events.ts'
import { type OidcProvider, startOidcProvider } from '../tests/support/oidc.ts'
import { createHandler as authHandler } from './auth/handler.ts'
import { protect } from './circuit/breaker.ts'
import { handler as guardHandler } from './guard/handler.ts'
import { handler as observerHandler } from './observer/handler.ts'
import { handler as requestHandler } from './request/handler.ts'
import { handler as routerHandler } from './router/handler.ts'
import { createHandler as selfTokenHandler } from './self-token/handler.ts'

/** Middy types a handler's context with what its middlewares add; a test passes a plain one. */
const context = () => lambdaContext() as never
const call = (handler: (event: never, context: never) => unknown, event: unknown) =>
  handler(event as never, context()) as Promise<Record<string, unknown>>

describe('examples/request', () => {
  it('reads an HTTP event and an S3 event into one typed request', async () => {
    expect(await call(requestHandler, loadEvent('apigw-http/no-auth'))).toMatchObject({
      statusCode: 200,
      body: 'POST /lambda',
    })
    expect(await call(requestHandler, loadEvent('s3/decoded-key'))).toEqual(['Happy Face.jpg'])
  })
})

describe('examples/router', () => {
  it('routes HTTP and reports only the failed SQS message for retry', async () => {
    const event = loadEvent('apigw-http/no-auth')
    Object.assign(event, { rawPath: '/hello/ada' })
    Object.assign((event.requestContext as Record<string, unknown>).http as object, {
      method: 'GET',
    })
    expect(JSON.parse(String((await call(routerHandler, event)).body))).toEqual({ hello: 'ada' })
    const batch = loadEvent<{ Records: { body: string; messageId: string }[] }>('sqs/base')
    const [, second] = batch.Records
    if (second === undefined) throw new Error('sample has two messages')
    second.body = 'poison pill'
    expect(await call(routerHandler, batch)).toEqual({
      batchItemFailures: [{ itemIdentifier: second.messageId }],
    })
  })
})

describe('examples/guard', () => {
  it('answers 500 while TABLE_NAME is missing and runs the handler once it is set', async () => {
    delete process.env.TABLE_NAME
    expect(await call(guardHandler, {})).toMatchObject({ statusCode: 500 })
    process.env.TABLE_NAME = 'orders'
    expect(await call(guardHandler, {})).toMatchObject({ statusCode: 200, body: 'using orders' })
    delete process.env.TABLE_NAME
  })
})

describe('examples/observer', () => {
  it('runs the handler with Powertools wired in and flushes a metric', async () => {
    const written: string[] = []
    const write = process.stdout.write
    process.stdout.write = ((text: string) => written.push(text) > 0) as typeof write
    try {
      expect(await call(observerHandler, loadEvent('apigw-http/no-auth'))).toMatchObject({
        statusCode: 200,
      })
    } finally {
      process.stdout.write = write
    }
    const lines = written.join('').split('\n').filter(Boolean)
    expect(lines.some((line) => line.includes('"greeted"'))).toBe(true)
    expect(lines.some((line) => line.includes('"greeting"'))).toBe(true)
  })
})

describe('examples/circuit', () => {
  it('opens after two failures and then refuses without calling the dependency', async () => {
    let calls = 0
    const call = protect(async () => {
      calls += 1
      throw new Error('down')
    })
    await call()
    await call()
    const refused = await call()
    expect(calls).toBe(2)
    expect(refused.ok).toBe(false)
    if (!refused.ok) expect(refused.error).toBeInstanceOf(CircuitOpenError)
  })
})

describe('examples/auth and examples/self-token with a real identity provider', () => {
  let idp: OidcProvider
  beforeAll(async () => {
    idp = await startOidcProvider({
      extraClaims: (scope) => ({
        activities: scope?.includes('orders:read') ? ['orders:order:read'] : [],
      }),
    })
  })
  afterAll(async () => {
    await idp.stop()
  })

  it('lets a token with the activity through, and answers 403 and 401 otherwise', async () => {
    const handler = authHandler({
      issuer: idp.issuer,
      audience: idp.audience,
      jwksUri: idp.jwksUri,
    })
    const withToken = (token?: string) => ({
      ...loadEvent('apigw-http/no-auth'),
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    })
    expect(await call(handler, withToken(await idp.getToken('orders:read')))).toMatchObject({
      statusCode: 200,
    })
    expect(await call(handler, withToken(await idp.getToken('orders:write')))).toMatchObject({
      statusCode: 403,
    })
    expect(await call(handler, withToken())).toMatchObject({ statusCode: 401 })
  })

  it('gets the service its own token with the client-credentials grant', async () => {
    const handler = selfTokenHandler({
      tokenEndpoint: idp.tokenEndpoint,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      scope: 'orders:read',
    })
    const result = await call(handler, {})
    expect(result.header).toBe('Bearer ')
    expect(result.expiresAt).toBeGreaterThan(Date.now())
  })
})
