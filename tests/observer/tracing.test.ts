/**
 * Tracing costs nothing when it is off: Powertools Tracer (and the X-Ray SDK it loads) is imported
 * only when tracing is on, on the first invocation, and `captureLambdaHandler` runs only then.
 */
import { Tracer } from '@aws-lambda-powertools/tracer'
import middy from '@middy/core'
import { type ObserverMiddleware, type ObserverOptions, observer } from 'metis-app/observer'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { lambdaContext } from '../support/events.ts'
import { loadsOf } from '../support/loads.ts'
import { useCapturedOutput } from './capture.ts'

// A spy over Powertools' real middleware: the observer imports it dynamically, through this mock.
const traced = vi.hoisted(() => ({ calls: [] as unknown[][] }))
vi.mock('@aws-lambda-powertools/tracer/middleware', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@aws-lambda-powertools/tracer/middleware')>()
  return {
    captureLambdaHandler: (...args: Parameters<typeof actual.captureLambdaHandler>) => {
      traced.calls.push(args)
      return actual.captureLambdaHandler(...args)
    },
  }
})

useCapturedOutput()

beforeEach(() => {
  traced.calls.length = 0
  // Outside Lambda, as Powertools sees it: a created tracer exists but sends nothing.
  vi.stubEnv('AWS_EXECUTION_ENV', '')
})

const context = () => lambdaContext({ functionName: 'orders-fn' }) as never

/** A request Middy would build, to call the middleware's phases directly. */
const request = () => ({
  event: {},
  context: lambdaContext() as never,
  response: undefined,
  error: undefined,
  internal: {},
})

/**
 * Runs one phase of every middleware the observer stacks, in Middy's order (`after` in reverse),
 * as Middy would: a promise when some part answered one, else nothing.
 */
const phase =
  (middleware: ObserverMiddleware, name: 'before' | 'after') =>
  (invocation: unknown): unknown => {
    const parts = name === 'before' ? [...middleware] : [...middleware].reverse()
    let pending: Promise<unknown> | undefined
    for (const part of parts) {
      const run = part[name] as ((request: unknown) => unknown) | undefined
      if (run === undefined) continue
      pending =
        pending === undefined ? toPromise(run(invocation)) : pending.then(() => run(invocation))
    }
    return pending
  }
const toPromise = (value: unknown): Promise<unknown> | undefined =>
  value instanceof Promise ? value : undefined

/** Runs one invocation and returns the tracer the handler saw on `context.observer`. */
const tracerSeen = async (options: ObserverOptions) => {
  const seen: unknown[] = []
  const middleware = observer({ metricsNamespace: 'shop', logRequests: false, ...options })
  const handler = middy()
    .use(middleware)
    .handler(async (_event, ctx) => {
      seen.push(ctx.observer.tracer)
      return { statusCode: 200 }
    })
  await handler({}, context())
  return { seen: seen[0], middleware }
}

describe('observer: tracing off', () => {
  it('creates no tracer and runs no captureLambdaHandler when the option turns tracing off', async () => {
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'true')

    const { seen, middleware } = await tracerSeen({ tracing: false })

    expect(seen).toBeUndefined()
    expect(middleware.observer.tracer).toBeUndefined()
    expect(traced.calls).toEqual([])
  })

  it.each(['false', 'FALSE', ' False '])(
    'creates no tracer when POWERTOOLS_TRACE_ENABLED is %j, even with tracing: true',
    async (value) => {
      vi.stubEnv('POWERTOOLS_TRACE_ENABLED', value)

      const { seen } = await tracerSeen({ tracing: true })

      expect(seen).toBeUndefined()
      expect(traced.calls).toEqual([])
    },
  )

  it('answers every invocation synchronously in before, from the first one', () => {
    const middleware = observer({ tracing: false, logRequests: false })
    const runBefore = phase(middleware, 'before')

    expect(runBefore(request())).toBeUndefined()
    expect(runBefore(request())).toBeUndefined()
  })
})

describe('observer: tracing on', () => {
  it('creates a tracer with the service name on the first invocation when nothing turns tracing off', async () => {
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', '')

    const { seen, middleware } = await tracerSeen({ serviceName: 'orders' })

    expect(seen).toBeInstanceOf(Tracer)
    expect(middleware.observer.tracer).toBe(seen)
    expect((seen as Tracer).isTracingEnabled()).toBe(false)
    expect(traced.calls).toEqual([[seen, { captureResponse: false }]])
  })

  it('creates the tracer with Powertools defaults when given no service name, and captures the response when asked', async () => {
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'true')
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'from-env')

    const { seen } = await tracerSeen({ tracing: true, captureResponse: true })

    expect(seen).toBeInstanceOf(Tracer)
    expect(traced.calls).toEqual([[seen, { captureResponse: true }]])
  })

  it('uses the tracer it is given whatever tracing says, through captureLambdaHandler', async () => {
    const tracer = new Tracer({ serviceName: 'mine', enabled: false })

    const { seen, middleware } = await tracerSeen({ tracer, tracing: false })

    expect(seen).toBe(tracer)
    expect(middleware.observer.tracer).toBe(tracer)
    expect(traced.calls).toEqual([[tracer, { captureResponse: false }]])
  })

  it('waits for the import on the first invocation only, then runs before synchronously', async () => {
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'true')
    const middleware = observer({ logRequests: false })
    const runBefore = phase(middleware, 'before')
    const runAfter = phase(middleware, 'after')

    expect(middleware.observer.tracer).toBeUndefined()
    const first = request()
    const pending = runBefore(first)
    expect(pending).toBeInstanceOf(Promise)
    await pending
    expect(middleware.observer.tracer).toBeInstanceOf(Tracer)
    expect(runAfter(first)).toBeUndefined()

    const second = request()
    expect(runBefore(second)).toBeUndefined()
    expect(runAfter(second)).toBeUndefined()
    expect(traced.calls).toHaveLength(1)
  })

  it('loads the tracer once when the first invocations overlap', async () => {
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'true')
    const seen: unknown[] = []
    const handler = middy()
      .use(observer({ logRequests: false }))
      .handler(async (_event, ctx) => {
        seen.push(ctx.observer.tracer)
        return { statusCode: 200 }
      })

    await Promise.all([handler({}, context()), handler({}, context()), handler({}, context())])

    expect(seen).toHaveLength(3)
    expect(new Set(seen).size).toBe(1)
    expect(seen[0]).toBeInstanceOf(Tracer)
    expect(traced.calls).toHaveLength(1)
  })
})

describe('importing metis-app/observer', () => {
  it('loads neither Powertools Tracer nor the X-Ray SDK nor node:http', () => {
    const { loaded } = loadsOf("await import('metis-app/observer')")

    expect(loaded.some((url) => url.includes('/@aws-lambda-powertools/logger/'))).toBe(true)
    expect(
      loaded.filter((url) => /\/(@aws-lambda-powertools\/tracer|aws-xray-sdk-core)\//.test(url)),
    ).toEqual([])
    expect(loaded.filter((url) => url === 'node:http' || url === 'node:https')).toEqual([])
  })
})
