/**
 * When a token is refreshed: the early-refresh window, scaled to the token's lifetime.
 * @module
 */

/**
 * A duration in ms, fixed or computed from the token's lifetime (ms).
 *
 * @example
 * ```ts
 * const expiryThresholdMs: Duration = (lifetimeMs) => lifetimeMs / 5 // the last 20 % of its life
 * const tokens = selfTokenClient({ ...credentialsFromEnv(), expiryThresholdMs })
 * ```
 */
export type Duration = number | ((lifetimeMs: number) => number)

/**
 * How early a token is refreshed: a threshold before expiry and a window of random points before it.
 *
 * @example
 * ```ts
 * const policy: RefreshPolicy = { expiryThresholdMs: 60_000, windowWidthMs: 30_000 }
 * const tokens = selfTokenClient({ ...credentialsFromEnv(), ...policy })
 * ```
 */
export interface RefreshPolicy {
  /** Refresh once the token is within this of its expiry. Default 10 % of its lifetime, at least 5 s. */
  expiryThresholdMs?: Duration
  /** The refresh happens at a random point of a window this wide before the threshold. Default 10 % of the lifetime, at least 5 s. */
  windowWidthMs?: Duration
  /** Taken off the expiry for clocks that disagree; at most a quarter of the lifetime. Default 10,000 ms. */
  clockSkewMs?: number
}

/**
 * The times a cached token is used by.
 *
 * @example
 * ```ts
 * // a token issued at 0 that expires at 600_000, with the default policy and a mid-window draw:
 * const plan: RefreshPlan = { usableUntil: 590_000, refreshAt: 500_000 }
 * // usableUntil: the expiry less the 10 s clock skew; refreshAt: 60 s of threshold and half of
 * // the 60 s window before that
 * ```
 */
export interface RefreshPlan {
  /** Epoch ms from which this instance refreshes early (the token still serves if that fails). */
  readonly refreshAt: number
  /** Epoch ms from which the token is no longer handed out (expiry less the clock skew). */
  readonly usableUntil: number
}

/** The default threshold and window: 10 % of the lifetime, at least 5 s. */
const tenPercent = (lifetimeMs: number): number => Math.max(5_000, lifetimeMs / 10)

/** The default `clockSkewMs`, also in the client's `defaults` (options.ts). */
export const DEFAULT_SKEW_MS = 10_000

const evaluate = (duration: Duration | undefined, lifetime: number, name: string): number => {
  const value =
    duration === undefined
      ? tenPercent(lifetime)
      : typeof duration === 'number'
        ? duration
        : duration(lifetime)
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new TypeError(`selfTokenClient: ${name} must be a finite number >= 0 (ms)`)
  }
  return value
}

/**
 * The refresh point of a token for this instance: within `expiryThresholdMs` of its usable end, at a
 * point drawn by `random` from a window of `windowWidthMs` before that (the seed's random retry
 * window), so that instances sharing a token do not all refresh at once. Whatever the settings, a
 * token is used for at least the first half of its lifetime: a threshold and window larger than
 * that (the seed's fixed one-hour defaults on a 10-minute token) are scaled down in proportion,
 * so the token is not refreshed on every call.
 *
 * @example
 * ```ts
 * // A 10-minute token received at 0: refreshed between 7:50 and 8:50 (skew 10 s, 60 s + 60 s).
 * planRefresh({ issuedAt: 0, expiresAt: 600_000 }, {}, Math.random)
 * ```
 */
export const planRefresh = (
  token: { readonly issuedAt: number; readonly expiresAt: number },
  policy: RefreshPolicy,
  random: () => number,
): RefreshPlan => {
  const lifetime = Math.max(0, token.expiresAt - token.issuedAt)
  const skew = Math.min(policy.clockSkewMs ?? DEFAULT_SKEW_MS, lifetime / 4)
  const usableUntil = token.expiresAt - skew
  let threshold = evaluate(policy.expiryThresholdMs, lifetime, 'expiryThresholdMs')
  let width = evaluate(policy.windowWidthMs, lifetime, 'windowWidthMs')
  const budget = lifetime / 2 - skew
  if (threshold + width > budget) {
    const factor = budget / (threshold + width)
    threshold *= factor
    width *= factor
  }
  return { refreshAt: usableUntil - threshold - random() * width, usableUntil }
}
