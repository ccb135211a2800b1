import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets'
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm'
import { SSMClient } from '@aws-sdk/client-ssm'
import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import {
  type ParametersContext,
  type ParameterTree,
  type ParameterValue,
  parameters,
  putParameter,
} from 'metis-app/parameters'
import { describe, expectTypeOf, it } from 'vitest'

interface Config {
  db: { url: string }
  apiKey: string
}

describe('parameters types', () => {
  it('types the keys of names and secrets as strings, and the rest as a tree', () => {
    middy()
      .use(parameters({ paths: '/orders', names: { flag: '/f' }, secrets: { apiKey: 'k' } }))
      .handler(async (_event, context) => {
        expectTypeOf(context.parameters.flag).toEqualTypeOf<string>()
        expectTypeOf(context.parameters.apiKey).toEqualTypeOf<string>()
        expectTypeOf(context.parameters.db).toEqualTypeOf<ParameterValue | undefined>()
        expectTypeOf(context.awsRequestId).toEqualTypeOf<string>()
      })
  })

  it('types a paths-only context as a tree', () => {
    middy()
      .use(parameters({ paths: ['/orders'] }))
      .handler(async (_event, context) => {
        expectTypeOf(context.parameters).toExtend<ParameterTree>()
        expectTypeOf(context.parameters.db).toEqualTypeOf<ParameterValue | undefined>()
      })
  })

  it('takes the shape the user gives', () => {
    middy()
      .use(parameters<Config>({ paths: '/orders', secrets: { apiKey: 'k' } }))
      .handler(async (_event, context) => {
        expectTypeOf(context.parameters).toEqualTypeOf<Config>()
        expectTypeOf(context.parameters.db.url).toEqualTypeOf<string>()
      })
    expectTypeOf<ParametersContext<Config>['parameters']>().toEqualTypeOf<Config>()
    expectTypeOf<Context & ParametersContext<Config>>().toHaveProperty('parameters')
  })

  it("accepts Powertools' providers and the SDK client", () => {
    const client = new SSMClient({})
    parameters({
      paths: '/x',
      providers: {
        ssm: new SSMProvider({ awsSdkV3Client: client }),
        secrets: new SecretsProvider(),
      },
    })
    expectTypeOf(putParameter('/x', 'v', { client })).toEqualTypeOf<Promise<number>>()
  })

  it('refuses a secret that is neither an id nor { id, field }', () => {
    // @ts-expect-error a number is no secret source
    parameters({ secrets: { apiKey: 42 } })
    // @ts-expect-error maxAge is spelled maxAgeMs
    parameters({ paths: '/x', maxAge: 300 })
  })
})
