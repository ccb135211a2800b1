/**
 * A real DynamoDB API for tests: `dynalite` started in-process on 127.0.0.1 (an ephemeral port),
 * with an `@aws-sdk/client-dynamodb` client pointed at it. Shared by every part whose store lives
 * in DynamoDB (the circuit store, the self-token store).
 *
 * @example
 * ```ts
 * let dynamo: Dynalite
 * beforeAll(async () => {
 *   dynamo = await startDynalite()
 *   await dynamo.createTable('circuits') // string partition key `pk`
 * })
 * afterAll(() => dynamo.stop())
 * // new DynamoDBClient(dynamo.clientConfig) for a client of your own (one per "container")
 * ```
 */
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb'

type DynaliteFactory = (options: {
  createTableMs?: number
  deleteTableMs?: number
  updateTableMs?: number
}) => Server

// dynalite is CommonJS without type declarations.
const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory

/** Key attributes of a table made by {@link Dynalite.createTable}. */
export interface TableKeys {
  /** The string partition key. Default `'pk'`. */
  partitionKey?: string
  /** An optional string sort key. */
  sortKey?: string
}

/** A running dynalite. */
export interface Dynalite {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string
  /** Client settings for the endpoint: region us-east-1, dummy credentials. */
  readonly clientConfig: DynamoDBClientConfig
  /** A client on those settings (destroyed by `stop`). */
  readonly client: DynamoDBClient
  /** Creates a table with string keys and waits until it is active. */
  createTable(name: string, keys?: TableKeys): Promise<void>
  /** Destroys the client and stops the server. */
  stop(): Promise<void>
}

/**
 * Counts the commands a client sends, by command name (`GetItemCommand`, `PutItemCommand`, ...),
 * by wrapping its `send`. Answers the live list of names.
 */
export const countCommands = (client: DynamoDBClient): string[] => {
  const sent: string[] = []
  const send = client.send.bind(client) as (command: unknown, options?: unknown) => Promise<unknown>
  client.send = ((command: { constructor: { name: string } }, options?: unknown) => {
    sent.push(command.constructor.name)
    return send(command, options)
  }) as typeof client.send
  return sent
}

/** Starts dynalite on 127.0.0.1, port 0, with tables that become active at once. */
export const startDynalite = async (): Promise<Dynalite> => {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const endpoint = `http://127.0.0.1:${port}`
  const clientConfig: DynamoDBClientConfig = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  }
  const client = new DynamoDBClient(clientConfig)

  const createTable = async (name: string, keys: TableKeys = {}): Promise<void> => {
    const partitionKey = keys.partitionKey ?? 'pk'
    const attributes = [partitionKey, ...(keys.sortKey === undefined ? [] : [keys.sortKey])]
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributes.map((a) => ({ AttributeName: a, AttributeType: 'S' })),
        KeySchema: attributes.map((a, i) => ({
          AttributeName: a,
          KeyType: i === 0 ? 'HASH' : 'RANGE',
        })),
      }),
    )
    // With createTableMs 0 the table turns active on the next tick; poll a bounded number of times.
    for (let i = 0; i < 100; i++) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: name }))
      if (Table?.TableStatus === 'ACTIVE') return
      await new Promise((resolve) => setImmediate(resolve))
    }
    throw new Error(`dynalite: table ${name} did not become active`)
  }

  const stop = async (): Promise<void> => {
    client.destroy()
    server.closeAllConnections?.()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  return { endpoint, clientConfig, client, createTable, stop }
}
