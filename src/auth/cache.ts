/**
 * The per-container caches of `metis-app/auth`, and their reset for tests. Internal; the reset is
 * public as `resetAuthCaches()`.
 */
import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose'

// Bumped by resetAuthCaches(); every BoundedCache drops its entries when it sees a new generation.
let generation = 0

// One remote JWKS per URL and settings, shared by every pip() of the container, so that two
// handlers bundled together fetch a key set once.
const remoteKeySets = new Map<string, JWTVerifyGetKey>()

/** Settings of a remote JWKS. */
export interface RemoteJwksSettings {
  readonly cooldownMs: number
  readonly timeoutMs: number
  readonly cacheMaxAgeMs: number
  readonly fetch: typeof fetch | undefined
}

/**
 * Thrown when the key set could not be had (unreachable, a timeout, not 200, not JSON): an
 * infrastructure failure, not the token's fault. jose reports these as plain errors.
 */
export class KeySetUnavailable extends Error {}

// The fetch jose uses for the JWKS, marking every way of not getting a key set. Checking here,
// once per fetch, leaves the per-verification path free of any wrapper.
const guardedFetch =
  (base: typeof fetch): typeof fetch =>
  async (input, init) => {
    let response: Response
    try {
      response = await base(input, init)
    } catch (cause) {
      throw new KeySetUnavailable('The JWKS endpoint could not be reached', { cause })
    }
    if (response.status !== 200) {
      throw new KeySetUnavailable(`The JWKS endpoint answered ${response.status}`)
    }
    try {
      return Response.json(await response.json())
    } catch (cause) {
      throw new KeySetUnavailable('The JWKS endpoint did not answer JSON', { cause })
    }
  }

/** The container's remote key set for `url` (created on first use, then reused). */
export const remoteKeySet = (url: URL, settings: RemoteJwksSettings): JWTVerifyGetKey => {
  const key = `${url.href} ${settings.cooldownMs} ${settings.timeoutMs} ${settings.cacheMaxAgeMs}`
  const existing = settings.fetch === undefined ? remoteKeySets.get(key) : undefined
  if (existing !== undefined) return existing
  const created = createRemoteJWKSet(url, {
    cooldownDuration: settings.cooldownMs,
    timeoutDuration: settings.timeoutMs,
    cacheMaxAge: settings.cacheMaxAgeMs,
    [customFetch]: guardedFetch(settings.fetch ?? ((input, init) => fetch(input, init))),
  })
  // A user fetch (a circuit breaker, a proxy) makes the key set the caller's own: not shared.
  if (settings.fetch === undefined) remoteKeySets.set(key, created)
  return created
}

/**
 * Clears every per-container cache of `metis-app/auth`: the remote key sets (JWKS), the verified
 * tokens and the userinfo answers of every `pip()`. For tests; a Lambda container never needs it.
 *
 * @example
 * ```ts
 * afterEach(() => resetAuthCaches())
 * ```
 */
export const resetAuthCaches = (): void => {
  remoteKeySets.clear()
  generation += 1
}

interface Entry<V> {
  readonly key: string
  readonly value: V
  readonly expiresAt: number
}

// Hashing a whole token (hundreds of characters, a new string on every request) costs more than
// the rest of a cache hit; the map is indexed by its tail (the signature, random) and an entry
// answers only to the exact same string.
const SLOT_LENGTH = 48
const slotOf = (key: string): string => (key.length > SLOT_LENGTH ? key.slice(-SLOT_LENGTH) : key)

/**
 * A bounded map with an expiry per entry, least recently used evicted first, that answers only to
 * the exact key it was given. Never stores failures: callers put only what they would answer again.
 */
export class BoundedCache<V> {
  readonly #max: number
  readonly #entries = new Map<string, Entry<V>>()
  #generation = generation

  constructor(max: number) {
    this.#max = max
  }

  /** The value of `key` while `now` is before its expiry. */
  get(key: string, now: number): V | undefined {
    this.#sync()
    const slot = slotOf(key)
    const entry = this.#entries.get(slot)
    if (entry === undefined || entry.key !== key) return undefined
    this.#entries.delete(slot)
    if (now >= entry.expiresAt) return undefined
    this.#entries.set(slot, entry)
    return entry.value
  }

  /** Stores `value` until `expiresAt` (epoch ms), evicting the least recently used past the bound. */
  set(key: string, value: V, expiresAt: number): void {
    this.#sync()
    if (this.#max <= 0) return
    const slot = slotOf(key)
    this.#entries.delete(slot)
    this.#entries.set(slot, { key, value, expiresAt })
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string
      this.#entries.delete(oldest)
    }
  }

  /** How many entries are held. */
  get size(): number {
    this.#sync()
    return this.#entries.size
  }

  #sync(): void {
    if (this.#generation === generation) return
    this.#entries.clear()
    this.#generation = generation
  }
}
