/**
 * What a route's checks require, as alternatives (any one is enough; inside one, everything is),
 * from each check's own `openapi` description (the built-in policies of `metis-app/auth` carry
 * theirs); a check without one is listed by its name only.
 */
import type { CheckDescription, RouteCheck } from '../router/types.ts'

/** One way to pass a route's checks. */
export interface Requirement {
  readonly bearer: boolean
  readonly scopes: readonly string[]
  readonly activities: readonly string[]
  readonly statuses: readonly number[]
}

const NOTHING: Requirement = { bearer: false, scopes: [], activities: [], statuses: [] }

const union = <T>(a: readonly T[], b: readonly T[]): T[] => [...new Set([...a, ...b])]

const both = (a: Requirement, b: Requirement): Requirement => ({
  bearer: a.bearer || b.bearer,
  scopes: union(a.scopes, b.scopes),
  activities: union(a.activities, b.activities),
  statuses: union(a.statuses, b.statuses),
})

/** Every requirement of `a` with every requirement of `b` (an AND of two ORs). */
const product = (a: readonly Requirement[], b: readonly Requirement[]): Requirement[] =>
  a.flatMap((x) => b.map((y) => both(x, y)))

const fromDescription = (description: CheckDescription): Requirement[] => {
  const own: Requirement = {
    bearer: description.bearer === true,
    scopes: description.scopes ?? [],
    activities: description.activities ?? [],
    statuses: description.statuses ?? [],
  }
  const needed = (description.allOf ?? []).reduce<Requirement[]>(
    (all, part) => product(all, fromDescription(part)),
    [own],
  )
  const alternatives = description.anyOf
  if (alternatives === undefined || alternatives.length === 0) return needed
  return product(needed, alternatives.flatMap(fromDescription))
}

/** The ways to pass a route's checks, and the names of the checks that do not describe themselves. */
export const requirementsOf = (
  checks: readonly RouteCheck<never>[],
): { alternatives: Requirement[]; undescribed: string[] } => {
  let alternatives: Requirement[] = [NOTHING]
  const undescribed: string[] = []
  for (const check of checks) {
    if (check.openapi === undefined) {
      undescribed.push(check.name)
      continue
    }
    alternatives = product(alternatives, fromDescription(check.openapi))
  }
  return { alternatives, undescribed }
}
