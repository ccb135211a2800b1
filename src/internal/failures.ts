/**
 * The errors a part answered itself during one invocation (a route's throw shaped as a 500
 * problem, a 404 for an unknown path, a record reported as a batch item failure), kept on the
 * invocation's Lambda context as `context.failures`: plain data, no hidden channel. The observer's
 * "request end" line reads them, so that a failure is
 * logged once, by the observer, at the level its status deserves. Without an observer on the
 * context, the part that answered logs a server error itself (on `console` by default), as a
 * middleware used alone must. Internal to metis-app.
 */
import { toAppError } from '../errors/index.ts'
import type { Logger } from './logger.ts'

/** One answered failure: the error, and for a record batch the identifiers it failed. */
export interface AnsweredFailure {
  readonly error: unknown
  readonly items?: readonly unknown[]
}

/** Where the failures are kept: `context.failures`, in the order they were answered. */
export interface FailuresContext {
  failures?: AnsweredFailure[]
}

const observed = (context: object): boolean =>
  (context as { observer?: unknown }).observer !== undefined

/**
 * Records an error the caller answered (with a response, or as failed batch items), and logs it
 * when no observer will: with the caller's own `logger` when one was given, else with
 * `console` when the context carries no observer. A 4xx answer is logged only as a failed
 * record (a bad request is the client's, and the observer's end line reports it).
 */
export const answerFailure = (
  context: object | undefined,
  error: unknown,
  logger: Logger | false | undefined,
  items?: readonly unknown[],
): void => {
  if (context !== undefined) {
    const failure: AnsweredFailure = items === undefined ? { error } : { error, items }
    const holder = context as FailuresContext
    if (holder.failures === undefined) holder.failures = [failure]
    else holder.failures.push(failure)
  }
  if (logger === false) return
  if (logger === undefined && context !== undefined && observed(context)) return
  if (items === undefined && toAppError(error).statusCode < 500) return
  ;(logger ?? console).error(items === undefined ? 'request failed' : 'record failed', error)
}

/** The failures answered during the invocation of this context, if any. */
export const answeredFailures = (context: object): readonly AnsweredFailure[] | undefined =>
  (context as FailuresContext).failures

/** Forgets the failures of an earlier invocation of a reused context (tests, local servers). */
export const clearFailures = (context: object): void => {
  const holder = context as FailuresContext
  if (holder.failures !== undefined) holder.failures = undefined
}
