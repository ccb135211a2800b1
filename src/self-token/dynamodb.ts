/**
 * A token store on Amazon DynamoDB, shared by every Lambda instance that uses the same table.
 * @module
 */
import type { AttributeValue, GetItemCommandOutput } from '@aws-sdk/client-dynamodb'
import { type Item, isConditionFailure, openTable, type Sdk } from '../internal/dynamodb.ts'
import type { DynamoDbClient } from '../internal/dynamodb-client.ts'
import { err, ok, type Result } from '../result/index.ts'
import { readStoredToken, type TokenStore } from './store.ts'

/**
 * Options of {@link dynamoDbTokenStore}.
 *
 * @example
 * ```ts
 * const options: DynamoDbTokenStoreOptions = { client, tableName: 'tokens', requestTimeoutMs: 500 }
 * const store = dynamoDbTokenStore(options)
 * ```
 */
export interface DynamoDbTokenStoreOptions {
  /** Your DynamoDB client (the Lambda runtime ships `@aws-sdk/client-dynamodb`). */
  client: DynamoDbClient
  /** The table; see {@link dynamoDbTokenStore} for its definition. */
  tableName: string
  /** Put before `TOK#<key>` in the partition key, to share a table between services. Default `''`. */
  keyPrefix?: string
  /** The table's partition key attribute (a string). Default `'pk'`. */
  partitionKey?: string
  /** How long to wait for DynamoDB per request, in ms, before it is aborted. Default 1,000. */
  requestTimeoutMs?: number
}

const num = (value: AttributeValue | undefined): number | undefined => {
  const parsed = value?.N === undefined ? Number.NaN : Number(value.N)
  return Number.isFinite(parsed) ? parsed : undefined
}

/**
 * A token store on DynamoDB: one item per key (client, endpoint, scope), so that every instance
 * of a service uses the token one of them obtained.
 *
 * - A write is a conditional `PutItem`: it lands only when the table holds no token for the key or
 *   one that expires earlier, so two instances refreshing at once leave the newest token, and a
 *   slow writer never replaces a newer token with an older one.
 * - `claim` sets `refreshClaimUntil` and `refreshClaimant` on the item with a conditional
 *   `UpdateItem`, so that one instance refreshes a still-valid token while the others keep using
 *   it; the new token's `PutItem` replaces the item and so ends the claim. `release` removes both
 *   with an `UpdateItem` conditional on the claimant, after a failed token request.
 * - Reads are eventually consistent: a token a few hundred ms old is as good as the newest.
 * - Errors (throttling, unavailable, `requestTimeoutMs`) answer an error Result; the client then
 *   warns and goes on with its memory.
 *
 * The table: a string partition key `pk` (items are `TOK#<key>`, after `keyPrefix`) and TTL on
 * `expiresAt` (epoch seconds), the same definition as the circuit store's, so one table serves
 * both. Items hold the access token: keep the table encrypted (the default) and give
 * `dynamodb:GetItem`, `dynamodb:PutItem` and `dynamodb:UpdateItem` on it to this service only. Attributes:
 * `accessToken` (S), `tokenExpiresAt` and `issuedAt` (N, epoch ms), `scope` (S, optional),
 * `expiresAt` (N, epoch s, for TTL), and while an instance refreshes `refreshClaimUntil` (N, epoch
 * ms) and `refreshClaimant` (S, its instance id).
 *
 * @example
 * ```ts
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
 * import { dynamoDbTokenStore, selfTokenClient } from 'metis-app/self-token'
 *
 * const store = dynamoDbTokenStore({ client: new DynamoDBClient({}), tableName: process.env.TOKEN_TABLE! })
 * const tokens = selfTokenClient({ tokenEndpoint, clientId, clientSecret, store })
 * ```
 */
export const dynamoDbTokenStore = (options: DynamoDbTokenStoreOptions): TokenStore => {
  const { client } = options
  const table = openTable('dynamoDbTokenStore', 'TOK', options)
  const { tableName, partitionKey, requestTimeoutMs, keyOf } = table
  const commands = table.sdk
  const timeout = () => ({ abortSignal: AbortSignal.timeout(requestTimeoutMs) })

  /** Sends a conditional write: `ok(true)` when it landed, `ok(false)` when its condition failed. */
  const conditionally = async (build: (sdk: Sdk) => object): Promise<Result<boolean, unknown>> => {
    try {
      await client.send(build(await commands()), timeout())
      return ok(true)
    } catch (error) {
      return isConditionFailure(error) ? ok(false) : err(error)
    }
  }

  return {
    async read(key) {
      try {
        const { GetItemCommand } = await commands()
        const output = (await client.send(
          new GetItemCommand({ TableName: tableName, Key: keyOf(key) }),
          timeout(),
        )) as GetItemCommandOutput
        const item = output.Item
        if (item === undefined) return ok(undefined)
        return ok(
          readStoredToken({
            accessToken: item.accessToken?.S,
            expiresAt: num(item.tokenExpiresAt),
            issuedAt: num(item.issuedAt),
            scope: item.scope?.S,
          }),
        )
      } catch (error) {
        return err(error)
      }
    },
    async write(key, token) {
      const item: Item = {
        ...keyOf(key),
        accessToken: { S: token.accessToken },
        tokenExpiresAt: { N: String(token.expiresAt) },
        issuedAt: { N: String(token.issuedAt) },
        expiresAt: { N: String(Math.ceil(token.expiresAt / 1000)) },
      }
      if (token.scope !== undefined) item.scope = { S: token.scope }
      return conditionally(
        ({ PutItemCommand }) =>
          new PutItemCommand({
            TableName: tableName,
            Item: item,
            // A claim alone (no token yet) has no expiry: it is overwritten too.
            ConditionExpression:
              'attribute_not_exists(#pk) OR attribute_not_exists(#expiry) OR #expiry < :expiry',
            ExpressionAttributeNames: { '#pk': partitionKey, '#expiry': 'tokenExpiresAt' },
            ExpressionAttributeValues: { ':expiry': { N: String(token.expiresAt) } },
          }),
      )
    },
    async claim(key, { now, until, replaces, claimant }) {
      return conditionally(
        ({ UpdateItemCommand }) =>
          new UpdateItemCommand({
            TableName: tableName,
            Key: keyOf(key),
            // A claim on a key with no token yet must still expire from the table.
            UpdateExpression:
              'SET #claim = :until, #claimant = :claimant, #ttl = if_not_exists(#ttl, :ttl)',
            // Refused while another instance holds the claim, or once a newer token is kept.
            ConditionExpression:
              '(attribute_not_exists(#claim) OR #claim <= :now OR #claimant = :claimant) AND (attribute_not_exists(#expiry) OR #expiry <= :replaces)',
            ExpressionAttributeNames: {
              '#claim': 'refreshClaimUntil',
              '#claimant': 'refreshClaimant',
              '#ttl': 'expiresAt',
              '#expiry': 'tokenExpiresAt',
            },
            ExpressionAttributeValues: {
              ':replaces': { N: String(replaces) },
              ':until': { N: String(until) },
              ':now': { N: String(now) },
              ':claimant': { S: claimant },
              ':ttl': { N: String(Math.ceil(until / 1000) + 86_400) },
            },
          }),
      )
    },
    async release(key, claimant) {
      return conditionally(
        ({ UpdateItemCommand }) =>
          new UpdateItemCommand({
            TableName: tableName,
            Key: keyOf(key),
            UpdateExpression: 'REMOVE #claim, #claimant',
            // Only the holder's own claim: it may have lapsed and been taken by another since.
            ConditionExpression: '#claimant = :claimant',
            ExpressionAttributeNames: {
              '#claim': 'refreshClaimUntil',
              '#claimant': 'refreshClaimant',
            },
            ExpressionAttributeValues: { ':claimant': { S: claimant } },
          }),
      )
    },
  }
}
