/**
 * Fault injection at DynamoDB (dynalite behind the real `@aws-sdk/client-dynamodb`, with chosen
 * errors thrown in front of `send`): throttling, conditional-check failures and an unavailable
 * table, for the circuit store and the token store. Each ends in the documented fallback (the
 * breaker's local state, the token client's memory) with a warning, the invocation answers, and no
 * promise is left rejected unhandled.
 */
import { randomUUID } from 'node:crypto'
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb'
import middy from '@middy/core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CircuitOpenError, circuitBreaker, dynamoDbCircuitStore } from '../../src/circuit/index.ts'
import { responder } from '../../src/response/index.ts'
import { err, ok } from '../../src/result/index.ts'
import {
  dynamoDbTokenStore,
  type SelfTokenContext,
  selfToken,
  selfTokenClient,
} from '../../src/self-token/index.ts'
import { type Dynalite, startDynalite } from '../support/dynalite.ts'
import { lambdaContext, loadEvent } from '../support/events.ts'
import { type OidcProvider, startOidcProvider } from '../support/oidc.ts'
import {
  type DynamoFaultPlan,
  injectDynamoFaults,
  recordingLogger,
  watchUnhandledRejections,
} from './support/faults.ts'
import { tally } from './support/figures.ts'
import { registerSecret } from './support/hygiene.ts'

const TABLE = 'reliability'
const meta = { $metadata: { httpStatusCode: 400 } }

/** The DynamoDB faults: each a plan for the fault-injecting client, or a client on a dead endpoint. */
const FAULTS: readonly { name: string; plan?: DynamoFaultPlan; dead?: true }[] = [
  {
    name: 'throttling',
    plan: () =>
      new ThrottlingException({
        message: 'Rate of requests exceeds the allowed throughput.',
        ...meta,
      }),
  },
  {
    name: 'throughput exceeded',
    plan: () =>
      new ProvisionedThroughputExceededException({
        message: 'The level of configured provisioned throughput for the table was exceeded.',
        ...meta,
      }),
  },
  {
    name: 'conditional-check failures',
    plan: (command) =>
      command === 'GetItemCommand'
        ? undefined
        : new ConditionalCheckFailedException({
            message: 'The conditional request failed',
            ...meta,
          }),
  },
  { name: 'unavailable', dead: true },
]

let dynamo: Dynalite
let deadEndpoint: string
let idp: OidcProvider
const clients: DynamoDBClient[] = []

beforeAll(async () => {
  dynamo = await startDynalite()
  await dynamo.createTable(TABLE)
  const dead = await startDynalite()
  deadEndpoint = dead.endpoint
  await dead.stop()
  idp = await startOidcProvider({ scopes: ['inventory:read'] })
  registerSecret(idp.clientSecret)
})

afterAll(async () => {
  for (const client of clients.splice(0)) client.destroy()
  await idp.stop()
  await dynamo.stop()
})

watchUnhandledRejections()

afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})

/** A client on dynalite with the fault's plan in front of it, or on the dead endpoint. */
const faultyClient = (fault: (typeof FAULTS)[number]) => {
  const client = new DynamoDBClient(
    fault.dead === true ? { ...dynamo.clientConfig, endpoint: deadEndpoint } : dynamo.clientConfig,
  )
  clients.push(client)
  const injected =
    fault.plan === undefined ? () => 0 : injectDynamoFaults(client, fault.plan).injected
  return { client, injected }
}

describe('DynamoDB failing under the circuit store', () => {
  it.each(FAULTS)('keeps calls answering on local state with a warning: $name', async (fault) => {
    const { client, injected } = faultyClient(fault)
    const logger = recordingLogger()
    const breaker = circuitBreaker({
      name: `faults-${randomUUID()}`,
      store: dynamoDbCircuitStore({
        client,
        tableName: TABLE,
        maxAttempts: 3,
        sleep: async () => undefined,
      }),
      retry: false,
      failureThreshold: 3,
      logger,
    })
    expect(await breaker.execute(async () => ok('stock'))).toEqual(ok('stock'))
    // failures are counted locally: the third opens the circuit, the fourth call is refused
    const upstream = new Error('inventory down')
    const outcomes = []
    for (let i = 0; i < 4; i++)
      outcomes.push(
        await breaker.execute(async () => err(Object.assign(upstream, { statusCode: 503 }))),
      )
    expect(outcomes.slice(0, 3).every((o) => !o.ok && o.error === upstream)).toBe(true)
    const last = outcomes[3]
    expect(last?.ok === false && last.error).toBeInstanceOf(CircuitOpenError)
    expect(
      logger.lines.some((l) => l.level === 'warn' && l.message.includes('circuit store failed')),
    ).toBe(true)
    if (fault.dead !== true) expect(injected()).toBeGreaterThan(0)
    tally('fault', `circuit store: ${fault.name}`, 5)
  })
})

describe('DynamoDB failing under the token store', () => {
  it.each(FAULTS)(
    'answers the invocation with a token from the endpoint, warning without it: $name',
    async (fault) => {
      const { client, injected } = faultyClient(fault)
      const logger = recordingLogger()
      const tokens = selfTokenClient({
        tokenEndpoint: idp.tokenEndpoint,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        scope: 'inventory:read',
        store: dynamoDbTokenStore({ client, tableName: TABLE, keyPrefix: randomUUID() }),
        logger,
        // a refused claim means another instance is refreshing: its wait for that token is not timed here
        sleep: async () => undefined,
      })
      const handler = middy<unknown, unknown, Error, SelfTokenContext>()
        .use(responder({ logger: false }))
        .use(selfToken(tokens))
        .handler(async (_event, context) => {
          const token = await context.selfToken.get()
          registerSecret(token.accessToken)
          return { expiresIn: token.expiresAt > Date.now() }
        })
      const response = (await handler(
        loadEvent('apigw-http/no-auth'),
        lambdaContext() as never,
      )) as {
        statusCode: number
        body: string
      }
      expect(response.statusCode).toBe(200)
      expect(JSON.parse(response.body)).toEqual({ expiresIn: true })
      const first = await tokens.get()
      if (!first.ok) throw first.error
      const warned = logger.lines.filter((l) => l.level === 'warn')
      // a refused conditional write is no failure: the store answers "not written"
      if (fault.name.startsWith('conditional')) expect(warned).toEqual([])
      else expect(warned.length).toBeGreaterThan(0)
      expect(logger.text()).not.toContain(first.value.accessToken)
      expect(logger.text()).not.toContain(idp.clientSecret)
      if (fault.dead !== true) expect(injected()).toBeGreaterThan(0)
      tally('fault', `token store: ${fault.name}`, 2)
    },
  )
})
