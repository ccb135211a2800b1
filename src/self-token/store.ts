/**
 * Where tokens are kept between instances: the store contract and the in-memory store.
 * @module
 */
import { asNumber, asRecord, asString } from '../internal/guards.ts'
import { ok, type Result } from '../result/index.ts'

/**
 * An access token obtained with the client-credentials grant. `accessToken` is a secret: pass it
 * on in an `Authorization` header, never log it.
 *
 * @example
 * ```ts
 * const token: SelfToken = await context.selfToken.get()
 * await fetch(url, { headers: { authorization: `Bearer ${token.accessToken}` } })
 * ```
 */
export interface SelfToken {
  /** The access token (opaque or a JWT). */
  readonly accessToken: string
  /** The token type the endpoint gave, normalised to `'Bearer'`. */
  readonly tokenType: 'Bearer'
  /** When it expires, epoch ms: receipt time + `expires_in`, else the JWT `exp`, else a default. */
  readonly expiresAt: number
  /** When it was received, epoch ms (its lifetime scales the early-refresh window). */
  readonly issuedAt: number
  /** The granted scope, when the endpoint said. */
  readonly scope?: string
}

/**
 * A persistence store for tokens, shared by the instances of a service (the seed's
 * `TokenPersistenceProviderProtocol`). Both methods answer Results and should not reject; a
 * rejection or an error Result makes the client warn and go on with its memory cache.
 *
 * @example
 * ```ts
 * const redisStore: TokenStore = {
 *   async read(key) { return ok(parse(await redis.get(key))) },
 *   async write(key, token) { await redis.set(key, JSON.stringify(token)); return ok(true) },
 * }
 * ```
 */
export interface TokenStore {
  /** The token kept under `key`, or undefined when there is none. */
  read(key: string): Promise<Result<SelfToken | undefined, unknown>>
  /**
   * Keeps `token` under `key` unless a token that expires later is kept there already; answers
   * whether it wrote.
   */
  write(key: string, token: SelfToken): Promise<Result<boolean, unknown>>
  /**
   * Optional: claims the refresh of `key` for `claim.claimant` until `claim.until` (epoch ms),
   * unless another claimant holds an unexpired claim at `claim.now` or a token expiring after
   * `claim.replaces` (the expiry of the token the caller means to replace) is kept already;
   * answers whether this caller got it. A claimant may claim again what it holds. With it, one
   * instance refreshes a still-valid token while the others keep using it (and a cold fleet asks
   * once); without it, the random refresh window alone keeps instances apart. A new token written
   * under `key` ends the claim.
   */
  claim?(key: string, claim: RefreshClaim): Promise<Result<boolean, unknown>>
  /**
   * Optional, with `claim`: ends the claim on `key` if `claimant` still holds it; answers whether
   * it did. The client calls it when its token request failed, so that the next attempt (by any
   * instance) comes at once instead of after the claim lapses.
   */
  release?(key: string, claimant: string): Promise<Result<boolean, unknown>>
}

/**
 * A claim on the early refresh of a token; see {@link TokenStore.claim}.
 *
 * @example
 * ```ts
 * const now = Date.now()
 * const claim: RefreshClaim = { now, until: now + 10_000, replaces: token.expiresAt, claimant: id }
 * const won = await store.claim?.(key, claim)
 * ```
 */
export interface RefreshClaim {
  /** Epoch ms now, by the caller's clock. */
  readonly now: number
  /** Epoch ms at which the claim lapses. */
  readonly until: number
  /** The `expiresAt` of the token the caller means to replace. */
  readonly replaces: number
  /** Who claims: the id of the client instance (its `instanceId`). */
  readonly claimant: string
}

/**
 * A {@link TokenStore} in this process's memory.
 *
 * @example
 * ```ts
 * const store: MemoryTokenStore = memoryTokenStore()
 * const tokens = selfTokenClient({ ...options, store })
 * afterEach(() => store.clear())
 * ```
 */
export interface MemoryTokenStore extends TokenStore {
  claim(key: string, claim: RefreshClaim): Promise<Result<boolean, unknown>>
  release(key: string, claimant: string): Promise<Result<boolean, unknown>>
  /** Forgets every token and claim. */
  clear(): void
}

/**
 * A token store in this process's memory: what `dynamoDbTokenStore()` is between instances,
 * between clients of one process (one store object given to several clients). Useful in tests,
 * and for several clients of one container.
 *
 * @example
 * ```ts
 * const store = memoryTokenStore()
 * const a = selfTokenClient({ ...options, store })
 * const b = selfTokenClient({ ...options, store }) // gets a's token without a request
 * ```
 */
export const memoryTokenStore = (): MemoryTokenStore => {
  const tokens = new Map<string, SelfToken>()
  const claims = new Map<string, { until: number; claimant: string }>()
  return {
    async read(key) {
      return ok(tokens.get(key))
    },
    async write(key, token) {
      const kept = tokens.get(key)
      if (kept !== undefined && kept.expiresAt >= token.expiresAt) return ok(false)
      tokens.set(key, { ...token })
      claims.delete(key)
      return ok(true)
    },
    async claim(key, { now, until, replaces, claimant }) {
      const held = claims.get(key)
      if (held !== undefined && held.until > now && held.claimant !== claimant) return ok(false)
      if ((tokens.get(key)?.expiresAt ?? 0) > replaces) return ok(false)
      claims.set(key, { until, claimant })
      return ok(true)
    },
    async release(key, claimant) {
      if (claims.get(key)?.claimant !== claimant) return ok(false)
      claims.delete(key)
      return ok(true)
    },
    clear: () => {
      tokens.clear()
      claims.clear()
    },
  }
}

/**
 * Reads a token from a store's answer, or undefined when it is not one (a user store may hand
 * back anything).
 */
export const readStoredToken = (value: unknown): SelfToken | undefined => {
  const record = asRecord(value)
  const accessToken = asString(record?.accessToken)
  const expiresAt = asNumber(record?.expiresAt)
  if (accessToken === undefined || accessToken === '' || expiresAt === undefined) return undefined
  const scope = asString(record?.scope)
  return {
    accessToken,
    tokenType: 'Bearer',
    expiresAt,
    issuedAt: asNumber(record?.issuedAt) ?? expiresAt,
    ...(scope === undefined ? {} : { scope }),
  }
}
