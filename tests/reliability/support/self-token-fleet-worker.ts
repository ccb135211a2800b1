/**
 * One Lambda instance of the self-token fleet (tests/reliability/self-token.fleet.test.ts): a Node
 * process of its own, forked with an IPC channel, with its own DynamoDB client on the shared
 * dynalite table, its own circuit breaker (the README's, 3 s per attempt) and one `selfToken()`
 * Middy stack. Told `go`, it runs one invocation every `FLEET_EVERY_MS` until the token it holds
 * is no longer usable, timing each, and sends what it saw.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { circuitBreaker } from '../../../src/circuit/index.ts'
import {
  dynamoDbTokenStore,
  type SelfToken,
  type SelfTokenContext,
  selfToken,
  selfTokenClient,
} from '../../../src/self-token/index.ts'

/** What the worker tells the test. */
export type SelfTokenFleetReport =
  | { readonly kind: 'ready' }
  | {
      readonly kind: 'done'
      /** Invocations run. */
      readonly invocations: number
      /** Invocations that started while this process held a usable token. */
      readonly usable: number
      /** The longest of those, from the handler's call to its answer, ms. */
      readonly worstUsableMs: number
      /** Of those, the error codes answered or thrown (none is expected). */
      readonly failedUsable: readonly string[]
      /** The longest invocation of all (the first one waits for the fleet's first token), ms. */
      readonly worstMs: number
      /** The distinct tokens it was answered. */
      readonly tokens: readonly string[]
      /** The token requests this process sent. */
      readonly endpointRequests: number
    }

/** The settings the test passes in the environment. */
const setting = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value === '') throw new Error(`self-token fleet worker: ${name} unset`)
  return value
}

/** The clock skew every instance uses: the token is usable until its expiry less this. */
export const FLEET_SKEW_MS = 1_000

/**
 * An invocation that starts this close to the token's usable end is not counted as one with a
 * usable token: the client reads its own clock a moment later, and may rightly find it ended.
 */
const EDGE_MS = 50

/** Each invocation's time limit (what `getRemainingTimeInMillis()` counts down from), ms. */
const INVOCATION_MS = 10_000

const run = async (): Promise<SelfTokenFleetReport> => {
  let endpointRequests = 0
  const dynamo = new DynamoDBClient({
    endpoint: setting('FLEET_DYNAMO'),
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  })
  const client = selfTokenClient({
    tokenEndpoint: setting('FLEET_TOKEN_ENDPOINT'),
    clientId: 'orders',
    clientSecret: 'fleet-secret',
    storeKey: 'fleet',
    store: dynamoDbTokenStore({ client: dynamo, tableName: setting('FLEET_TABLE') }),
    breaker: circuitBreaker({ name: 'idp', timeoutMs: 3_000 }),
    clockSkewMs: FLEET_SKEW_MS,
    fetch: (input, init) => {
      endpointRequests += 1
      return fetch(input, init)
    },
  })
  const handler = middy<unknown, SelfToken | string, Error, Context & SelfTokenContext>()
    .use(selfToken(client))
    .handler(async (_event, context) => {
      const result = await context.selfToken.result()
      return result.ok ? result.value : result.error.code
    })

  process.send?.({ kind: 'ready' } satisfies SelfTokenFleetReport)
  await new Promise<void>((resolve) => process.once('message', () => resolve()))

  const every = Number(setting('FLEET_EVERY_MS'))
  const until = Date.now() + Number(setting('FLEET_MAX_MS'))
  let held: SelfToken | undefined
  let invocations = 0
  let usable = 0
  let worstUsableMs = 0
  let worstMs = 0
  const failedUsable: string[] = []
  const tokens = new Set<string>()
  for (;;) {
    const startedAt = Date.now()
    const usableEnd = held === undefined ? 0 : held.expiresAt - FLEET_SKEW_MS
    // Done once the token held has reached its usable end (or at the test's cap).
    if ((held !== undefined && startedAt >= usableEnd - EDGE_MS) || startedAt >= until) break
    const holding = held !== undefined
    const deadline = startedAt + INVOCATION_MS
    const context = { getRemainingTimeInMillis: () => deadline - Date.now() }
    const start = performance.now()
    // Middy ends an invocation that outlives the context's remaining time with a TimeoutError.
    const answer = await handler({}, context as unknown as Context & SelfTokenContext).catch(
      (error: unknown) => (error instanceof Error ? error.name : String(error)),
    )
    const ms = performance.now() - start
    invocations += 1
    worstMs = Math.max(worstMs, ms)
    if (holding) {
      usable += 1
      worstUsableMs = Math.max(worstUsableMs, ms)
      if (typeof answer === 'string') failedUsable.push(answer)
    }
    if (typeof answer !== 'string') {
      held = answer
      tokens.add(answer.accessToken)
    }
    await new Promise((resolve) => setTimeout(resolve, every))
  }
  dynamo.destroy()
  return {
    kind: 'done',
    invocations,
    usable,
    worstUsableMs,
    failedUsable,
    worstMs,
    tokens: [...tokens],
    endpointRequests,
  }
}

if (process.send !== undefined) {
  run().then(
    (report) => {
      // A refresh may still hang on the endpoint: the process ends with the report sent.
      process.send?.(report, () => process.exit(0))
    },
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    },
  )
}
