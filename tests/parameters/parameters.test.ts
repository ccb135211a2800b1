import { ParametersError, parameters } from 'metis-app/parameters'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { parameterEnvName } from '../../src/parameters/layout.ts'
import { registerSecret } from '../reliability/support/hygiene.ts'
import {
  type AwsJsonServer,
  destroyClients,
  handlerWith,
  httpEvent,
  manualClock,
  providersOn,
  recordingLogger,
  sqsEvent,
  startAwsJsonServer,
} from './support.ts'

const DB_PASSWORD = 'db-password-5f0c2a9e41'
const API_KEY = 'api-key-8d7e6f5a4b3c'
const JSON_SECRET = JSON.stringify({ username: 'orders', password: 'json-secret-1a2b3c4d5e' })
registerSecret(DB_PASSWORD, API_KEY, 'json-secret-1a2b3c4d5e')

const BY_PATH = 'AmazonSSM.GetParametersByPath'
const BY_NAMES = 'AmazonSSM.GetParameters'
const SECRET = 'secretsmanager.GetSecretValue'

let aws: AwsJsonServer
beforeAll(async () => {
  aws = await startAwsJsonServer()
})
afterAll(() => aws.stop())
beforeEach(() => {
  aws.reset()
  aws.putParameter('/orders/db/url', 'postgres://db.internal/orders')
  aws.putParameter('/orders/db/pool/max', '10')
  aws.putParameter('/orders/db/password', DB_PASSWORD, 'SecureString')
  aws.putParameter('/orders/region', 'eu-west-1')
  aws.putParameter('/billing/url', 'https://billing.internal')
  aws.putSecret('orders/api-key', API_KEY)
  aws.putSecret('orders/db', JSON_SECRET)
})
afterEach(() => {
  destroyClients()
  vi.restoreAllMocks()
})

/** Removes the environment variables a test set. */
const unset = (...names: string[]) => {
  for (const name of names) delete process.env[name]
}

describe('context.parameters', () => {
  it('nests the parameters under a path by segment, decrypted, and loads nothing else', async () => {
    const { invoke } = handlerWith({ paths: '/orders', providers: providersOn(aws) })
    const { context, handled } = await invoke()
    expect(handled).toBe(true)
    expect(context.parameters).toEqual({
      db: { url: 'postgres://db.internal/orders', pool: { max: '10' }, password: DB_PASSWORD },
      region: 'eu-west-1',
    })
    expect(aws.requests).toEqual([
      {
        target: BY_PATH,
        body: { Path: '/orders', Recursive: true, WithDecryption: true },
      },
    ])
  })

  it('merges several paths, each relative to its own path, into one frozen tree', async () => {
    aws.putParameter('/shared/timeout-ms', '2000')
    const { invoke } = handlerWith({
      paths: ['/orders/db/', '/shared'],
      providers: providersOn(aws),
    })
    const { context } = await invoke()
    expect(context.parameters).toEqual({
      url: 'postgres://db.internal/orders',
      pool: { max: '10' },
      password: DB_PASSWORD,
      'timeout-ms': '2000',
    })
    expect(aws.requests.map((request) => request.body.Path)).toEqual(['/orders/db', '/shared'])
    expect(Object.isFrozen(context.parameters)).toBe(true)
    expect(Object.isFrozen(context.parameters?.pool)).toBe(true)
  })

  it('reads every page of a path: one GetParametersByPath request a page', async () => {
    for (let i = 0; i < 25; i += 1) aws.putParameter(`/big/p${String(i).padStart(2, '0')}`, `v${i}`)
    const { invoke } = handlerWith({ paths: '/big', providers: providersOn(aws) })
    const { context } = await invoke()
    expect(Object.keys(context.parameters ?? {})).toHaveLength(25)
    expect(context.parameters?.p24).toBe('v24')
    expect(aws.count(BY_PATH)).toBe(3)
    expect(aws.requests.map((request) => request.body.NextToken)).toEqual([
      undefined,
      'page-10',
      'page-20',
    ])
  })

  it('puts named SSM parameters at their keys, fetched 10 names a GetParameters request', async () => {
    const names: Record<string, string> = {}
    for (let i = 0; i < 12; i += 1) {
      aws.putParameter(`/flags/f${i}`, `on-${i}`)
      names[`flag${i}`] = `/flags/f${i}`
    }
    names.password = '/orders/db/password'
    const { invoke } = handlerWith({ names, providers: providersOn(aws) })
    const { context } = await invoke()
    expect(context.parameters?.flag0).toBe('on-0')
    expect(context.parameters?.flag11).toBe('on-11')
    expect(context.parameters?.password).toBe(DB_PASSWORD)
    expect(aws.count(BY_NAMES)).toBe(2)
    expect(aws.count(BY_PATH)).toBe(0)
    for (const request of aws.requests) expect(request.body.WithDecryption).toBe(true)
  })

  it('puts secrets at their keys: a whole secret string, or one field of a JSON secret', async () => {
    const { invoke } = handlerWith({
      paths: '/orders',
      secrets: { apiKey: 'orders/api-key', dbUser: { id: 'orders/db', field: 'username' } },
      providers: providersOn(aws),
    })
    const { context } = await invoke()
    expect(context.parameters?.apiKey).toBe(API_KEY)
    expect(context.parameters?.dbUser).toBe('orders')
    expect(context.parameters?.region).toBe('eu-west-1')
    expect(aws.count(SECRET)).toBe(2)
  })

  it('fails the load when a named parameter is missing, naming it', async () => {
    const { invoke } = handlerWith({ names: { gone: '/nowhere' }, providers: providersOn(aws) })
    const error = await invoke().catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(ParametersError)
    expect((error as ParametersError).message).toContain('/nowhere')
  })

  it('refuses two values at one key, or a key that is a value and a path', async () => {
    aws.putParameter('/orders/db', 'db-as-a-value')
    const { invoke } = handlerWith({ paths: '/orders', providers: providersOn(aws) })
    const error = (await invoke().catch((thrown: unknown) => thrown)) as ParametersError
    expect(error.code).toBe('PARAMETERS_CONFLICT')
    expect(error.statusCode).toBe(500)
    expect(error.message).toBe('metis-app/parameters: db is both a value and a path')

    const twice = handlerWith({ paths: ['/orders/db', '/billing'], providers: providersOn(aws) })
    await expect(twice.invoke()).rejects.toThrow('two values for the key url')
  })
})

describe('process.env', () => {
  it('sets every value when asked: the relative path joined by _, upper-cased', async () => {
    aws.putParameter('/orders/feature-flags/beta.on', 'yes')
    const { invoke } = handlerWith({
      paths: '/orders',
      secrets: { api_key: 'orders/api-key' },
      setToEnv: true,
      providers: providersOn(aws),
    })
    try {
      await invoke()
      expect(process.env.DB_URL).toBe('postgres://db.internal/orders')
      expect(process.env.DB_POOL_MAX).toBe('10')
      expect(process.env.DB_PASSWORD).toBe(DB_PASSWORD)
      expect(process.env.REGION).toBe('eu-west-1')
      expect(process.env.FEATURE_FLAGS_BETA_ON).toBe('yes')
      expect(process.env.API_KEY).toBe(API_KEY)
    } finally {
      unset('DB_URL', 'DB_POOL_MAX', 'DB_PASSWORD', 'REGION', 'FEATURE_FLAGS_BETA_ON', 'API_KEY')
    }
  })

  it('maps keys to names as documented', () => {
    expect(parameterEnvName('db/url')).toBe('DB_URL')
    expect(parameterEnvName('/db//pool/max/')).toBe('DB_POOL_MAX')
    expect(parameterEnvName('feature-flags/beta.on')).toBe('FEATURE_FLAGS_BETA_ON')
    expect(parameterEnvName('apiKey')).toBe('APIKEY')
  })

  it('refuses two keys that map to one name, setting nothing', async () => {
    aws.putParameter('/orders/db-url', 'postgres://other')
    const { invoke } = handlerWith({
      paths: '/orders',
      setToEnv: true,
      providers: providersOn(aws),
    })
    await expect(invoke()).rejects.toThrow(
      'metis-app/parameters: the keys db-url and db/url both map to DB_URL',
    )
    expect(process.env.DB_URL).toBeUndefined()
    expect(process.env.REGION).toBeUndefined()
  })

  it('leaves the environment alone unless asked', async () => {
    const { invoke } = handlerWith({ paths: '/orders', providers: providersOn(aws) })
    await invoke()
    expect(process.env.DB_URL).toBeUndefined()
  })

  it('unsets a variable whose parameter is gone at the next load', async () => {
    const clock = manualClock()
    const { invoke } = handlerWith({
      paths: '/orders',
      setToEnv: true,
      maxAgeMs: 1_000,
      clock: clock.now,
      providers: providersOn(aws),
    })
    try {
      await invoke()
      expect(process.env.REGION).toBe('eu-west-1')
      aws.deleteParameter('/orders/region')
      aws.putParameter('/orders/db/url', 'postgres://db2.internal/orders')
      clock.advance(1_000)
      await invoke()
      expect(process.env.REGION).toBeUndefined()
      expect(process.env.DB_URL).toBe('postgres://db2.internal/orders')
    } finally {
      unset('DB_URL', 'DB_POOL_MAX', 'DB_PASSWORD', 'REGION')
    }
  })

  it('refuses to replace a variable of the runtime (AWS_*, PATH, ...)', async () => {
    aws.putParameter('/orders/aws/region', 'us-east-1')
    const before = process.env.AWS_REGION
    const { invoke } = handlerWith({
      paths: '/orders',
      setToEnv: true,
      providers: providersOn(aws),
    })
    await expect(invoke()).rejects.toThrow('maps to the reserved environment name AWS_REGION')
    expect(process.env.AWS_REGION).toBe(before)
    expect(process.env.DB_URL).toBeUndefined()
  })
})

describe('the cache', () => {
  it('serves the values without a request within maxAgeMs, and loads again after', async () => {
    const clock = manualClock()
    const { invoke } = handlerWith({
      paths: '/orders',
      maxAgeMs: 60_000,
      clock: clock.now,
      providers: providersOn(aws),
    })
    await invoke()
    aws.putParameter('/orders/region', 'eu-central-1')
    clock.advance(59_999)
    const cached = await invoke()
    expect(cached.context.parameters?.region).toBe('eu-west-1')
    expect(aws.count(BY_PATH)).toBe(1)
    clock.advance(1)
    const fresh = await invoke()
    expect(fresh.context.parameters?.region).toBe('eu-central-1')
    expect(aws.count(BY_PATH)).toBe(2)
  })

  it('defaults to 5 minutes', async () => {
    const clock = manualClock()
    const { invoke } = handlerWith({
      paths: '/orders',
      clock: clock.now,
      providers: providersOn(aws),
    })
    await invoke()
    clock.advance(299_999)
    await invoke()
    expect(aws.count(BY_PATH)).toBe(1)
    clock.advance(1)
    await invoke()
    expect(aws.count(BY_PATH)).toBe(2)
  })

  it('shares one load between concurrent invocations', async () => {
    const { invoke } = handlerWith({ paths: '/orders', providers: providersOn(aws) })
    const [first, second] = await Promise.all([invoke(), invoke()])
    expect(first.context.parameters).toBe(second.context.parameters)
    expect(aws.count(BY_PATH)).toBe(1)
  })

  it('loads again after clearCache()', async () => {
    const { invoke, middleware } = handlerWith({ paths: '/orders', providers: providersOn(aws) })
    await invoke()
    middleware.clearCache()
    await invoke()
    expect(aws.count(BY_PATH)).toBe(2)
  })

  it('serves the last values when a refresh fails, with exactly one WARN and no secret', async () => {
    const clock = manualClock()
    const logger = recordingLogger()
    const { invoke } = handlerWith({
      paths: '/orders',
      secrets: { apiKey: 'orders/api-key' },
      maxAgeMs: 60_000,
      clock: clock.now,
      logger,
      providers: providersOn(aws),
    })
    const first = await invoke()
    aws.fail('throttle')
    clock.advance(60_000)
    const stale = await invoke()
    expect(stale.handled).toBe(true)
    expect(stale.context.parameters).toBe(first.context.parameters)
    expect(stale.context.parameters?.apiKey).toBe(API_KEY)
    expect(logger.lines).toHaveLength(1)
    const [line] = logger.lines
    expect(line?.level).toBe('warn')
    expect(line?.message).toBe(
      'metis-app/parameters: refresh failed; serving the values loaded before',
    )
    expect(line?.fields).toMatchObject({
      code: 'PARAMETERS_UNAVAILABLE',
      reason: 'ThrottlingException',
      ageMs: 60_000,
      retryInMs: 30_000,
    })
    const text = JSON.stringify(logger.lines)
    for (const secret of [API_KEY, DB_PASSWORD]) expect(text).not.toContain(secret)

    // Within the retry window: the stale values, no request, no second WARN.
    const requests = aws.requests.length
    clock.advance(29_999)
    await invoke()
    expect(aws.requests.length).toBe(requests)
    expect(logger.lines).toHaveLength(1)

    // After it, and the service back: fresh values.
    aws.recover()
    aws.putParameter('/orders/region', 'eu-central-1')
    clock.advance(1)
    const fresh = await invoke()
    expect(fresh.context.parameters?.region).toBe('eu-central-1')
    expect(logger.lines).toHaveLength(1)
  })

  it('still serves the last values when the logger throws', async () => {
    const clock = manualClock()
    const { invoke } = handlerWith({
      paths: '/orders',
      maxAgeMs: 1_000,
      clock: clock.now,
      logger: {
        ...recordingLogger(),
        warn: () => {
          throw new Error('logger down')
        },
      },
      providers: providersOn(aws),
    })
    await invoke()
    aws.fail('throttle')
    clock.advance(1_000)
    expect((await invoke()).context.parameters?.region).toBe('eu-west-1')
    aws.recover()
    clock.advance(30_000)
    await invoke()
    expect(aws.count(BY_PATH)).toBe(3)
  })

  it('warns through the observer logger on the context, else one JSON line on console.warn', async () => {
    const clock = manualClock()
    const { invoke } = handlerWith({
      paths: '/orders',
      maxAgeMs: 1_000,
      clock: clock.now,
      providers: providersOn(aws),
    })
    await invoke()
    aws.fail('deny')
    const observerLines = recordingLogger()
    clock.advance(1_000)
    await invoke(sqsEvent(), { observer: { logger: observerLines } })
    expect(observerLines.lines.map((line) => line.fields?.reason)).toEqual([
      'AccessDeniedException',
    ])

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    clock.advance(1_000)
    await invoke()
    expect(warn).toHaveBeenCalledTimes(1)
    const logged = JSON.parse(String(warn.mock.calls[0]?.[0])) as Record<string, unknown>
    expect(logged).toMatchObject({
      level: 'WARN',
      logger: 'metis-app/parameters',
      source: 'ssm-path',
      code: 'PARAMETERS_UNAVAILABLE',
      reason: 'AccessDeniedException',
      name: '/orders',
    })
  })
})

describe('a first load that fails', () => {
  const failing = () =>
    handlerWith({
      paths: '/orders',
      secrets: { apiKey: 'orders/api-key' },
      setToEnv: true,
      logger: recordingLogger(),
      providers: providersOn(aws),
    })

  it('answers an HTTP event with a 503 problem, handler not run, nothing half-filled', async () => {
    aws.fail('deny', [SECRET]) // the path loads, the secret does not
    const { invoke } = failing()
    const { response, context, handled } = await invoke(httpEvent())
    expect(handled).toBe(false)
    expect(response).toEqual({
      statusCode: 503,
      headers: { 'Content-Type': 'application/problem+json' },
      body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503 }),
      isBase64Encoded: false,
    })
    expect(context.parameters).toBeUndefined()
    expect(process.env.DB_URL).toBeUndefined()
    expect(process.env.REGION).toBeUndefined()
    expect(aws.count(BY_PATH)).toBe(1)
    expect(context.failures).toHaveLength(1)
  })

  it('throws a clear error for any other event, nothing half-filled', async () => {
    aws.fail('throttle', [BY_PATH])
    const { invoke } = failing()
    const error = (await invoke(sqsEvent()).catch((thrown: unknown) => thrown)) as ParametersError
    expect(error).toBeInstanceOf(ParametersError)
    expect(error.code).toBe('PARAMETERS_UNAVAILABLE')
    expect(error.statusCode).toBe(503)
    expect(error.message).toBe(
      'metis-app/parameters: could not load SSM path /orders (ThrottlingException)',
    )
    expect(error.details).toEqual({
      source: 'ssm-path',
      name: '/orders',
      reason: 'ThrottlingException',
    })
    expect(process.env.API_KEY).toBeUndefined()
    expect(process.env.APIKEY).toBeUndefined()
  })

  it('names an access denied secret by id, and never its value', async () => {
    aws.fail('deny', [SECRET])
    const logger = recordingLogger()
    const { invoke } = handlerWith({
      secrets: { apiKey: 'orders/api-key' },
      logger,
      providers: providersOn(aws),
    })
    const answered = await invoke(httpEvent())
    expect(answered.response).toMatchObject({ statusCode: 503 })
    expect(logger.lines).toEqual([
      { level: 'error', message: 'request failed', fields: expect.any(ParametersError) },
    ])
    expect(logger.lines[0]?.fields).toMatchObject({
      message: 'metis-app/parameters: could not load secret orders/api-key (AccessDeniedException)',
      code: 'PARAMETERS_UNAVAILABLE',
      details: { source: 'secret', name: 'orders/api-key', reason: 'AccessDeniedException' },
    })
    expect(JSON.stringify(logger.lines)).not.toContain(API_KEY)
    const thrown = (await invoke(sqsEvent()).catch((e: unknown) => e)) as ParametersError
    expect(thrown.details.reason).toBe('AccessDeniedException')
    expect(JSON.stringify([answered.response, thrown.message, thrown.details])).not.toContain(
      API_KEY,
    )
  })

  it('ends a request that hangs at the client timeout, as a TimeoutError', async () => {
    aws.fail('hang')
    const { invoke } = handlerWith({
      paths: '/orders',
      logger: recordingLogger(),
      providers: providersOn(aws, { timeoutMs: 150 }),
    })
    const error = (await invoke(sqsEvent()).catch((thrown: unknown) => thrown)) as ParametersError
    expect(error.code).toBe('PARAMETERS_UNAVAILABLE')
    expect(error.details.reason).toBe('TimeoutError')
    const answered = await invoke(httpEvent())
    expect(answered.response).toMatchObject({ statusCode: 503 })
  })

  it('loads at the next invocation once the service is back', async () => {
    aws.fail('throttle')
    const { invoke } = failing()
    await expect(invoke(sqsEvent())).rejects.toThrow(ParametersError)
    aws.recover()
    try {
      const { context } = await invoke(sqsEvent())
      expect(context.parameters?.apiKey).toBe(API_KEY)
      expect(process.env.DB_URL).toBe('postgres://db.internal/orders')
    } finally {
      unset('DB_URL', 'DB_POOL_MAX', 'DB_PASSWORD', 'REGION', 'APIKEY')
    }
  })

  it('reads a number field of a JSON secret as text, and refuses a missing field or a binary secret', async () => {
    aws.putSecret('orders/json', JSON.stringify({ port: 5432, tls: true, nested: { a: 1 } }))
    aws.putBinarySecret('orders/binary', new Uint8Array([1, 2, 3]))
    const port = handlerWith({
      secrets: {
        port: { id: 'orders/json', field: 'port' },
        tls: { id: 'orders/json', field: 'tls' },
      },
      providers: providersOn(aws),
    })
    const { context } = await port.invoke()
    expect(context.parameters?.port).toBe('5432')
    expect(context.parameters?.tls).toBe('true')
    const nested = handlerWith({
      secrets: { nested: { id: 'orders/json', field: 'nested' } },
      providers: providersOn(aws),
    })
    await expect(nested.invoke()).rejects.toThrow(
      'metis-app/parameters: the secret orders/json has no text field nested',
    )
    const binary = handlerWith({ secrets: { b: 'orders/binary' }, providers: providersOn(aws) })
    await expect(binary.invoke()).rejects.toThrow(
      'metis-app/parameters: the secret orders/binary (binary or missing) is not a string',
    )
  })

  it('never quotes a secret that is not the JSON its field needs', async () => {
    aws.putSecret('orders/plain', API_KEY)
    const { invoke } = handlerWith({
      secrets: { user: { id: 'orders/plain', field: 'username' } },
      providers: providersOn(aws),
    })
    const error = (await invoke(sqsEvent()).catch((thrown: unknown) => thrown)) as ParametersError
    expect(error.message).toBe(
      'metis-app/parameters: the secret orders/plain is not JSON, so it has no field username',
    )
    expect(JSON.stringify({ message: error.message, cause: String(error.cause) })).not.toContain(
      API_KEY,
    )
  })
})

describe('providers of your own', () => {
  const secrets = { get: async () => 'unused' }

  it('refuses a path value or a named value that is not text', async () => {
    const ssm = {
      getMultiple: async () => ({ 'db/port': 5432 }),
      getParametersByName: async () => ({ '/flag': { on: true } }),
    }
    const byPath = handlerWith({ paths: '/orders', providers: { ssm, secrets } })
    await expect(byPath.invoke()).rejects.toThrow(
      'metis-app/parameters: /orders/db/port is not a string',
    )
    const byName = handlerWith({ names: { flag: '/flag' }, providers: { ssm, secrets } })
    await expect(byName.invoke()).rejects.toThrow(
      'metis-app/parameters: the SSM parameter /flag is not a string',
    )
  })

  it('turns anything else a provider throws into a 503 that keeps only its message', async () => {
    const ssm = {
      getMultiple: async () => ({
        get broken(): string {
          throw 'the provider broke'
        },
      }),
      getParametersByName: async () => ({}),
    }
    const { invoke } = handlerWith({ paths: '/orders', providers: { ssm, secrets } })
    const error = (await invoke(sqsEvent()).catch((thrown: unknown) => thrown)) as ParametersError
    expect(error.code).toBe('PARAMETERS_UNAVAILABLE')
    expect(error.message).toBe('metis-app/parameters: the load failed')
    expect((error.cause as Error).message).toBe('the provider broke')
  })
})

describe('who logs a first load that fails on an HTTP event', () => {
  it('the observer (through context.failures) when no logger is given', async () => {
    aws.fail('throttle')
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const observed = recordingLogger()
    const { invoke } = handlerWith({ paths: '/orders', providers: providersOn(aws) })
    const { response, context } = await invoke(httpEvent(), { observer: { logger: observed } })
    expect(response).toMatchObject({ statusCode: 503 })
    expect(context.failures).toHaveLength(1)
    expect(errors).not.toHaveBeenCalled()
    expect(observed.lines).toEqual([])
  })

  it('the given logger, once, at error', async () => {
    aws.fail('throttle')
    const logger = recordingLogger()
    const { invoke } = handlerWith({ paths: '/orders', logger, providers: providersOn(aws) })
    const { response } = await invoke(httpEvent())
    expect(response).toMatchObject({ statusCode: 503 })
    expect(logger.lines).toEqual([
      { level: 'error', message: 'request failed', fields: expect.any(ParametersError) },
    ])
  })

  it('console.error when there is neither a logger nor an observer', async () => {
    aws.fail('throttle')
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const { invoke } = handlerWith({ paths: '/orders', providers: providersOn(aws) })
    await invoke(httpEvent())
    expect(errors).toHaveBeenCalledTimes(1)
    expect(errors.mock.calls[0]).toContainEqual(expect.any(ParametersError))
  })
})

describe('options', () => {
  it.each([
    [{}, 'parameters: nothing to load: give paths, names or secrets'],
    [{ paths: 'orders' }, 'parameters: paths[0] must start with /'],
    [{ paths: [''] }, 'parameters: paths[0] must be a non-empty string'],
    [{ paths: 42 }, 'parameters: paths must be a string or an array of strings'],
    [{ paths: ['/a', '/a/'] }, 'parameters: paths has /a twice'],
    [{ paths: ['/a//b'] }, 'parameters: paths[0] must not hold //'],
    [{ secrets: 'orders/api-key' }, 'parameters: secrets must be an object: key -> secret id'],
    [{ names: { flag: '' } }, 'parameters: names.flag must be a non-empty string'],
    [{ names: { 'a/b': '/x' } }, "parameters: names keys must be non-empty and hold no /: 'a/b'"],
    [{ names: ['/x'] }, 'parameters: names must be an object: key -> SSM name'],
    [{ secrets: { k: 7 } }, 'parameters: secrets.k must be a secret id or { id, field? }'],
    [{ secrets: { k: { field: 'f' } } }, 'parameters: secrets.k.id must be a non-empty string'],
    [
      { secrets: { k: { id: 'x', field: '' } } },
      'parameters: secrets.k.field must be a non-empty string',
    ],
    [
      { names: { k: '/x' }, secrets: { k: 'y' } },
      'parameters: the key k is in both names and secrets',
    ],
    [{ paths: '/x', maxAgeMs: -1 }, 'parameters: maxAgeMs must be a number >= 0'],
    [{ paths: '/x', maxAge: 300 }, 'parameters: unknown option maxAge'],
    [{ paths: '/x', setToEnv: 'yes' }, 'parameters: setToEnv must be a boolean'],
    [{ paths: '/x', logger: console.warn }, 'parameters: logger must be an object with debug'],
    [
      { paths: '/x', logger: { debug() {}, info() {}, warn() {}, error: 1 } },
      'parameters: logger must be an object with debug, info, warn and error functions (a Powertools Logger, console); missing error',
    ],
    [{ paths: '/x', clock: 5 }, 'parameters: clock must be a function'],
    [{ paths: '/x', providers: { ssm: {} } }, 'parameters: providers.ssm must be an SSMProvider'],
    [
      { paths: '/x', providers: { secrets: 1 } },
      'parameters: providers.secrets must be a SecretsProvider',
    ],
    [{ paths: '/x', providers: [] }, 'parameters: providers must be an object { ssm?, secrets? }'],
    [null, 'parameters: options must be an object'],
  ])('refuses %j at creation', (options, message) => {
    expect(() => parameters(options as never)).toThrow(TypeError)
    expect(() => parameters(options as never)).toThrow(message)
  })

  it('accepts the root path, a trailing slash and maxAgeMs 0 (no cache)', async () => {
    const { invoke } = handlerWith({ paths: '/orders/', maxAgeMs: 0, providers: providersOn(aws) })
    const { context } = await invoke()
    expect(context.parameters?.region).toBe('eu-west-1')
    await invoke()
    expect(aws.count(BY_PATH)).toBe(2)
    expect(aws.requests[0]?.body.Path).toBe('/orders')
    const whole = handlerWith({
      secrets: { apiKey: { id: 'orders/api-key' } },
      providers: providersOn(aws),
    })
    expect((await whole.invoke()).context.parameters).toEqual({ apiKey: API_KEY })
    const root = handlerWith({ paths: '/', providers: providersOn(aws) })
    const all = await root.invoke()
    expect(all.context.parameters?.billing).toEqual({ url: 'https://billing.internal' })
  })
})
