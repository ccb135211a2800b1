/**
 * The types of the sources that invoke once per event, each with a request of its own: API
 * Gateway WebSocket, Cognito triggers, Secrets Manager rotation, CloudFormation custom resources,
 * AppSync resolvers and Bedrock Agents; and the {@link UnknownRequest} of an event no source
 * claims.
 */

import type { RequestCommon } from './common-types.ts'

/**
 * An API Gateway WebSocket event: a connection, a message or a disconnection.
 *
 * @example
 * ```ts
 * router({ websocket: { $connect: (req) => (req.query.token ? undefined : { statusCode: 401 }) } })
 * ```
 */
export interface WebSocketRequest extends RequestCommon {
  /** Always `websocket`. */
  readonly kind: 'websocket'
  /** The route key (`$connect`, `$disconnect`, `$default`, or a custom one): the routing key. */
  readonly routeKey: string
  /** `CONNECT`, `MESSAGE` or `DISCONNECT`. */
  readonly eventType: string
  /** The connection id, for the management API's `PostToConnection`. */
  readonly connectionId: string
  /** The message, decoded from base64 for a binary frame; undefined without one. */
  readonly body: string | undefined
  /** The raw bytes of a binary frame, or undefined. */
  readonly bodyBytes: Uint8Array | undefined
  /** Whether the event flagged the body as base64 (a binary frame). */
  readonly isBase64Encoded: boolean
  /** Headers with lower-case names (a `$connect` carries the handshake's). */
  readonly headers: Readonly<Record<string, string>>
  /** Query parameters of the handshake (`$connect`). */
  readonly query: Readonly<Record<string, string>>
  /** The stage. */
  readonly stage: string | undefined
  /** The API's domain name. */
  readonly domainName: string | undefined
  /** The management API endpoint (`https://{domainName}/{stage}`) to answer the connection on. */
  readonly callbackUrl: string | undefined
  /** API Gateway's request id. */
  readonly gatewayRequestId: string | undefined
  /** The client IP as API Gateway saw it. */
  readonly sourceIp: string | undefined
  /** When the connection was opened, epoch milliseconds. */
  readonly connectedAt: number | undefined
}

/**
 * A Cognito user pool trigger.
 *
 * @example
 * ```ts
 * router({ cognito: { PreSignUp: (req) => ({ autoConfirmUser: req.clientId === trusted }) } })
 * ```
 */
export interface CognitoRequest extends RequestCommon {
  /** Always `cognito`. */
  readonly kind: 'cognito'
  /** The trigger source (`PreSignUp_SignUp`, `TokenGeneration_HostedAuth`): the routing key. */
  readonly triggerSource: string
  /** The trigger, the trigger source before its `_` (`PreSignUp`): the routing key after it. */
  readonly trigger: string
  /** The user pool id. */
  readonly userPoolId: string
  /** The user name, when the trigger concerns a user. */
  readonly userName: string | undefined
  /** The app client id (`callerContext.clientId`). */
  readonly clientId: string | undefined
  /** The AWS region. */
  readonly region: string | undefined
  /** The user attributes of `request.userAttributes`, the string ones. */
  readonly userAttributes: Readonly<Record<string, string>>
  /** The trigger's `request`, as it came. */
  readonly request: Readonly<Record<string, unknown>>
  /** The trigger's `response` as it came: what the route fills in. */
  readonly response: Readonly<Record<string, unknown>>
}

/**
 * A step of a Secrets Manager rotation.
 *
 * @example
 * ```ts
 * router({ secretsmanager: { createSecret: (req) => createPending(req.secretId) } })
 * ```
 */
export interface SecretsRotationRequest extends RequestCommon {
  /** Always `secretsmanager`. */
  readonly kind: 'secretsmanager'
  /** `createSecret`, `setSecret`, `testSecret` or `finishSecret`: the routing key. */
  readonly step: string
  /** The secret's ARN. */
  readonly secretId: string
  /** The version id of the new secret version. */
  readonly clientRequestToken: string
  /** The token that shows the caller may rotate the secret, when Secrets Manager sends one. */
  readonly rotationToken: string | undefined
}

/**
 * A CloudFormation custom resource request. The stack waits for an answer at `responseUrl`: put
 * it there (or use a provider framework that reads the route's return value, as CDK's does).
 *
 * @example
 * ```ts
 * router({ cloudformation: { 'Custom::Bucket': (req) => ({ PhysicalResourceId: req.stackId }) } })
 * ```
 */
export interface CustomResourceRequest extends RequestCommon {
  /** Always `cloudformation`. */
  readonly kind: 'cloudformation'
  /** `Create`, `Update` or `Delete`. */
  readonly requestType: string
  /** The resource type (`Custom::Orders`). */
  readonly resourceType: string
  /** The resource's logical id in the template. */
  readonly logicalResourceId: string
  /** The physical id an earlier answer gave (updates and deletions). */
  readonly physicalResourceId: string | undefined
  /** The stack's ARN. */
  readonly stackId: string
  /** CloudFormation's id of this request (its `RequestId`, to echo in the answer). */
  readonly stackRequestId: string
  /** The pre-signed URL the answer is put to. */
  readonly responseUrl: string
  /** The ARN of the function the template names (`ServiceToken`). */
  readonly serviceToken: string | undefined
  /** The resource properties (`ResourceProperties`). */
  readonly properties: Readonly<Record<string, unknown>>
  /** The properties before an update (`OldResourceProperties`). */
  readonly oldProperties: Readonly<Record<string, unknown>> | undefined
}

/**
 * An AppSync direct Lambda resolver invocation for one field.
 *
 * @example
 * ```ts
 * router({ appsync: { 'Query.getPost': (req) => posts.get(String(req.arguments.id)) } })
 * ```
 */
export interface AppSyncRequest extends RequestCommon {
  /** Always `appsync`. */
  readonly kind: 'appsync'
  /** The parent type (`Query`, `Mutation`, `Post`). */
  readonly typeName: string
  /** The field being resolved (`getPost`). */
  readonly fieldName: string
  /** The field's arguments. */
  readonly arguments: Readonly<Record<string, unknown>>
  /** The caller, as AppSync's authorization mode describes it (null for API keys). */
  readonly identity: unknown
  /** The parent object, for a nested field. */
  readonly source: unknown
  /** The GraphQL request's headers, with lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  /** The operation's variables. */
  readonly variables: Readonly<Record<string, unknown>>
  /** The fields the query selects below this one. */
  readonly selectionSetList: readonly string[]
  /** The result of the previous function of a pipeline resolver. */
  readonly prev: unknown
  /** The pipeline resolver's stash. */
  readonly stash: Readonly<Record<string, unknown>>
}

/**
 * A Bedrock Agent action group invocation, defined by an OpenAPI schema or by function details.
 *
 * @example
 * ```ts
 * router({ bedrock: { 'GET /orders/{orderId}': (req) => orders.get(req.parameters.orderId) } })
 * ```
 */
export interface BedrockAgentRequest extends RequestCommon {
  /** Always `bedrock`. */
  readonly kind: 'bedrock'
  /** The action group. */
  readonly actionGroup: string
  /** The function, or `METHOD /apiPath` for an OpenAPI action (`GET /orders/{orderId}`). */
  readonly operation: string
  /** The API path of an OpenAPI action. */
  readonly apiPath: string | undefined
  /** The HTTP method of an OpenAPI action, upper-case. */
  readonly httpMethod: string | undefined
  /** The function of a function-details action. */
  readonly function: string | undefined
  /** The parameters the agent elicited, by name (values as the agent sends them: text). */
  readonly parameters: Readonly<Record<string, string>>
  /** The request body's properties, by name, of an OpenAPI action with a body. */
  readonly properties: Readonly<Record<string, string>>
  /** The user's input. */
  readonly inputText: string | undefined
  /** The agent session. */
  readonly sessionId: string | undefined
  /** The agent: name, id, alias and version. */
  readonly agent: Readonly<Record<string, string>>
  /** Session attributes (sent back with the answer). */
  readonly sessionAttributes: Readonly<Record<string, string>>
  /** Prompt session attributes (sent back with the answer). */
  readonly promptSessionAttributes: Readonly<Record<string, string>>
}

/**
 * An event metis-app does not recognise, kept as it came (the seed's no-op event).
 *
 * @example
 * ```ts
 * router({ http: routes }, { unknown: (request: UnknownRequest) => console.warn(request.reason, request.event) })
 * ```
 */
export interface UnknownRequest extends RequestCommon {
  /** Always `unknown`. */
  readonly kind: 'unknown'
  /** Why it was not recognised. */
  readonly reason: string
}
