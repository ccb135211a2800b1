/**
 * Runs the phases of Powertools' middlewares. They are synchronous today, and a Promise costs
 * more than the phase itself where the X-Ray SDK's async hooks are loaded, so the runner stays
 * synchronous unless a phase returns a promise.
 */

/** One middleware phase (`before`, `after`, `onError` or a cleanup) of any Middy request. */
export type Phase = (request: never) => unknown

/** A phase's failure, kept while the phases after it still run. */
export interface Failure {
  thrown: unknown
}

/**
 * Runs every phase in order even when one throws, then rethrows the first failure (a failing
 * metrics flush must not leave the trace segment open). Returns a promise only when a phase did.
 */
export const runAll = (
  phases: readonly Phase[],
  request: unknown,
  from = 0,
  failure?: Failure,
): undefined | Promise<void> => {
  for (let index = from; index < phases.length; index++) {
    let result: unknown
    try {
      result = (phases[index] as (request: unknown) => unknown)(request)
    } catch (thrown) {
      failure ??= { thrown }
      continue
    }
    if (result instanceof Promise) return finishAsync(result, phases, request, index + 1, failure)
  }
  if (failure !== undefined) throw failure.thrown
  return undefined
}

const finishAsync = async (
  pending: Promise<unknown>,
  phases: readonly Phase[],
  request: unknown,
  next: number,
  failure: Failure | undefined,
): Promise<void> => {
  try {
    await pending
  } catch (thrown) {
    failure ??= { thrown }
  }
  await runAll(phases, request, next, failure)
}

/** Runs `next` after `pending`: at once when nothing is pending, else when it settles well. */
export const andThen = (
  pending: undefined | Promise<void>,
  next: () => void,
): undefined | Promise<void> => {
  if (pending === undefined) {
    next()
    return undefined
  }
  return pending.then(next)
}

/**
 * Runs every phase (see {@link runAll}) and answers the first failure instead of throwing it:
 * `undefined` when all went well, as a promise only when a phase returned one.
 */
export const settle = (
  phases: readonly Phase[],
  request: unknown,
): Failure | undefined | Promise<Failure | undefined> => {
  try {
    const pending = runAll(phases, request)
    return pending?.then(
      () => undefined,
      (thrown: unknown) => ({ thrown }),
    )
  } catch (thrown) {
    return { thrown }
  }
}

/** Hands `value` to `next` at once, or once it settles when it is a promise. */
export const whenSettled = <T, R>(value: T | Promise<T>, next: (value: T) => R): R | Promise<R> =>
  value instanceof Promise ? value.then(next) : next(value)
