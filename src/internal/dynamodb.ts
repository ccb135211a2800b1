/**
 * What the DynamoDB circuit store and token store share: their table options, the checks of those
 * options, the item key, and the SDK loaded on first use (importing a part that offers a DynamoDB
 * store never loads `@aws-sdk/client-dynamodb`). Internal to metis-app.
 */

import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import { positiveOption } from './options.ts'

/** The DynamoDB SDK module. */
export type Sdk = typeof import('@aws-sdk/client-dynamodb')

/** A DynamoDB item. */
export type Item = Record<string, AttributeValue>

/** The table options of both stores. */
export interface TableOptions {
  readonly client: unknown
  readonly tableName: string
  readonly keyPrefix?: string
  readonly partitionKey?: string
  readonly requestTimeoutMs?: number
}

/** A store's view of its table. */
export interface Table {
  readonly tableName: string
  /** The partition key attribute (`pk` by default), for condition expressions. */
  readonly partitionKey: string
  /** How long to wait for DynamoDB per request, in ms. */
  readonly requestTimeoutMs: number
  /** The key of the item `<keyPrefix><kind>#<id>`. */
  keyOf(id: string): Item
  /** The SDK, imported on the first call. */
  sdk(): Promise<Sdk>
}

/** The defaults every DynamoDB store shares, in one place. */
const defaults = { keyPrefix: '', partitionKey: 'pk', requestTimeoutMs: 1_000 } as const

/** Checks a store's table options and returns its view of the table. */
export const openTable = (store: string, kind: string, options: TableOptions): Table => {
  const { tableName, client } = options
  if (typeof (client as { send?: unknown } | null | undefined)?.send !== 'function') {
    throw new TypeError(`${store}: client must be a DynamoDB client (new DynamoDBClient())`)
  }
  if (typeof tableName !== 'string' || tableName === '') {
    throw new TypeError(`${store}: tableName must be a non-empty string`)
  }
  const keyPrefix = options.keyPrefix ?? defaults.keyPrefix
  const partitionKey = options.partitionKey ?? defaults.partitionKey
  const requestTimeoutMs = positiveOption(
    store,
    'requestTimeoutMs',
    options.requestTimeoutMs ?? defaults.requestTimeoutMs,
  )
  let sdk: Promise<Sdk> | undefined
  return {
    tableName,
    partitionKey,
    requestTimeoutMs,
    keyOf: (id) => ({ [partitionKey]: { S: `${keyPrefix}${kind}#${id}` } }),
    sdk: () => {
      sdk ??= import('@aws-sdk/client-dynamodb')
      return sdk
    },
  }
}

/** True for DynamoDB's answer to a write whose condition failed. */
export const isConditionFailure = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as { name?: unknown }).name === 'ConditionalCheckFailedException'
