import { ParametersError, parameters, putParameter } from 'metis-app/parameters'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { registerSecret } from '../reliability/support/hygiene.ts'
import {
  type AwsJsonServer,
  destroyClients,
  handlerWith,
  providersOn,
  ssmClientOn,
  startAwsJsonServer,
} from './support.ts'

const SECRET_VALUE = 'rotated-password-0e9d8c7b6a'
registerSecret(SECRET_VALUE)

let aws: AwsJsonServer
beforeAll(async () => {
  aws = await startAwsJsonServer()
})
afterAll(() => aws.stop())
beforeEach(() => aws.reset())
afterEach(() => destroyClients())

const PUT = 'AmazonSSM.PutParameter'

describe('putParameter', () => {
  it('writes a String parameter that parameters() then reads', async () => {
    const client = ssmClientOn(aws)
    await expect(putParameter('/orders/flag', 'on', { client })).resolves.toBe(1)
    expect(aws.parameters.get('/orders/flag')).toEqual({ type: 'String', value: 'on', version: 1 })
    expect(aws.requests).toEqual([
      {
        target: PUT,
        body: { Name: '/orders/flag', Value: 'on', Type: 'String', Overwrite: false },
      },
    ])
    const { invoke } = handlerWith({ names: { flag: '/orders/flag' }, providers: providersOn(aws) })
    expect((await invoke()).context.parameters?.flag).toBe('on')
  })

  it('refuses to replace an existing parameter without overwrite, never quoting the value', async () => {
    const client = ssmClientOn(aws)
    aws.putParameter('/orders/db/password', 'old-password-1234')
    const error = (await putParameter('/orders/db/password', SECRET_VALUE, { client }).catch(
      (thrown: unknown) => thrown,
    )) as ParametersError
    expect(error).toBeInstanceOf(ParametersError)
    expect(error.code).toBe('PARAMETERS_WRITE_FAILED')
    expect(error.statusCode).toBe(502)
    expect(error.message).toBe(
      'putParameter: could not write /orders/db/password (ParameterAlreadyExists)',
    )
    expect(error.details).toEqual({
      source: 'ssm',
      name: '/orders/db/password',
      reason: 'ParameterAlreadyExists',
    })
    expect(aws.parameters.get('/orders/db/password')?.value).toBe('old-password-1234')
  })

  it('replaces it with overwrite, as a SecureString with its KMS key and description', async () => {
    const client = ssmClientOn(aws)
    aws.putParameter('/orders/db/password', 'old-password-1234')
    const version = await putParameter('/orders/db/password', SECRET_VALUE, {
      client,
      overwrite: true,
      secure: true,
      kmsKeyId: 'alias/orders',
      description: 'the orders database password',
    })
    expect(version).toBe(2)
    expect(aws.parameters.get('/orders/db/password')?.type).toBe('SecureString')
    expect(aws.requests.at(-1)?.body).toMatchObject({
      Type: 'SecureString',
      Overwrite: true,
      KeyId: 'alias/orders',
      Description: 'the orders database password',
    })
    const { invoke } = handlerWith({ paths: '/orders', providers: providersOn(aws) })
    expect((await invoke()).context.parameters).toEqual({ db: { password: SECRET_VALUE } })
  })

  it('masks the value where an upstream error quotes it', async () => {
    const client = ssmClientOn(aws)
    const value = `${SECRET_VALUE}${'x'.repeat(4100)}`
    const error = (await putParameter('/orders/big', value, { client }).catch(
      (thrown: unknown) => thrown,
    )) as ParametersError
    expect(error.details.reason).toBe('ValidationException')
    expect((error.cause as Error).message).toContain("Value '***' at 'value'")
    expect(JSON.stringify([error.message, (error.cause as Error).message])).not.toContain(
      SECRET_VALUE,
    )
  })

  it('reports access denied', async () => {
    aws.fail('deny')
    const error = (await putParameter('/orders/flag', 'on', { client: ssmClientOn(aws) }).catch(
      (thrown: unknown) => thrown,
    )) as ParametersError
    expect(error.details.reason).toBe('AccessDeniedException')
  })

  it.each([
    [['', 'v'], 'putParameter: name must be a non-empty string'],
    [['/x', ''], 'putParameter: value must be a non-empty string'],
    [['/x', 42], 'putParameter: value must be a non-empty string'],
    [['/x', 'v', { overwrite: 'yes' }], 'putParameter: overwrite must be a boolean'],
    [['/x', 'v', { secure: 1 }], 'putParameter: secure must be a boolean'],
    [['/x', 'v', { kmsKeyId: '' }], 'putParameter: kmsKeyId must be a non-empty string'],
    [['/x', 'v', { description: '' }], 'putParameter: description must be a non-empty string'],
    [['/x', 'v', { client: {} }], 'putParameter: client must be an SSMClient (send)'],
  ])('refuses %j before any request', async (args, message) => {
    const call = putParameter as (...a: unknown[]) => Promise<number>
    await expect(call(...args)).rejects.toThrow(message)
    expect(aws.requests).toEqual([])
  })
})

describe('default clients', () => {
  const ENV = {
    AWS_ENDPOINT_URL: '',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'eu-west-1',
    AWS_MAX_ATTEMPTS: '1',
  }
  const saved: Record<string, string | undefined> = {}
  beforeEach(() => {
    for (const [name, value] of Object.entries({ ...ENV, AWS_ENDPOINT_URL: aws.url })) {
      saved[name] = process.env[name]
      process.env[name] = value
    }
  })
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  })

  it('putParameter makes its own SSMClient from the environment when given none', async () => {
    await expect(putParameter('/env/flag', 'on')).resolves.toBe(1)
    expect(aws.parameters.get('/env/flag')?.value).toBe('on')
  })

  it("parameters() makes Powertools' providers on the first load when given none", async () => {
    aws.putParameter('/env/db/url', 'postgres://db')
    aws.putSecret('env/key', 'env-secret-value-1234')
    registerSecret('env-secret-value-1234')
    const middleware = parameters({ paths: '/env', secrets: { key: 'env/key' } })
    expect(aws.requests).toEqual([])
    const context = {} as { parameters?: unknown }
    await middleware.before?.({
      event: {},
      context,
      response: undefined,
      error: undefined,
      internal: {},
    } as never)
    expect(context.parameters).toEqual({
      db: { url: 'postgres://db' },
      key: 'env-secret-value-1234',
    })
  })
})
