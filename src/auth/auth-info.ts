/**
 * The outcome of {@link pip} on `context.auth`: the {@link AuthInfo} type, and the function that
 * builds it from the verified token and the subject, with the activities and scopes read from
 * the claims on first use.
 */

import type { Result } from '../result/index.ts'
import type { TokenSource } from './token.ts'
import type { SubjectOutcome } from './userinfo.ts'
import type { TokenFailureReason, TokenRejection, VerifiedClaims, VerifiedToken } from './verify.ts'

/**
 * The PIP outcome, on `context.auth`. Its methods never throw.
 *
 * @example
 * ```ts
 * const canRead = (auth: AuthInfo): boolean =>
 *   auth.valid && (auth.hasScope('orders:read') || auth.activities().includes('orders:order:read'))
 * ```
 */
export interface AuthInfo {
  /** The verified token, or why there is none. */
  readonly token: Result<VerifiedToken, TokenRejection>
  /** True when the token verified. */
  readonly valid: boolean
  /** The verified claims, when valid. */
  readonly claims: VerifiedClaims | undefined
  /** Why the token was refused, when not valid. */
  readonly reason: TokenFailureReason | undefined
  /** Where the token was found, when one was. */
  readonly source: TokenSource | undefined
  /** The subject from userinfo, or why not. */
  readonly subject: SubjectOutcome
  /** How the PDP answers `jwks-unavailable` (from the PIP options). */
  readonly onJwksUnavailable: 401 | 503
  /** The `WWW-Authenticate` realm, when configured. */
  readonly realm: string | undefined
  /** The granted activities (from the token or the userinfo answer); empty when unknown. */
  activities(): readonly string[]
  /** The granted scopes (`scope` space-separated, or `scp`); empty without a valid token. */
  scopes(): readonly string[]
  /** True when the valid token grants `scope`. */
  hasScope(scope: string): boolean
  /** The raw bearer token (to forward it); kept out of enumerable fields so it is not logged. */
  bearer(): string | undefined
}

/**
 * What {@link pip} adds to the Lambda context.
 *
 * @example
 * ```ts
 * const app = async (_event: unknown, context: Context & AuthContext) =>
 *   ({ statusCode: 200, body: String(context.auth.claims?.sub) })
 * ```
 */
export interface AuthContext {
  /** The PIP outcome. */
  auth: AuthInfo
}

/** What {@link authInfo} builds an outcome from: the token, the subject, the PIP's settings. */
export interface AuthParts {
  token: Result<VerifiedToken, TokenRejection>
  subject: SubjectOutcome
  source: TokenSource | undefined
  bearer: string | undefined
  activitiesClaim: string
  activitiesFrom: 'token' | 'userinfo'
  onJwksUnavailable: 401 | 503
  realm: string | undefined
}

/** The outcome on `context.auth`; activities and scopes are read from the claims on first use. */
export const authInfo = (parts: AuthParts): AuthInfo => {
  const { token, subject, bearer } = parts
  const claims = token.ok ? token.value.claims : undefined
  let activities: readonly string[] | undefined
  let scopes: readonly string[] | undefined
  const info: AuthInfo = {
    token,
    valid: token.ok,
    claims,
    reason: token.ok ? undefined : token.error.reason,
    source: parts.source,
    subject,
    onJwksUnavailable: parts.onJwksUnavailable,
    realm: parts.realm,
    activities: () => {
      activities ??= readActivities(parts, claims, subject)
      return activities
    },
    scopes: () => {
      scopes ??=
        claims === undefined ? [] : [...stringList(claims.scope), ...stringList(claims.scp)]
      return scopes
    },
    hasScope: (scope) => info.scopes().includes(scope),
    bearer: () => bearer,
  }
  return info
}

const readActivities = (
  parts: AuthParts,
  claims: VerifiedClaims | undefined,
  subject: SubjectOutcome,
): readonly string[] => {
  if (claims === undefined) return []
  if (parts.activitiesFrom === 'token') return stringList(claims[parts.activitiesClaim])
  return subject.status === 'available' ? stringList(subject.subject[parts.activitiesClaim]) : []
}

/** A claim that is a string array or a space-separated string, as a list; anything else is empty. */
const stringList = (value: unknown): readonly string[] => {
  if (typeof value === 'string') return value.split(' ').filter((s) => s !== '')
  if (Array.isArray(value))
    return value.filter((s): s is string => typeof s === 'string' && s !== '')
  return []
}
