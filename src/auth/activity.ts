/**
 * Activity matching, as the seed's `activity_matcher`: activities are `:`-separated segments
 * (`service:resource:action`); a granted `*` segment matches any one segment; a required activity
 * is met by a granted one that it is a segment prefix of (`orders:read` is met by
 * `orders:read:own`). Wildcards count only on the granted side, so a route that requires
 * `orders:*` needs a grant of `orders:*` (or `*:*`).
 */

/**
 * True when the granted activity meets the required one.
 *
 * @example
 * ```ts
 * activityMatches('orders:order:read', 'orders:*:read') // true
 * activityMatches('orders:order', 'orders:order:read') // true: a prefix of the grant
 * activityMatches('orders:order:read', 'orders:order') // false
 * ```
 */
export const activityMatches = (required: string, granted: string): boolean => {
  const need = required.split(':')
  const have = granted.split(':')
  for (let i = 0; i < need.length; i += 1) {
    const segment = have[i]
    if (segment === undefined) return false
    if (segment !== '*' && segment !== need[i]) return false
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
