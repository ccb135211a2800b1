/**
 * Deep freezing of what the per-container caches hand to every later request (verified claims
 * and headers, userinfo answers). Internal to `metis-app/auth`.
 */

/** Freezes a parsed JSON value and everything in it, in place; returns it. */
export const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const inner of Object.values(value)) deepFreeze(inner)
  }
  return value
}
