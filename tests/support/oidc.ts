/**
 * A real OpenID Provider for tests: `oidc-provider` (v9) started in-process on 127.0.0.1 with an
 * ephemeral port, configured for the OAuth2 `client_credentials` grant and JWT access tokens (through
 * resource indicators), with its JWKS endpoint at `jwksUri`.
 *
 * Shared test support: the PIP tests verify its tokens, and the self-token tests may use it as their
 * token endpoint (`tokenEndpoint`, `clientId`, `clientSecret`; the client authenticates with
 * `client_secret_basic` or `client_secret_post`). Every token it issues has the audience `audience`,
 * the scopes asked for (among `scopes`), and the extra claims `extraClaims` returns.
 *
 * `rotateKeys()` swaps in a new signing key (a new `kid`) without changing the port: the provider is
 * rebuilt with the new key first and the old key kept, so tokens already issued still verify.
 * `jwksRequests()` counts requests to the JWKS endpoint (to measure JWKS fetches), and `requests`
 * counts requests per path. `stop()` closes the server and its connections; call it in `afterAll`.
 *
 * @example
 * ```ts
 * const idp = await startOidcProvider({ scopes: ['orders:read'] })
 * afterAll(() => idp.stop())
 * const token = await idp.getToken('orders:read')
 * // verify with { issuer: idp.issuer, audience: idp.audience, jwksUri: idp.jwksUri }
 * ```
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import Provider, { type AdapterPayload } from 'oidc-provider'
import { registerSecret } from '../reliability/support/hygiene.ts'

/** Options of {@link startOidcProvider}. */
export interface OidcProviderOptions {
  /** The audience (resource server identifier) of issued access tokens. */
  audience?: string
  /** The scopes the resource server knows and the client may ask for. */
  scopes?: readonly string[]
  /** Access token lifetime in seconds (default 300). */
  accessTokenTtl?: number
  /** Signing algorithm of access tokens (default RS256). */
  alg?: 'RS256' | 'PS256' | 'ES256' | 'EdDSA'
  /** Extra claims for every access token, given its granted scope (for example `{ activities: [...] }`). */
  extraClaims?: (scope: string | undefined) => Record<string, unknown>
}

/** A running test identity provider. */
export interface OidcProvider {
  /** The issuer (`iss` of its tokens), `http://127.0.0.1:<port>`. */
  readonly issuer: string
  /** The JWKS endpoint. */
  readonly jwksUri: string
  /** The token endpoint (`client_credentials`). */
  readonly tokenEndpoint: string
  readonly clientId: string
  readonly clientSecret: string
  /** The `aud` of the access tokens. */
  readonly audience: string
  /** Gets an access token by the client-credentials grant (space-separated scopes). */
  getToken(scope?: string): Promise<string>
  /** The `kid` of the current signing key. */
  currentKid(): string
  /** Adds a new signing key (new `kid`, signs from now on) and keeps the old ones in the JWKS. */
  rotateKeys(): Promise<string>
  /** Requests received on the JWKS endpoint since start (or the last `resetCounts()`). */
  jwksRequests(): number
  /** Resets the request counters. */
  resetCounts(): void
  /** Stops the server and closes its connections. */
  stop(): Promise<void>
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void

// A minimal storage adapter: JWT access tokens are not stored, so little ever lands here. Given so
// that the provider does not warn about its development adapter on every start.
class MemoryAdapter {
  static readonly store = new Map<string, AdapterPayload>()
  readonly #name: string
  constructor(name: string) {
    this.#name = name
  }
  #key(id: string): string {
    return `${this.#name}:${id}`
  }
  async upsert(id: string, payload: AdapterPayload): Promise<void> {
    MemoryAdapter.store.set(this.#key(id), payload)
  }
  async find(id: string): Promise<AdapterPayload | undefined> {
    return MemoryAdapter.store.get(this.#key(id))
  }
  async findByUid(): Promise<undefined> {
    return undefined
  }
  async findByUserCode(): Promise<undefined> {
    return undefined
  }
  async consume(): Promise<void> {}
  async destroy(id: string): Promise<void> {
    MemoryAdapter.store.delete(this.#key(id))
  }
  async revokeByGrantId(): Promise<void> {}
}

const newSigningKey = async (alg: string): Promise<JWK> => {
  const { privateKey } = await generateKeyPair(alg, { extractable: true })
  const jwk = await exportJWK(privateKey)
  return { ...jwk, kid: randomUUID(), alg, use: 'sig' }
}

/** Starts an `oidc-provider` on 127.0.0.1 on an ephemeral port. */
export const startOidcProvider = async (
  options: OidcProviderOptions = {},
): Promise<OidcProvider> => {
  const audience = options.audience ?? 'https://api.metis.test'
  const scopes = options.scopes ?? ['orders:read', 'orders:write']
  const alg = options.alg ?? 'RS256'
  const clientId = 'metis-test-client'
  const clientSecret = `secret-${randomUUID()}`
  // the secret-hygiene scan of the test suite's output looks for exactly these values
  registerSecret(clientSecret)
  const keys: JWK[] = [await newSigningKey(alg)]
  let jwksCount = 0
  let listener: RequestListener = (_req, res) => res.end()

  const server = createServer((req, res) => {
    if (req.url?.startsWith('/jwks') === true) jwksCount += 1
    listener(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const issuer = `http://127.0.0.1:${port}`

  const build = (): RequestListener => {
    const provider = new Provider(issuer, {
      adapter: MemoryAdapter,
      ttl: { ClientCredentials: options.accessTokenTtl ?? 300 },
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
          scope: scopes.join(' '),
        },
      ],
      jwks: { keys: keys.map((key) => ({ ...key })) },
      scopes: [...scopes],
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => audience,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({
            scope: scopes.join(' '),
            audience,
            accessTokenTTL: options.accessTokenTtl ?? 300,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg, kid: keys[0]?.kid } },
          }),
        },
      },
      extraTokenClaims: async (_ctx, token) => options.extraClaims?.(token.scope),
    })
    return provider.callback() as RequestListener
  }
  listener = build()

  const tokenEndpoint = `${issuer}/token`
  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    tokenEndpoint,
    clientId,
    clientSecret,
    audience,
    async getToken(scope) {
      const body = new URLSearchParams({ grant_type: 'client_credentials' })
      if (scope !== undefined) body.set('scope', scope)
      const response = await fetch(tokenEndpoint, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body,
      })
      const json = (await response.json()) as { access_token?: string; error_description?: string }
      if (json.access_token === undefined) {
        throw new Error(`token request failed: ${response.status} ${json.error_description}`)
      }
      registerSecret(json.access_token)
      return json.access_token
    },
    currentKid: () => keys[0]?.kid as string,
    async rotateKeys() {
      keys.unshift(await newSigningKey(alg))
      listener = build()
      return keys[0]?.kid as string
    },
    jwksRequests: () => jwksCount,
    resetCounts() {
      jwksCount = 0
    },
    async stop() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
