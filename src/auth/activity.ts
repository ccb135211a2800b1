/**
 * Activity matching: activities are `:`-separated segments (`service:resource:action`); a granted
 * `*` segment matches any one segment. A grant never meets a requirement broader than itself: a
 * grant with more segments meets a requirement with fewer only when its extra segments are all
 * `*` (`orders:order` is met by `orders:order:*`, not by `orders:order:read`), and a grant with
 * fewer segments never meets. Wildcards count only on the granted side, so a route that requires
 * `orders:*` needs a grant of `orders:*` (or `*:*`).
 */

/**
 * True when the granted activity meets the required one.
 *
 * @example
 * ```ts
 * activityMatches('orders:order:read', 'orders:*:read') // true
 * activityMatches('orders:order', 'orders:order:*') // true: the extra segment is a star
 * activityMatches('orders:order:delete', 'orders:order:delete:own') // false: narrower grant
 * activityMatches('orders:order:read', 'orders:order') // false
 * ```
 */
export const activityMatches = (required: string, granted: string): boolean => {
  const need = required.split(':')
  const have = granted.split(':')
  if (have.length < need.length) return false
  for (let i = 0; i < have.length; i += 1) {
    const segment = have[i]
    if (segment !== '*' && (i >= need.length || segment !== need[i])) return false
  }
  return true
}

/**
 * True when any granted activity meets the required one. With a namespace, only grants whose first
 * segment is the namespace count (the seed filtered by substring; a whole segment is stricter).
 *
 * @example
 * ```ts
 * hasActivity(['orders:*:read'], 'orders:invoice:read') // true
 * hasActivity(['billing:invoice:read'], 'orders:invoice:read') // false
 * ```
 */
export const hasActivity = (
  granted: readonly string[],
  required: string,
  namespace?: string,
): boolean =>
  granted.some(
    (activity) =>
      (namespace === undefined || activity.split(':', 1)[0] === namespace) &&
      activityMatches(required, activity),
  )
