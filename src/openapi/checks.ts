/**
 * What a route's checks require, as alternatives (any one is enough; inside one, everything is):
 * a check's own `openapi` description, else the built-in policies of `metis-app/auth` by their
 * names (`token-required`, `scope(x)`, `activity(x)`, `allOf(...)`, `anyOf(...)`), else nothing but
 * its name.
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
  const alternatives = description.anyOf
  if (alternatives === undefined || alternatives.length === 0) return [own]
  return product([own], alternatives.flatMap(fromDescription))
}

/** Splits `a, b(c, d), e` at the commas outside parentheses. */
const splitTop = (text: string): string[] => {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]
    if (char === '(') depth += 1
    else if (char === ')') depth -= 1
    else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim())
      start = i + 1
    }
  }
  parts.push(text.slice(start).trim())
  return parts.filter((part) => part !== '')
}

const CALL = /^(scope|activity|allOf|anyOf)\((.*)\)$/s

const need = (fields: Partial<Requirement>): Requirement[] => [
  { ...NOTHING, bearer: true, ...fields },
]

/** The requirements of a built-in policy of `metis-app/auth`, from its name; undefined otherwise. */
export const requirementsByName = (name: string): Requirement[] | undefined => {
  if (name === 'token-required') return need({})
  const call = CALL.exec(name)
  if (call === null) return undefined
  const [, kind, inner = ''] = call
  if (kind === 'scope') return need({ scopes: [inner] })
  if (kind === 'activity') return need({ activities: [inner] })
  const parts = splitTop(inner).map(requirementsByName)
  if (parts.length === 0 || parts.some((part) => part === undefined)) return undefined
  const known = parts as Requirement[][]
  if (kind === 'anyOf') return known.flat()
  return known.reduce((all, part) => product(all, part), [NOTHING])
}

/** The ways to pass a route's checks, and the names of the checks that do not describe themselves. */
export const requirementsOf = (
  checks: readonly RouteCheck<never>[],
): { alternatives: Requirement[]; undescribed: string[] } => {
  let alternatives: Requirement[] = [NOTHING]
  const undescribed: string[] = []
  for (const check of checks) {
    const own = check.openapi === undefined ? undefined : fromDescription(check.openapi)
    const required = own ?? requirementsByName(check.name)
    if (required === undefined) {
      undescribed.push(check.name)
      continue
    }
    alternatives = product(alternatives, required)
  }
  return { alternatives, undescribed }
}
