/**
 * Shared by the parameters tests: the loopback SSM / Secrets Manager server, real SDK clients on
 * it (handed to Powertools' providers), a manual clock, a recording logger, and a Middy handler
 * that answers what the middleware put on the context.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets'
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm'
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { SSMClient } from '@aws-sdk/client-ssm'
import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import {
  type Logger,
  type ParametersOptions,
  type ParameterTree,
  parameters,
} from 'metis-app/parameters'
import { type AwsJsonServer, startAwsJsonServer } from '../support/aws-json-server.ts'
import { lambdaContext, loadEvent } from '../support/events.ts'

export { type AwsJsonServer, startAwsJsonServer }

/** Client settings of a test: fail at once (no retries), or time out after `timeoutMs`. */
export interface ClientSettings {
  readonly timeoutMs?: number
}

/** SDK clients made by {@link providersOn}, destroyed by {@link destroyClients}. */
const clients: { destroy(): void }[] = []

/** Destroys every client the tests made (afterEach). */
export const destroyClients = (): void => {
  for (const client of clients.splice(0)) client.destroy()
}

const clientConfig = (aws: AwsJsonServer, settings: ClientSettings) => ({
  ...aws.clientConfig,
  maxAttempts: 1,
  ...(settings.timeoutMs === undefined
    ? {}
    : { requestHandler: { requestTimeout: settings.timeoutMs, throwOnRequestTimeout: true } }),
})

/** A real `SSMClient` on the server. */
export const ssmClientOn = (aws: AwsJsonServer, settings: ClientSettings = {}): SSMClient => {
  const client = new SSMClient(clientConfig(aws, settings))
  clients.push(client)
  return client
}

/** Powertools' providers over real SDK clients on the server. */
export const providersOn = (aws: AwsJsonServer, settings: ClientSettings = {}) => {
  const secrets = new SecretsManagerClient(clientConfig(aws, settings))
  clients.push(secrets)
  return {
    ssm: new SSMProvider({ awsSdkV3Client: ssmClientOn(aws, settings) }),
    secrets: new SecretsProvider({ awsSdkV3Client: secrets }),
  }
}

/** A clock the test moves by hand. */
export const manualClock = (start = 1_767_225_600_000) => {
  let now = start
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms
    },
  }
}

/** One line a {@link recordingLogger} was given. */
export interface LoggedLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error'
  readonly message: string
  readonly fields: Readonly<Record<string, unknown>> | undefined
}

/** A logger that keeps its lines. */
export const recordingLogger = (): Logger & { lines: LoggedLine[] } => {
  const lines: LoggedLine[] = []
  const keep =
    (level: LoggedLine['level']) =>
    (message: string, fields?: unknown): void => {
      lines.push({ level, message, fields: fields as LoggedLine['fields'] })
    }
  return {
    lines,
    debug: keep('debug'),
    info: keep('info'),
    warn: keep('warn'),
    error: keep('error'),
  }
}

/** What the handler saw, or the response the middleware answered instead. */
export interface Invocation {
  readonly response: unknown
  readonly context: Context & { parameters?: ParameterTree; failures?: unknown[] }
  readonly handled: boolean
}

/** A Middy handler with `parameters(options)` that records the context it ran with. */
export const handlerWith = (options: ParametersOptions) => {
  const middleware = parameters(options)
  let handled = false
  const handler = middy()
    .use(middleware)
    .handler(async (_event: unknown, context: Context & { parameters?: ParameterTree }) => {
      handled = true
      return { statusCode: 200, body: JSON.stringify(context.parameters) }
    })
  const invoke = async (
    event: unknown = loadEvent('sqs/base'),
    extra: Record<string, unknown> = {},
  ): Promise<Invocation> => {
    handled = false
    const context = lambdaContext(extra) as unknown as Invocation['context']
    // The context the middleware has not filled yet: `parameters` is set in `before`.
    const response = await handler(event, context as Parameters<typeof handler>[1])
    return { response, context, handled }
  }
  return { invoke, middleware }
}

/** The HTTP API (v2) sample event. */
export const httpEvent = () => loadEvent('apigw-http/no-auth')

/** The SQS sample event. */
export const sqsEvent = () => loadEvent('sqs/base')
