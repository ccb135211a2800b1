/**
 * The per-container caches of `metis-app/auth`, and their reset for tests. Internal; the reset is
 * public as `resetAuthCaches()`.
 */
import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose'

// Bumped by resetAuthCaches(); every BoundedCache drops its entries when it sees a new generation.
let generation = 0

/**
 * Told when a fetch of a remote key set no longer holds a key the previous fetch held (removed,
 * or replaced under the same `kid`): `kids` are the dropped keys' `kid`s (empty when only keys
 * without a `kid` went).
 */
export interface KeyDropWatcher {
  keysDropped(kids: ReadonlySet<string>): void
}

/** A remote key set: jose's key function, and the watchers of the keys it drops. */
export interface RemoteKeySet {
  readonly getKey: JWTVerifyGetKey
  /** Adds a watcher, held weakly: a watcher nobody else holds is forgotten. */
  watch(watcher: KeyDropWatcher): void
}

// One remote JWKS per URL and settings, shared by every pip() of the container, so that two
// handlers bundled together fetch a key set once.
const remoteKeySets = new Map<string, RemoteKeySet>()

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

// The fetch jose uses for the JWKS, marking every way of not getting a key set, and showing
// every key set fetched to `seen`. Checking here, once per fetch, leaves the per-verification
// path free of any wrapper.
const guardedFetch =
  (base: typeof fetch, seen: (json: unknown) => void): typeof fetch =>
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
    let json: unknown
    try {
      json = await response.json()
    } catch (cause) {
      throw new KeySetUnavailable('The JWKS endpoint did not answer JSON', { cause })
    }
    seen(json)
    return Response.json(json)
  }

type Jwk = Readonly<Record<string, unknown>>

// A key's identity: its members in a fixed order (a key replaced under the same kid is another).
const identity = (jwk: Jwk): string =>
  JSON.stringify(
    Object.keys(jwk)
      .sort()
      .map((name) => [name, jwk[name]]),
  )

const isKey = (value: unknown): value is Jwk => typeof value === 'object' && value !== null

/**
 * The keys of a fetched key set, by identity, with their `kid`; undefined for what jose does not
 * take as a key set (no `keys` list, or an entry that is not an object).
 */
const keysOf = (json: unknown): Map<string, string | undefined> | undefined => {
  const keys = (json as { keys?: unknown } | null)?.keys
  if (!Array.isArray(keys) || !keys.every(isKey)) return undefined
  return new Map(
    keys.map((jwk) => [identity(jwk), typeof jwk.kid === 'string' ? jwk.kid : undefined]),
  )
}

/**
 * Compares each fetched key set with the one before and tells the watchers what went. Only
 * successful fetches count; the first one drops nothing.
 */
const dropTracker = () => {
  const watchers = new Set<WeakRef<KeyDropWatcher>>()
  let held: Map<string, string | undefined> | undefined
  const seen = (json: unknown): void => {
    const next = keysOf(json)
    if (next === undefined) return
    const before = held
    held = next
    if (before === undefined) return
    let dropped = false
    const kids = new Set<string>()
    for (const [key, kid] of before) {
      if (next.has(key)) continue
      dropped = true
      if (kid !== undefined) kids.add(kid)
    }
    if (!dropped) return
    for (const ref of watchers) {
      const watcher = ref.deref()
      if (watcher === undefined) watchers.delete(ref)
      else watcher.keysDropped(kids)
    }
  }
  const watch = (watcher: KeyDropWatcher): void => {
    watchers.add(new WeakRef(watcher))
  }
  return { seen, watch }
}

/**
 * The container's remote key set for `url` (created on first use, then reused). Each of its
 * fetches is compared with the one before, and the watchers are told which keys went.
 */
export const remoteKeySet = (url: URL, settings: RemoteJwksSettings): RemoteKeySet => {
  const key = `${url.href} ${settings.cooldownMs} ${settings.timeoutMs} ${settings.cacheMaxAgeMs}`
  const existing = settings.fetch === undefined ? remoteKeySets.get(key) : undefined
  if (existing !== undefined) return existing
  const drops = dropTracker()
  const created: RemoteKeySet = {
    getKey: createRemoteJWKSet(url, {
      cooldownDuration: settings.cooldownMs,
      timeoutDuration: settings.timeoutMs,
      cacheMaxAge: settings.cacheMaxAgeMs,
      [customFetch]: guardedFetch(
        settings.fetch ?? ((input, init) => fetch(input, init)),
        drops.seen,
      ),
    }),
    watch: drops.watch,
  }
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

  /** Removes every entry whose value `drop` answers true for. */
  deleteWhere(drop: (value: V) => boolean): void {
    this.#sync()
    for (const [slot, entry] of this.#entries) {
      if (drop(entry.value)) this.#entries.delete(slot)
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
