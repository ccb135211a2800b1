import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import { AppError, ForbiddenError, toProblem } from 'metis-app/errors'
import {
  allOf,
  anyOf,
  type Check,
  envEstablished,
  handlerGuard,
  requireEnv,
  requireHttp,
  withinTimeBudget,
} from 'metis-app/guard'
import { requestBuilder } from 'metis-app/request'
import { err, ok } from 'metis-app/result'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { lambdaContext, loadEvent } from '../support/events.ts'

/** Middy types the handler's context with what the middlewares add, so callers cast it. */
const context = (overrides: Record<string, unknown> = {}) => lambdaContext(overrides) as never

/** Runs `check` in a guard; returns what the invocation threw and whether the handler ran. */
const guarded = async (check: Check, event: unknown = {}, ctx = context()) => {
  const handler = vi.fn(async () => 'handled')
  const run = middy().use(handlerGuard(check)).handler(handler)
  try {
    return { response: await run(event, ctx), error: undefined, ran: handler.mock.calls.length > 0 }
  } catch (error) {
    return { response: undefined, error: error as AppError, ran: handler.mock.calls.length > 0 }
  }
}

afterEach(() => {
  vi.unstubAllEnvs()
})

describe('handlerGuard', () => {
  it.each<[string, Check]>([
    ['true', () => true],
    ['ok()', () => ok('fine')],
    ['a promise of true', async () => true],
    ['a promise of ok()', async () => ok(undefined)],
  ])('runs the handler when the check returns %s', async (_label, check) => {
    const outcome = await guarded(check)

    expect(outcome).toEqual({ response: 'handled', error: undefined, ran: true })
  })

  it('answers a false check with a 500 configuration error and skips the handler', async () => {
    const outcome = await guarded(() => false)

    expect(outcome.ran).toBe(false)
    expect(outcome.error).toBeInstanceOf(AppError)
    expect(outcome.error).toMatchObject({
      statusCode: 500,
      code: 'CONFIGURATION_ERROR',
      expose: false,
    })
  })

  it("answers with the check's own AppError and status", async () => {
    const denied = new ForbiddenError('Not in office hours')

    expect((await guarded(() => err(denied))).error).toBe(denied)
    expect((await guarded(async () => Promise.reject(denied))).error).toBe(denied)
  })

  it('keeps any other reason, thrown or returned, as the cause of the 500', async () => {
    const broken = new TypeError('config unreadable')

    const returned = await guarded(() => err('no config'))
    const thrown = await guarded(() => {
      throw broken
    })

    expect(returned.error).toMatchObject({ statusCode: 500, cause: 'no config' })
    expect(thrown.error).toMatchObject({ statusCode: 500, cause: broken })
    expect(thrown.ran).toBe(false)
  })

  it('uses the status, message and code of its options for failures without an AppError', async () => {
    const run = middy()
      .use(handlerGuard(() => false, { statusCode: 404, message: 'Not here', code: 'OFF' }))
      .handler(async () => 'handled')

    await expect(run({}, context())).rejects.toMatchObject({
      statusCode: 404,
      message: 'Not here',
      code: 'OFF',
      expose: true,
    })
  })

  it.each([
    [{ statusCode: 200 }, 'handlerGuard: statusCode must be an integer >= 400'],
    [{ statusCode: 600 }, 'handlerGuard: statusCode must be from 400 to 599'],
    [{ statusCode: 404.5 }, 'handlerGuard: statusCode must be an integer >= 400'],
    [{ message: '' }, 'handlerGuard: message must be a non-empty string'],
    [{ code: 42 }, 'handlerGuard: code must be a non-empty string'],
  ])('refuses the option %o at creation, naming it', (options, message) => {
    expect(() => handlerGuard(() => true, options as never)).toThrow(new TypeError(message))
  })

  it("lets other middlewares' onError answer the failure", async () => {
    const onError = vi.fn()
    const handler = vi.fn()
    const run = middy()
      .use(httpErrorHandler({ logger: false }))
      .use({ onError })
      .use(handlerGuard(() => err(new ForbiddenError('Nope'))))
      .handler(handler)

    const response = await run(loadEvent('apigw-http/no-auth'), context())

    expect(handler).not.toHaveBeenCalled()
    expect(onError).toHaveBeenCalledTimes(1)
    expect(response).toMatchObject({ statusCode: 403, body: 'Nope' })
  })
})

describe('allOf and anyOf', () => {
  it('allOf stops at the first failure and reports it', async () => {
    const later = vi.fn(() => true)
    const first = new ForbiddenError('first')

    const outcome = await guarded(
      allOf(
        () => true,
        () => err(first),
        later,
      ),
    )

    expect(outcome.error).toBe(first)
    expect(later).not.toHaveBeenCalled()
    expect(
      (
        await guarded(
          allOf(
            () => true,
            async () => ok(1),
          ),
        )
      ).ran,
    ).toBe(true)
    expect((await guarded(allOf())).ran).toBe(true)
  })

  it('anyOf stops at the first pass, and reports the first failure when all fail', async () => {
    const later = vi.fn(() => false)
    const first = new ForbiddenError('first')

    expect(
      (
        await guarded(
          anyOf(
            () => false,
            () => true,
            later,
          ),
        )
      ).ran,
    ).toBe(true)
    expect(later).not.toHaveBeenCalled()
    const outcome = await guarded(
      anyOf(
        () => err(first),
        () => err(new ForbiddenError('second')),
      ),
    )
    expect(outcome.error).toBe(first)
    expect((await guarded(anyOf())).error).toMatchObject({ statusCode: 500 })
  })

  it('pass the event and the context to every check', async () => {
    const seen: unknown[] = []
    const check: Check = (event, ctx) => {
      seen.push(event, ctx.functionName)
      return true
    }

    await guarded(allOf(check, anyOf(check)), { id: 1 })

    expect(seen).toEqual([{ id: 1 }, 'test-fn', { id: 1 }, 'test-fn'])
  })
})

describe('requireEnv', () => {
  it('answers the variables, typed by name', () => {
    const env = requireEnv(['ISSUER', 'JWKS_URI'], { ISSUER: 'https://id', JWKS_URI: 'https://k' })
    const issuer: string = env.ISSUER
    expect(issuer).toBe('https://id')
    expect(env).toEqual({ ISSUER: 'https://id', JWKS_URI: 'https://k' })
  })

  it('reads process.env by default', () => {
    vi.stubEnv('TABLE_NAME', 'orders')
    expect(requireEnv(['TABLE_NAME']).TABLE_NAME).toBe('orders')
  })

  it('throws at once, naming every missing or blank variable and never a value', () => {
    const env = { CLIENT_SECRET: 'cs-live-8c1f', BLANK: ' ' }
    const thrown = (() => {
      try {
        requireEnv(['CLIENT_SECRET', 'BLANK', 'GONE'], env)
      } catch (error) {
        return error
      }
    })()
    expect(thrown).toBeInstanceOf(AppError)
    expect(thrown).toMatchObject({
      statusCode: 500,
      code: 'ENV_NOT_ESTABLISHED',
      expose: false,
      message:
        "Missing environment variables BLANK, GONE: set them in the function's configuration",
      details: { missing: ['BLANK', 'GONE'] },
    })
    expect(JSON.stringify({ thrown, message: (thrown as Error).message })).not.toContain(
      env.CLIENT_SECRET,
    )
    expect(() => requireEnv(['GONE'], {})).toThrow(
      "Missing environment variable GONE: set it in the function's configuration",
    )
  })
})

describe('envEstablished', () => {
  it('passes when every variable is present and not blank', async () => {
    vi.stubEnv('TABLE_NAME', 'orders')

    expect((await guarded(envEstablished(['TABLE_NAME']))).ran).toBe(true)
  })

  it('names the missing or blank variables and never shows a value', async () => {
    const env = { CLIENT_SECRET: 'cs-live-8c1f', BLANK: '   ', EMPTY: '' }

    const { error, ran } = await guarded(
      envEstablished(['CLIENT_SECRET', 'BLANK', 'EMPTY', 'GONE'], env),
    )

    expect(ran).toBe(false)
    expect(error).toMatchObject({
      statusCode: 500,
      code: 'ENV_NOT_ESTABLISHED',
      message: 'Missing environment variables: BLANK, EMPTY, GONE',
      details: { missing: ['BLANK', 'EMPTY', 'GONE'] },
    })
    const everything = JSON.stringify({ error, problem: toProblem(error), message: error?.message })
    expect(everything).not.toContain(env.CLIENT_SECRET)
    expect(JSON.stringify(toProblem(error))).not.toContain('BLANK')
  })

  it('reads process.env at each invocation by default', async () => {
    const check = envEstablished(['LATE_VARIABLE'])
    vi.stubEnv('LATE_VARIABLE', '')
    expect((await guarded(check)).ran).toBe(false)

    vi.stubEnv('LATE_VARIABLE', 'now set')
    expect((await guarded(check)).ran).toBe(true)
  })
})

describe('requireHttp', () => {
  it.each(['apigw-rest/no-auth', 'apigw-http/no-auth', 'function-url/base', 'alb/base'])(
    'passes the HTTP sample %s',
    async (name) => {
      expect((await guarded(requireHttp(), loadEvent(name))).ran).toBe(true)
    },
  )

  it('fails events that are not HTTP with a 400', async () => {
    for (const event of [loadEvent('sqs/base'), 'text', null]) {
      expect((await guarded(requireHttp(), event)).error).toMatchObject({
        statusCode: 400,
        code: 'NOT_HTTP',
      })
    }
  })

  it("uses the built request's kind when the request builder ran first", async () => {
    const run = (event: unknown) =>
      middy()
        .use(requestBuilder())
        .use(handlerGuard(requireHttp()))
        .handler(async () => 'handled')(event, context())

    expect(await run(loadEvent('apigw-http/no-auth'))).toBe('handled')
    await expect(run(loadEvent('s3/base'))).rejects.toMatchObject({ statusCode: 400 })
  })
})

describe('withinTimeBudget', () => {
  it('passes while enough time remains and answers 503 when it does not', async () => {
    const plenty = context({ getRemainingTimeInMillis: () => 1_000 })
    const short = context({ getRemainingTimeInMillis: () => 999 })

    expect((await guarded(withinTimeBudget(1_000), {}, plenty)).ran).toBe(true)
    const { error, ran } = await guarded(withinTimeBudget(1_000), {}, short)
    expect(ran).toBe(false)
    expect(error).toMatchObject({
      statusCode: 503,
      code: 'TIME_BUDGET_EXCEEDED',
      details: { requiredMs: 1_000, remainingMs: 999 },
    })
  })

  it('passes where the context has no Lambda clock', async () => {
    const noClock = context({ getRemainingTimeInMillis: undefined })

    expect((await guarded(withinTimeBudget(1_000), {}, noClock)).ran).toBe(true)
  })
})
