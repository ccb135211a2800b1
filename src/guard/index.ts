/**
 * `metis-app/guard`: a check before the handler. When it fails, the handler does not run and the
 * failure, an `AppError`, flows through every middleware's `onError`, so that
 * `@middy/http-error-handler` or the metis-app responder answers it with its status.
 *
 * A check gets the event and the context and returns a boolean, a `Result`, or a promise of
 * either. Checks compose with {@link allOf} and {@link anyOf}. Built-in checks cover what every
 * service writes: {@link envEstablished}, {@link requireHttp} and {@link withinTimeBudget}.
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import httpErrorHandler from '@middy/http-error-handler'
 * import { allOf, envEstablished, handlerGuard, withinTimeBudget } from 'metis-app/guard'
 *
 * export const handler = middy()
 *   .use(httpErrorHandler())
 *   .use(handlerGuard(allOf(envEstablished(['TABLE_NAME']), withinTimeBudget(2_000))))
 *   .handler(async () => ({ statusCode: 200, body: 'ok' }))
 * ```
 * @module
 */

import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import { AppError, BadRequestError, isAppError, ServiceUnavailableError } from '../errors/index.ts'
import { functionOption, numberOption, optionError, textOption } from '../internal/options.ts'
import { isResult } from '../internal/result.ts'
import { httpTargetOf } from '../request/accessor.ts'
import { err, ok, type Result } from '../result/index.ts'

/**
 * What a check returns: pass (`true`, `ok(...)`) or fail (`false`, `err(reason)`).
 *
 * @example
 * ```ts
 * const tenantKnown = (tenant: string | undefined): CheckOutcome =>
 *   tenant === undefined ? err(new BadRequestError('No tenant')) : true
 * ```
 */
export type CheckOutcome = boolean | Result<unknown, unknown>

/**
 * A check before the handler. A thrown error counts as a failure with that error as its reason.
 *
 * @example
 * ```ts
 * const weekdaysOnly: Check = () => new Date().getDay() % 6 !== 0
 * ```
 */
export type Check<E = unknown> = (
  event: E,
  context: Context,
) => CheckOutcome | Promise<CheckOutcome>

/**
 * Options of {@link handlerGuard}: how a failure without an `AppError` reason is answered.
 *
 * @example
 * ```ts
 * const options: GuardOptions = { statusCode: 503, message: 'Not ready yet', code: 'NOT_READY' }
 * handlerGuard(envEstablished(['TABLE_NAME']), options)
 * ```
 */
export interface GuardOptions {
  /** The status of a failure whose reason is not an `AppError`. Default 500. */
  statusCode?: number
  /** The message of that failure. Default: a configuration problem. */
  message?: string
  /** Its stable code. Default `'CONFIGURATION_ERROR'`. */
  code?: string
}

/** The normalized outcome of one check: `err(undefined)` is a failure without a reason. */
type Verdict = Result<void, unknown>

/** A value now, or later. Checks stay synchronous when they can: a Promise costs more than a check. */
type Eventually<T> = T | Promise<T>

const PASSED: Verdict = ok(undefined)

const verdictOf = (outcome: CheckOutcome): Verdict => {
  if (outcome === true) return PASSED
  if (isResult(outcome)) return outcome.ok ? PASSED : outcome
  return err(undefined)
}

const thrownVerdict = (thrown: unknown): Verdict => err(thrown)

/** Runs a check and turns whatever it returns or throws into a {@link Verdict}. */
const evaluate = <E>(check: Check<E>, event: E, context: Context): Eventually<Verdict> => {
  let outcome: CheckOutcome | Promise<CheckOutcome>
  try {
    outcome = check(event, context)
  } catch (thrown) {
    return thrownVerdict(thrown)
  }
  return outcome instanceof Promise ? outcome.then(verdictOf, thrownVerdict) : verdictOf(outcome)
}

/**
 * A check that passes when every check passes; checks run in order and the first failure stops
 * the run and is the failure. With no checks it passes.
 *
 * @example
 * ```ts
 * handlerGuard(allOf(requireHttp(), envEstablished(['TABLE_NAME'])))
 * ```
 */
export const allOf =
  <E = unknown>(...checks: readonly Check<E>[]): Check<E> =>
  (event, context) => {
    const from = (first: number): Eventually<Verdict> => {
      for (let index = first; index < checks.length; index++) {
        const verdict = evaluate(checks[index] as Check<E>, event, context)
        if (verdict instanceof Promise) {
          return verdict.then((settled) => (settled.ok ? from(index + 1) : settled))
        }
        if (!verdict.ok) return verdict
      }
      return PASSED
    }
    return from(0)
  }

/**
 * A check that passes when any check passes; checks run in order and the first pass stops the
 * run. When all fail, the first failure is the failure; with no checks it fails.
 *
 * @example
 * ```ts
 * handlerGuard(anyOf(isInternalCaller, hasApiKey))
 * ```
 */
export const anyOf =
  <E = unknown>(...checks: readonly Check<E>[]): Check<E> =>
  (event, context) => {
    const from = (first: number, failure?: Verdict): Eventually<Verdict> => {
      for (let index = first; index < checks.length; index++) {
        const verdict = evaluate(checks[index] as Check<E>, event, context)
        if (verdict instanceof Promise) {
          return verdict.then((settled) =>
            settled.ok ? PASSED : from(index + 1, failure ?? settled),
          )
        }
        if (verdict.ok) return PASSED
        failure ??= verdict
      }
      return failure ?? err(undefined)
    }
    return from(0)
  }

/** The defaults of {@link GuardOptions}, in one place. */
const defaults = {
  statusCode: 500,
  message: 'The function is not configured to handle this request',
  code: 'CONFIGURATION_ERROR',
} as const

/**
 * Middy middleware that runs `check` in `before`. On a failure it throws an `AppError`: the
 * check's own `AppError` reason as it is (its status answers), any other reason as the cause of a
 * 500 configuration error (or the status and message of `options`). The handler does not run and
 * the other middlewares' `onError` do.
 *
 * @example
 * ```ts
 * middy()
 *   .use(httpErrorHandler())
 *   .use(handlerGuard((event) => isFeatureOn(event), { statusCode: 404, message: 'Not here' }))
 * ```
 */
export const handlerGuard = <E = unknown>(
  check: Check<E>,
  options: GuardOptions = {},
): MiddlewareObj<E, unknown, Error, Context> => {
  functionOption('handlerGuard', 'the check', check, false)
  const statusCode = numberOption(
    'handlerGuard',
    'statusCode',
    options.statusCode,
    defaults.statusCode,
    {
      min: 400,
      integer: true,
    },
  )
  if (statusCode > 599) throw optionError('handlerGuard', 'statusCode must be from 400 to 599')
  const message =
    options.message === undefined
      ? defaults.message
      : textOption('handlerGuard', 'message', options.message)
  const code =
    options.code === undefined ? defaults.code : textOption('handlerGuard', 'code', options.code)
  const enforce = (verdict: Verdict): void => {
    if (verdict.ok) return
    if (isAppError(verdict.error)) throw verdict.error
    throw new AppError(statusCode, message, { code, cause: verdict.error })
  }

  const handlerGuardBefore = (request: { event: E; context: Context }) => {
    const verdict = evaluate(check, request.event, request.context)
    return verdict instanceof Promise ? verdict.then(enforce) : enforce(verdict)
  }

  return { name: 'metis-app/guard', before: handlerGuardBefore }
}

/**
 * A check that the environment variables are present and not blank. Its failure (500) lists the
 * missing variables by name and never shows a value.
 *
 * @example
 * ```ts
 * handlerGuard(envEstablished(['TOKEN_ENDPOINT', 'CLIENT_ID']))
 * ```
 */
export const envEstablished =
  (
    names: readonly string[],
    env: Readonly<Record<string, string | undefined>> = process.env,
  ): Check =>
  () => {
    const missing = names.filter((name) => (env[name] ?? '').trim() === '')
    if (missing.length === 0) return PASSED
    return err(
      new AppError(500, `Missing environment variables: ${missing.join(', ')}`, {
        code: 'ENV_NOT_ESTABLISHED',
        details: { missing },
      }),
    )
  }

/**
 * The named environment variables, read once at module scope; throws at once (an init error in
 * Lambda, one line in the log that names every missing variable and no value) when any is unset
 * or blank. Configuration is checked where it is read, when the function starts: the same rule as
 * every metis-app factory, which throws at creation for a missing or bad option. Use
 * {@link envEstablished} instead for a variable a handler may go without.
 *
 * @example
 * ```ts
 * import { requireEnv } from 'metis-app/guard'
 *
 * const { ISSUER, JWKS_URI } = requireEnv(['ISSUER', 'JWKS_URI'])
 * ```
 */
export const requireEnv = <const N extends string>(
  names: readonly N[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): { readonly [K in N]: string } => {
  const values: Record<string, string> = {}
  const missing: string[] = []
  for (const name of names) {
    const value = env[name]
    if (value === undefined || value.trim() === '') missing.push(name)
    else values[name] = value
  }
  if (missing.length > 0) {
    throw new AppError(
      500,
      `Missing environment variable${missing.length === 1 ? '' : 's'} ${missing.join(', ')}: set ${missing.length === 1 ? 'it' : 'them'} in the function's configuration`,
      { code: 'ENV_NOT_ESTABLISHED', details: { missing }, expose: false },
    )
  }
  return values as { readonly [K in N]: string }
}

/**
 * A check that the event is an HTTP request (API Gateway REST or HTTP API, Function URL, ALB, VPC
 * Lattice), read from the invocation's typed request (`context.request`, built once by whichever
 * part needs it first). Fails 400.
 *
 * @example
 * ```ts
 * handlerGuard(requireHttp())
 * ```
 */
export const requireHttp = (): Check => (event, context) =>
  httpTargetOf(event, context) !== undefined
    ? PASSED
    : err(new BadRequestError('The event is not an HTTP request', { code: 'NOT_HTTP' }))

/**
 * A check that at least `ms` milliseconds of Lambda time remain
 * (`context.getRemainingTimeInMillis()`), so that work which cannot finish in time is not begun.
 * Fails 503; passes where the context has no clock (outside Lambda).
 *
 * @example
 * ```ts
 * handlerGuard(withinTimeBudget(3_000))
 * ```
 */
export const withinTimeBudget = (ms: number): Check => {
  numberOption('withinTimeBudget', 'the budget (ms)', ms, 0)
  return (_event, context) => {
    if (typeof context.getRemainingTimeInMillis !== 'function') return PASSED
    const remaining = context.getRemainingTimeInMillis()
    if (remaining >= ms) return PASSED
    return err(
      new ServiceUnavailableError('Not enough time left to handle the request', {
        code: 'TIME_BUDGET_EXCEEDED',
        details: { requiredMs: ms, remainingMs: remaining },
      }),
    )
  }
}
