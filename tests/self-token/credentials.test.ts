import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  credentialsFromEnv,
  type ParameterProvider,
  type SelfTokenOptions,
  selfTokenClient,
} from 'metis-app/self-token'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startTokenServer, type TokenServer } from './support.ts'

let server: TokenServer
beforeAll(async () => {
  server = await startTokenServer()
})
afterAll(() => server.stop())
beforeEach(() => server.reset())

/** The `user:secret` the endpoint received in `client_secret_basic`. */
const sentCredentials = () =>
  Buffer.from(String(server.seen.at(-1)?.headers.authorization).slice(6), 'base64').toString()

const grantWith = (extra: Partial<SelfTokenOptions>) =>
  selfTokenClient({
    tokenEndpoint: server.url,
    clientId: 'orders',
    clientSecret: 's',
    ...extra,
  }).get()

describe('credentialsFromEnv', () => {
  it("maps the seed's lower-case variables, and upper-case ones", () => {
    expect(
      credentialsFromEnv({
        identity_token_endpoint: 'https://id/token',
        client_id: 'a',
        client_secret: 'b',
      }),
    ).toEqual({ tokenEndpoint: 'https://id/token', clientId: 'a', clientSecret: 'b' })
    expect(
      credentialsFromEnv({
        IDENTITY_TOKEN_ENDPOINT: 'https://id/token',
        CLIENT_ID: 'a',
        CLIENT_SECRET: 'b',
      }),
    ).toEqual({ tokenEndpoint: 'https://id/token', clientId: 'a', clientSecret: 'b' })
  })

  it('reads ssm: and secretsmanager: references as parameter sources', () => {
    expect(
      credentialsFromEnv({
        identity_token_endpoint: 'https://id/token',
        client_id: 'secretsmanager:orders-client#client_id',
        client_secret: 'ssm:/orders/secret',
      }),
    ).toEqual({
      tokenEndpoint: 'https://id/token',
      clientId: { secretsManager: 'orders-client', field: 'client_id' },
      clientSecret: { ssm: '/orders/secret' },
    })
    expect(
      credentialsFromEnv({
        identity_token_endpoint: 'x',
        client_id: 'a',
        client_secret: 'secretsmanager:whole',
      }).clientSecret,
    ).toEqual({ secretsManager: 'whole' })
  })

  it('names the missing variables, never the values it has', () => {
    expect(() =>
      credentialsFromEnv({ client_id: 'a', client_secret: 'hunter2', identity_token_endpoint: '' }),
    ).toThrow(/^credentialsFromEnv: missing identity_token_endpoint$/)
    expect(() => credentialsFromEnv({})).toThrow(
      'missing identity_token_endpoint, client_id, client_secret',
    )
  })
})

describe('SSM and Secrets Manager sources', () => {
  // SSM and Secrets Manager cannot be reached here: these tests give the client a stub with the
  // `get(name, options)` of Powertools' providers, and check what it asks and how it uses the value.
  const stub = (values: Record<string, unknown>) => {
    const calls: { name: string; options: unknown }[] = []
    const provider: ParameterProvider = {
      async get(name, options) {
        calls.push({ name, options })
        if (!(name in values)) throw new Error(`ParameterNotFound: ${name}`)
        return values[name]
      },
    }
    return { provider, calls }
  }

  it('reads the secret from SSM, decrypted, with the maxAgeMs given (in seconds) or 300 s', async () => {
    const ssm = stub({ '/orders/secret': 'from-ssm', '/orders/id': 'orders-ssm' })
    const result = await grantWith({
      clientId: { ssm: '/orders/id', maxAgeMs: 60_000 },
      clientSecret: { ssm: '/orders/secret' },
      parameters: { ssm: ssm.provider },
    })
    expect(result.ok).toBe(true)
    expect(sentCredentials()).toBe('orders-ssm:from-ssm')
    expect(ssm.calls).toEqual([
      { name: '/orders/id', options: { maxAge: 60, decrypt: true } },
      { name: '/orders/secret', options: { maxAge: 300, decrypt: true } },
    ])
  })

  it('reads a field of a JSON secret from Secrets Manager, parsed or not', async () => {
    const secrets = stub({
      text: '{"client_id":"orders-sm","client_secret":"from-sm"}',
      parsed: { client_secret: 'parsed-sm' },
    })
    const parameters = { secretsManager: secrets.provider }
    await grantWith({
      clientId: { secretsManager: 'text', field: 'client_id' },
      clientSecret: { secretsManager: 'text', field: 'client_secret', maxAgeMs: 10_000 },
      parameters,
    })
    expect(sentCredentials()).toBe('orders-sm:from-sm')
    await grantWith({
      clientSecret: { secretsManager: 'parsed', field: 'client_secret' },
      parameters,
    })
    expect(sentCredentials()).toBe('orders:parsed-sm')
    await grantWith({ clientSecret: { secretsManager: 'text' }, clientId: 'x', parameters })
    expect(sentCredentials()).toBe(
      `x:${encodeURIComponent('{"client_id":"orders-sm","client_secret":"from-sm"}')}`,
    )
  })

  it('answers TOKEN_CREDENTIALS_ERROR without the secret for a field of a secret that is not JSON', async () => {
    const secrets = stub({ plain: 'hunter2-plain' })
    const result = await grantWith({
      clientSecret: { secretsManager: 'plain', field: 'client_secret' },
      parameters: { secretsManager: secrets.provider },
    })
    expect(!result.ok && result.error.code).toBe('TOKEN_CREDENTIALS_ERROR')
    const error = !result.ok ? result.error : undefined
    expect(`${error?.message} ${(error?.cause as Error | undefined)?.message}`).not.toContain(
      'hunter2',
    )
    expect(server.count()).toBe(0)
  })

  it('answers TOKEN_CREDENTIALS_ERROR when the parameter is missing or the secret has no such field', async () => {
    const ssm = stub({})
    const missing = await grantWith({
      clientSecret: { ssm: '/nope' },
      parameters: { ssm: ssm.provider },
    })
    expect(!missing.ok && [missing.error.code, missing.error.retryable]).toEqual([
      'TOKEN_CREDENTIALS_ERROR',
      true,
    ])
    const secrets = stub({ s: '{"other":1}' })
    const noField = await grantWith({
      clientSecret: { secretsManager: 's', field: 'client_secret' },
      parameters: { secretsManager: secrets.provider },
    })
    expect(!noField.ok && noField.error.message).toBe('clientSecret is empty or not a string')
  })

  it('imports the Secrets Manager provider only when such a source is used (its SDK is absent here, so it fails cleanly)', async () => {
    const result = await grantWith({ clientSecret: { secretsManager: 'orders' } })
    expect(!result.ok && result.error.code).toBe('TOKEN_CREDENTIALS_ERROR')
    expect(server.count()).toBe(0)
  })
})

describe("Powertools' SSMProvider, imported on first use", () => {
  // A loopback server speaks SSM's JSON protocol (GetParameter) so that the real SSMProvider and
  // SSM client run end to end, pointed at it through AWS_ENDPOINT_URL_SSM.
  let ssm: Server
  const asked: string[] = []
  const saved = { ...process.env }

  beforeAll(async () => {
    ssm = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk) => {
        body += chunk
      })
      req.on('end', () => {
        const { Name } = JSON.parse(body) as { Name: string }
        asked.push(`${req.headers['x-amz-target']} ${Name}`)
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
        res.end(
          JSON.stringify({
            Parameter: { Name, Type: 'SecureString', Value: 'real-ssm', Version: 1 },
          }),
        )
      })
    })
    await new Promise<void>((resolve) => ssm.listen(0, '127.0.0.1', resolve))
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${(ssm.address() as AddressInfo).port}`,
    })
  })
  afterAll(async () => {
    process.env = saved
    ssm.closeAllConnections()
    await new Promise<void>((resolve) => ssm.close(() => resolve()))
  })

  it('reads the secret through the real SSMProvider and caches it for maxAgeMs', async () => {
    const client = selfTokenClient({
      tokenEndpoint: server.url,
      clientId: 'orders',
      clientSecret: { ssm: '/orders/secret', maxAgeMs: 600_000 },
      defaultLifetimeMs: 1,
    })
    expect((await client.get()).ok).toBe(true)
    expect(sentCredentials()).toBe('orders:real-ssm')
    client.reset()
    expect((await client.get()).ok).toBe(true)
    expect(asked).toEqual(['AmazonSSM.GetParameter /orders/secret'])
  })
})
