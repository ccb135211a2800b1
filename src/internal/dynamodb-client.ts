/**
 * The DynamoDB client type the stores' options name, in a file of its own that imports nothing:
 * the published types of a part that offers a DynamoDB store must not need the SDK's types.
 * Internal to metis-app.
 */

/**
 * What a store needs of a DynamoDB client: its `send`. `DynamoDBClient` from
 * `@aws-sdk/client-dynamodb` fits; declared here so that the published types of a part that offers
 * a DynamoDB store never need the SDK's types (a user without a DynamoDB store does not install it).
 *
 * @example
 * ```ts
 * const client: DynamoDbClient = new DynamoDBClient({}) // from @aws-sdk/client-dynamodb
 * const store = dynamoDbCircuitStore({ client, tableName: 'circuits' })
 * ```
 */
export interface DynamoDbClient {
  send(command: object, options?: { abortSignal?: AbortSignal }): Promise<unknown>
}
