import {
  asArray,
  asNumber,
  asRecord,
  asString,
  dict,
  type Json,
  pick,
  stringEntries,
} from '../internal/guards.ts'
import type {
  AppRequest,
  AppSyncRequest,
  BedrockAgentRequest,
  CognitoRequest,
  CustomResourceRequest,
  RequestCommon,
  SecretsRotationRequest,
  WebSocketRequest,
} from './types.ts'

const EMPTY: Json = {}

/** String-valued entries with lower-case names (a later spelling of a name wins). */
const lowerCaseEntries = (value: unknown): Record<string, string> => {
  const out = dict<string>()
  const record = asRecord(value)
  for (const name in record) {
    const item = record[name]
    if (typeof item === 'string') out[name.toLowerCase()] = item
  }
  return out
}

const webSocket = (event: Json, context: Json, common: RequestCommon): WebSocketRequest => {
  const isBase64Encoded = event.isBase64Encoded === true
  const raw = asString(event.body)
  const bytes = raw !== undefined && isBase64Encoded ? Buffer.from(raw, 'base64') : undefined
  const domainName = asString(context.domainName)
  const stage = asString(context.stage)
  return {
    kind: 'websocket',
    ...common,
    routeKey: context.routeKey as string,
    eventType: asString(context.eventType) ?? '',
    connectionId: context.connectionId as string,
    body: bytes === undefined ? raw || undefined : bytes.toString('utf8'),
    bodyBytes: bytes === undefined ? undefined : new Uint8Array(bytes),
    isBase64Encoded,
    headers: lowerCaseEntries(event.headers),
    query: stringEntries(event.queryStringParameters),
    stage,
    domainName,
    callbackUrl:
      domainName === undefined || stage === undefined
        ? undefined
        : `https://${domainName}/${stage}`,
    gatewayRequestId: asString(context.requestId),
    sourceIp: asString(pick(context, 'identity', 'sourceIp')),
    connectedAt: asNumber(context.connectedAt),
  }
}

const cognito = (event: Json, common: RequestCommon): CognitoRequest => {
  const triggerSource = event.triggerSource as string
  const request = asRecord(event.request) ?? EMPTY
  const underscore = triggerSource.indexOf('_')
  return {
    kind: 'cognito',
    ...common,
    triggerSource,
    trigger: underscore < 0 ? triggerSource : triggerSource.slice(0, underscore),
    userPoolId: event.userPoolId as string,
    userName: asString(event.userName),
    clientId: asString(pick(event, 'callerContext', 'clientId')),
    region: asString(event.region),
    userAttributes: stringEntries(request.userAttributes),
    request,
    response: asRecord(event.response) ?? {},
  }
}

const rotation = (event: Json, common: RequestCommon): SecretsRotationRequest => ({
  kind: 'secretsmanager',
  ...common,
  step: event.Step as string,
  secretId: event.SecretId as string,
  clientRequestToken: event.ClientRequestToken as string,
  rotationToken: asString(event.RotationToken),
})

const customResource = (event: Json, common: RequestCommon): CustomResourceRequest => ({
  kind: 'cloudformation',
  ...common,
  requestType: event.RequestType as string,
  resourceType: asString(event.ResourceType) ?? '',
  logicalResourceId: asString(event.LogicalResourceId) ?? '',
  physicalResourceId: asString(event.PhysicalResourceId),
  stackId: event.StackId as string,
  stackRequestId: asString(event.RequestId) ?? '',
  responseUrl: event.ResponseURL as string,
  serviceToken: asString(event.ServiceToken),
  properties: asRecord(event.ResourceProperties) ?? {},
  oldProperties: asRecord(event.OldResourceProperties),
})

const appSync = (event: Json, info: Json, common: RequestCommon): AppSyncRequest => ({
  kind: 'appsync',
  ...common,
  typeName: info.parentTypeName as string,
  fieldName: info.fieldName as string,
  arguments: asRecord(event.arguments) ?? {},
  identity: event.identity ?? null,
  source: event.source ?? null,
  headers: lowerCaseEntries(pick(event, 'request', 'headers')),
  variables: asRecord(info.variables) ?? {},
  selectionSetList: (asArray(info.selectionSetList) ?? []).filter(
    (field): field is string => typeof field === 'string',
  ),
  prev: event.prev ?? null,
  stash: asRecord(event.stash) ?? {},
})

/** Bedrock sends parameters and body properties as lists of `{ name, type, value }`. */
const namedValues = (list: unknown): Record<string, string> => {
  const out = dict<string>()
  for (const item of asArray(list) ?? []) {
    const entry = asRecord(item)
    const name = asString(entry?.name)
    const value = entry?.value
    if (name === undefined) continue
    if (typeof value === 'string') out[name] = value
    else if (typeof value === 'number' || typeof value === 'boolean') out[name] = String(value)
  }
  return out
}

/** The properties of the first content type of an OpenAPI action's request body. */
const bodyProperties = (requestBody: unknown): Record<string, string> => {
  const content = asRecord(pick(requestBody, 'content'))
  for (const type in content) return namedValues(pick(content[type], 'properties'))
  return dict<string>()
}

const bedrockAgent = (event: Json, common: RequestCommon): BedrockAgentRequest => {
  const fn = asString(event.function)
  const apiPath = asString(event.apiPath)
  const httpMethod = asString(event.httpMethod)?.toUpperCase()
  return {
    kind: 'bedrock',
    ...common,
    actionGroup: event.actionGroup as string,
    operation: fn ?? `${httpMethod ?? ''} ${apiPath ?? ''}`.trim(),
    apiPath,
    httpMethod,
    function: fn,
    parameters: namedValues(event.parameters),
    properties: bodyProperties(event.requestBody),
    inputText: asString(event.inputText),
    sessionId: asString(event.sessionId),
    agent: stringEntries(event.agent),
    sessionAttributes: stringEntries(event.sessionAttributes),
    promptSessionAttributes: stringEntries(event.promptSessionAttributes),
  }
}

/**
 * Builds the request of a source that invokes the function once per event (API Gateway
 * WebSocket, Cognito triggers, Secrets Manager rotation, CloudFormation custom resources, AppSync
 * resolvers, Bedrock Agents), or undefined when the event is none of them. Each is told by the
 * fields it cannot do without; the checks are cheap and come after HTTP and the record sources.
 */
export const buildEvent = (event: Json, common: RequestCommon): AppRequest | undefined => {
  if (typeof event.triggerSource === 'string' && typeof event.userPoolId === 'string') {
    return cognito(event, common)
  }
  const context = asRecord(event.requestContext)
  if (
    context !== undefined &&
    typeof context.connectionId === 'string' &&
    typeof context.routeKey === 'string'
  ) {
    return webSocket(event, context, common)
  }
  if (
    typeof event.Step === 'string' &&
    typeof event.SecretId === 'string' &&
    typeof event.ClientRequestToken === 'string'
  ) {
    return rotation(event, common)
  }
  if (
    typeof event.RequestType === 'string' &&
    typeof event.ResponseURL === 'string' &&
    typeof event.StackId === 'string'
  ) {
    return customResource(event, common)
  }
  const info = asRecord(event.info)
  if (
    info !== undefined &&
    typeof info.fieldName === 'string' &&
    typeof info.parentTypeName === 'string'
  ) {
    return appSync(event, info, common)
  }
  if (typeof event.messageVersion === 'string' && typeof event.actionGroup === 'string') {
    return bedrockAgent(event, common)
  }
  return undefined
}
