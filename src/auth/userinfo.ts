/**
 * The subject behind a verified token: from an OpenID Connect userinfo endpoint (through `ky`,
 * loaded only when used) or a user function, cached per token. Internal to `metis-app/auth`.
 */
import { asRecord } from '../internal/guards.ts'
import { BoundedCache } from './cache.ts'
import { deepFreeze } from './freeze.ts'
import type { VerifiedClaims } from './verify.ts'

/**
 * What the userinfo endpoint (or function) said about the subject: a JSON object.
 *
 * @example
 * ```ts
 * if (context.auth.subject.status === 'available') {
 *   const subject: Subject = context.auth.subject.subject
 *   console.log(subject.email)
 * }
 * ```
 */
export type Subject = Readonly<Record<string, unknown>>

/**
 * A user function that finds the subject of a verified token. Its answer is copied (with
 * `structuredClone`; an answer that cannot be copied, holding a function for example, is
 * `userinfo-invalid`) and the copy frozen, so the function's own object is never frozen.
 *
 * @example
 * ```ts
 * const userinfo: UserinfoFunction = async (_token, claims) => ({
 *   sub: claims.sub,
 *   activities: await activitiesOf(String(claims.sub)),
 * })
 * ```
 */
export type UserinfoFunction = (token: string, claims: VerifiedClaims) => Promise<Subject> | Subject

/**
 * Options of a userinfo endpoint.
 *
 * @example
 * ```ts
 * const userinfo: UserinfoEndpoint = { url: 'https://id.example.com/userinfo', timeoutMs: 1_000 }
 * pip({ issuer, audience, jwksUri, userinfo })
 * ```
 */
export interface UserinfoEndpoint {
  /** The userinfo endpoint; called with `Authorization: Bearer <token>`. */
  url: string | URL
  /** Per-attempt timeout in milliseconds (default 2000). */
  timeoutMs?: number
  /** Retries on a network error, a timeout or a 5xx; never on a 4xx (default 1). */
  retries?: number
  /** Delay between retries in milliseconds (default 100). */
  retryDelayMs?: number
}

/**
 * The subject part of the PIP outcome.
 *
 * @example
 * ```ts
 * const describe = (outcome: SubjectOutcome): string =>
 *   outcome.status === 'available' ? String(outcome.subject.sub) : outcome.reason
 * ```
 */
export type SubjectOutcome =
  | {
      readonly status: 'available'
      /** The userinfo answer, frozen deeply: the cache hands it to later requests. */
      readonly subject: Subject
      /** True when the answer came from the per-token cache. */
      readonly fromCache: boolean
    }
  | {
      readonly status: 'unavailable'
      /** `userinfo-failed` (network, timeout, non-2xx) or `userinfo-invalid` (not an object, other `sub`). */
      readonly reason: 'userinfo-failed' | 'userinfo-invalid'
      readonly message: string
      /** The underlying error, for logs. */
      readonly cause?: unknown
    }
  | {
      readonly status: 'not-requested'
      /** `not-configured` (no userinfo option) or `no-token` (no verified token to ask with). */
      readonly reason: 'not-configured' | 'no-token'
    }

/** Settings of the userinfo lookup, already defaulted by `pip()`. */
export interface UserinfoSettings {
  readonly source: UserinfoEndpoint | UserinfoFunction
  readonly ttlMs: number
  readonly cacheSize: number
  readonly now: () => number
}

/** Looks the subject up for a verified token. */
export type LookupSubject = (token: string, claims: VerifiedClaims) => Promise<SubjectOutcome>

/** Creates the lookup, with its per-token cache (successes only, until `exp` or the TTL). */
export const createUserinfo = (settings: UserinfoSettings): LookupSubject => {
  const cache = new BoundedCache<Subject>(settings.cacheSize)
  const userFunction = typeof settings.source === 'function'
  const fetchSubject =
    typeof settings.source === 'function' ? settings.source : fromEndpoint(settings.source)

  return async (token, claims) => {
    const now = settings.now()
    const cached = cache.get(token, now)
    if (cached !== undefined) return { status: 'available', subject: cached, fromCache: true }
    let answer: unknown
    try {
      answer = await fetchSubject(token, claims)
    } catch (error) {
      return {
        status: 'unavailable',
        reason: 'userinfo-failed',
        message: 'The userinfo lookup failed',
        cause: error,
      }
    }
    let subject: Subject | undefined
    try {
      // The answer is cached and handed to every later request with this token: frozen, so that
      // no handler can change what the next request is granted. A function's answer is copied
      // first, so that the function's own object is never frozen.
      subject = asRecord(userFunction ? structuredClone(answer) : answer)
    } catch {
      return {
        status: 'unavailable',
        reason: 'userinfo-invalid',
        message: 'The userinfo answer is not plain data',
      }
    }
    if (subject === undefined) {
      return {
        status: 'unavailable',
        reason: 'userinfo-invalid',
        message: 'The userinfo answer is not a JSON object',
      }
    }
    // OpenID Connect Core 5.3.2: a userinfo `sub` that differs from the token's is not this subject.
    if (subject.sub !== undefined && claims.sub !== undefined && subject.sub !== claims.sub) {
      return {
        status: 'unavailable',
        reason: 'userinfo-invalid',
        message: 'The userinfo subject is not the token subject',
      }
    }
    deepFreeze(subject)
    cache.set(token, subject, Math.min(claims.exp * 1000, now + settings.ttlMs))
    return { status: 'available', subject, fromCache: false }
  }
}

const fromEndpoint = (endpoint: UserinfoEndpoint): UserinfoFunction => {
  const retryDelayMs = endpoint.retryDelayMs ?? 100
  return async (token) => {
    // Loaded on first use, so that a PIP without userinfo never loads ky.
    const { default: ky } = await import('ky')
    return ky
      .get(endpoint.url, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        timeout: endpoint.timeoutMs ?? 2000,
        retry: {
          limit: endpoint.retries ?? 1,
          methods: ['get'],
          statusCodes: [500, 502, 503, 504],
          delay: () => retryDelayMs,
        },
      })
      .json<unknown>() as Promise<Subject>
  }
}
