/**
 * The errors a part answered itself during one invocation (a route's throw shaped as a 500
 * problem, a 404 for an unknown path, a record reported as a batch item failure), kept by the
 * invocation's Lambda context. The observer's "request end" line reads them, so that a failure is
 * logged once, by the observer, at the level its status deserves. Without an observer on the
 * context, the part that answered logs a server error itself (`console.error` by default), as a
 * middleware used alone must. Internal to metis-app.
 */
import { toAppError } from '../errors/index.ts'

/** One answered failure: the error, and for a record batch the identifiers it failed. */
export interface AnsweredFailure {
  readonly error: unknown
  readonly items?: readonly unknown[]
}

/** A part's `logger` option: called with each error it answers with a 5xx; `false` logs none. */
export type ErrorLogger = false | ((error: unknown) => void)

const answered = new WeakMap<object, AnsweredFailure[]>()

const observed = (context: object): boolean =>
  (context as { observer?: unknown }).observer !== undefined

/**
 * Records an error the caller answered (with a response, or as failed batch items), and logs it
 * when no observer will: with the caller's own `logger` when one was given, else with
 * `console.error` when the context carries no observer. A 4xx answer is logged only as a failed
 * record (a bad request is the client's, and the observer's end line reports it).
 */
export const answerFailure = (
  context: object | undefined,
  error: unknown,
  logger: ErrorLogger | undefined,
  items?: readonly unknown[],
): void => {
  if (context !== undefined) {
    const failure: AnsweredFailure = items === undefined ? { error } : { error, items }
    const list = answered.get(context)
    if (list === undefined) answered.set(context, [failure])
    else list.push(failure)
  }
  if (logger === false) return
  if (logger === undefined && context !== undefined && observed(context)) return
  if (items === undefined && toAppError(error).statusCode < 500) return
  ;(logger ?? console.error)(error)
}

/** The failures answered during the invocation of this context, if any. */
export const answeredFailures = (context: object): readonly AnsweredFailure[] | undefined =>
  answered.get(context)
