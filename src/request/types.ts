/** The types of `metis-app/request`: the typed requests of every Lambda event source. */

/**
 * The HTTP event shapes metis-app reads and answers: API Gateway REST APIs (and HTTP API payload
 * 1.0), HTTP API payload 2.0, Lambda Function URLs, Application Load Balancers, and VPC Lattice
 * target groups of event structure version 1 and 2.
 */
export type HttpShape = 'rest-v1' | 'http-v2' | 'function-url' | 'alb' | 'lattice-v1' | 'lattice-v2'

/** What every built request has. */
export interface RequestCommon {
  /** When the request was built, in epoch milliseconds (from the injected clock). */
  readonly receivedAt: number
  /** The Lambda request id (`context.awsRequestId`), when a context was given. */
  readonly requestId: string | undefined
  /** The original event, untouched. */
  readonly event: unknown
}

/** A normalized HTTP request, whichever HTTP shape the event had. */
export interface HttpRequest extends RequestCommon {
  /** Always `http`. */
  readonly kind: 'http'
  /** The shape of the event; the responder answers in the same shape. */
  readonly shape: HttpShape
  /** Upper-case method (`GET`). */
  readonly method: string
  /** The path, without a named HTTP API stage prefix (as REST v1's `path`). */
  readonly path: string
  /**
   * Headers with lower-case names; the last value when a header repeats. When the event has both
   * maps (REST v1), this is its `headers` map, in which API Gateway puts the last value.
   */
  readonly headers: Readonly<Record<string, string>>
  /**
   * Headers with lower-case names and all their values. When the event has both maps (REST v1),
   * `multiValueHeaders` wins for a name in both; a name only in `headers` is added.
   */
  readonly multiValueHeaders: Readonly<Record<string, readonly string[]>>
  /**
   * Headers with lower-case names, each with all its values in one string: joined with `, ` as
   * RFC 9110 section 5.3 combines the lines of a field, `cookie` with `; ` (RFC 9113 8.2.3). Read
   * this where a header may repeat and every value counts (`accept`, `forwarded`, `via`).
   */
  readonly combinedHeaders: Readonly<Record<string, string>>
  /** Query parameters, decoded; the last value when a name repeats. */
  readonly query: Readonly<Record<string, string>>
  /** Query parameters, decoded, with all their values. */
  readonly multiValueQuery: Readonly<Record<string, readonly string[]>>
  /** Request cookies by name (from `cookies` in v2, the `Cookie` header otherwise). */
  readonly cookies: Readonly<Record<string, string>>
  /** The body as text (decoded from base64 when the event flagged it), or undefined. */
  readonly body: string | undefined
  /** The raw bytes of a base64-flagged body, or undefined. */
  readonly bodyBytes: Uint8Array | undefined
  /** The parsed JSON body when the content type is JSON, else undefined. */
  readonly json: unknown
  /** Whether the event flagged the body as base64. */
  readonly isBase64Encoded: boolean
  /** The media type of `content-type`, lower-cased without parameters. */
  readonly contentType: string | undefined
  /**
   * The client IP as API Gateway saw it; for ALB and VPC Lattice the last `x-forwarded-for` entry
   * (the one the load balancer added: the entries before it are the client's to write).
   */
  readonly sourceIp: string | undefined
  /** API Gateway's own request id (`requestContext.requestId`), when the event has one. */
  readonly gatewayRequestId: string | undefined
  /** The API Gateway stage, when the event names one (hand-written events often do not). */
  readonly stage: string | undefined
  /** Path parameters API Gateway itself extracted (the router adds its own on the route match). */
  readonly pathParameters: Readonly<Record<string, string>>
  /** True when the event used multi-value headers (REST v1, ALB with multi-value enabled). */
  readonly multiValue: boolean
  /**
   * True when `path` is still percent-encoded as the client sent it (REST APIs, Function URLs,
   * ALB, VPC Lattice); false when API Gateway decoded it (HTTP APIs, payload 2.0 and 1.0).
   */
  readonly pathEncoded: boolean
}

/** An S3 object notification (direct, or through EventBridge). */
export interface S3ObjectRecord {
  /** The bucket name. */
  readonly bucket: string
  /** The object key, URL-decoded (`+` is a space), whichever way the notification came. */
  readonly key: string
  /** The object size in bytes (absent on deletions). */
  readonly size: number | undefined
  /** `ObjectCreated:Put`, or the EventBridge detail-type (`Object Created`). */
  readonly eventName: string
  /** When S3 recorded the event (ISO 8601). */
  readonly eventTime: string | undefined
  /** The AWS region of the bucket. */
  readonly region: string | undefined
  /** The object version, in a versioned bucket. */
  readonly versionId: string | undefined
  /** The object ETag. */
  readonly etag: string | undefined
  /** The record as it came. */
  readonly raw: unknown
}

/** An SQS message. */
export interface SqsRecord {
  /** The SQS message id (the partial-batch item identifier). */
  readonly messageId: string
  /** The queue ARN. */
  readonly queueArn: string
  /** The queue name, the last segment of the ARN. */
  readonly queueName: string
  /** The body; the SNS `Message` when `unwrapSns` is on and the body is an SNS envelope. */
  readonly body: string
  /** System attributes (`ApproximateReceiveCount`, `SentTimestamp`, ...). */
  readonly attributes: Readonly<Record<string, string>>
  /** Message attributes as SQS sends them. */
  readonly messageAttributes: Readonly<Record<string, unknown>>
  /** The SNS envelope the body came in, when unwrapped. */
  readonly sns:
    | {
        /** The topic ARN. */
        readonly topicArn: string
        /** The topic name. */
        readonly topicName: string
        /** The SNS message id. */
        readonly messageId: string
        /** The subject, when the publisher set one. */
        readonly subject: string | undefined
        /** The SNS `Message`. */
        readonly message: string
      }
    | undefined
  /** The record as it came. */
  readonly raw: unknown
}

/** An SNS notification. */
export interface SnsRecord {
  /** The SNS message id. */
  readonly messageId: string
  /** The topic ARN. */
  readonly topicArn: string
  /** The topic name, the last segment of the ARN. */
  readonly topicName: string
  /** The subject, when the publisher set one. */
  readonly subject: string | undefined
  /** The message body. */
  readonly message: string
  /** When SNS published the message (ISO 8601). */
  readonly timestamp: string | undefined
  /** Message attributes as SNS sends them. */
  readonly messageAttributes: Readonly<Record<string, unknown>>
  /** The record as it came. */
  readonly raw: unknown
}

/** An EventBridge event (a batch of one). */
export interface EventBridgeRecord {
  /** The event id. */
  readonly id: string
  /** The event source (`aws.ec2`, `com.example.orders`). */
  readonly source: string
  /** The detail-type (the routing key by default). */
  readonly detailType: string
  /** The event detail, as sent. */
  readonly detail: unknown
  /** The event time (ISO 8601). */
  readonly time: string | undefined
  /** The AWS account the event came from. */
  readonly account: string | undefined
  /** The AWS region the event came from. */
  readonly region: string | undefined
  /** The ARNs the event concerns. */
  readonly resources: readonly string[]
  /** The event as it came. */
  readonly raw: unknown
}

/** A Kafka record (MSK or self-managed), key and value decoded from base64 as UTF-8. */
export interface KafkaRecord {
  /** The topic (the routing key by default). */
  readonly topic: string
  /** The partition number (-1 when missing). */
  readonly partition: number
  /** The offset in the partition (-1 when missing). */
  readonly offset: number
  /** The record timestamp, epoch milliseconds. */
  readonly timestamp: number | undefined
  /** The record key, decoded; undefined when the record has none. */
  readonly key: string | undefined
  /** The record value, decoded. */
  readonly value: string
  /** Header values decoded from their byte arrays as UTF-8. */
  readonly headers: Readonly<Record<string, string>>
  /** The record as it came. */
  readonly raw: unknown
}

/** A DynamoDB Streams change record. */
export interface DynamoDbRecord {
  /** The change record id. */
  readonly eventId: string
  /** `INSERT`, `MODIFY` or `REMOVE`. */
  readonly eventName: string
  /** The table name, from the stream ARN. */
  readonly tableName: string
  /** The stream sequence number (the partial-batch item identifier). */
  readonly sequenceNumber: string
  /** The item keys, in DynamoDB JSON. */
  readonly keys: Readonly<Record<string, unknown>>
  /** The item after the change, when the stream carries it. */
  readonly newImage: Readonly<Record<string, unknown>> | undefined
  /** The item before the change, when the stream carries it. */
  readonly oldImage: Readonly<Record<string, unknown>> | undefined
  /** The record as it came. */
  readonly raw: unknown
}

/** A Kinesis Data Streams record, data decoded from base64 as UTF-8. */
export interface KinesisRecord {
  /** The record id. */
  readonly eventId: string
  /** The stream name, from the stream ARN. */
  readonly streamName: string
  /** The partition key. */
  readonly partitionKey: string
  /** The sequence number (the partial-batch item identifier). */
  readonly sequenceNumber: string
  /** The data, decoded from base64 as UTF-8. */
  readonly data: string
  /** When the record arrived, epoch seconds. */
  readonly approximateArrivalTimestamp: number | undefined
  /** The record as it came. */
  readonly raw: unknown
}

/**
 * One log event of a CloudWatch Logs subscription (`awslogs.data` decoded), with the log group
 * and stream it came from.
 *
 * @example
 * ```ts
 * router({ logs: { '/aws/lambda/orders': (event) => alert(event.logGroup, event.message) } })
 * ```
 */
export interface CloudWatchLogRecord {
  /** The log event id. */
  readonly id: string
  /** When the event was logged, epoch milliseconds. */
  readonly timestamp: number | undefined
  /** The log message, as logged (often with a trailing newline). */
  readonly message: string
  /** The fields a subscription filter pattern extracted, when it has any. */
  readonly extractedFields: Readonly<Record<string, string>> | undefined
  /** The log group (the routing key by default). */
  readonly logGroup: string
  /** The log stream. */
  readonly logStream: string
  /** The AWS account that owns the log group. */
  readonly owner: string
  /** The subscription filters that matched. */
  readonly subscriptionFilters: readonly string[]
  /** `DATA_MESSAGE` (a control message carries no records). */
  readonly messageType: string
  /** The decoded log event as it came. */
  readonly raw: unknown
}

/**
 * A record of a Kinesis Data Firehose transformation, data decoded from base64 as UTF-8.
 *
 * @example
 * ```ts
 * router({ firehose: { 'orders-to-s3': (record) => `${record.data.trim()}\n` } })
 * ```
 */
export interface FirehoseRecord {
  /** The record id (the route's answer is matched to it). */
  readonly recordId: string
  /** The data, decoded from base64 as UTF-8. */
  readonly data: string
  /** The delivery stream name, from its ARN (the routing key by default). */
  readonly deliveryStreamName: string
  /** The delivery stream ARN. */
  readonly deliveryStreamArn: string
  /** The source Kinesis stream name, when the delivery stream reads one. */
  readonly sourceStreamName: string | undefined
  /** The Kinesis partition key, when the delivery stream reads a Kinesis stream. */
  readonly partitionKey: string | undefined
  /** When the record arrived, epoch milliseconds. */
  readonly approximateArrivalTimestamp: number | undefined
  /** The record as it came (its `data` still in base64). */
  readonly raw: unknown
}

/**
 * A mail an SES receipt rule handed to the function.
 *
 * @example
 * ```ts
 * router({ ses: { 'support@example.com': (mail) => ticket(mail.messageId, mail.subject) } })
 * ```
 */
export interface SesRecord {
  /** The SES message id. */
  readonly messageId: string
  /** The envelope sender (`mail.source`). */
  readonly from: string
  /** The envelope recipients (`mail.destination`). */
  readonly destination: readonly string[]
  /** The recipients the receipt rule matched (the first, lower-cased, is the routing key). */
  readonly recipients: readonly string[]
  /** The `Subject` header, when the mail has one. */
  readonly subject: string | undefined
  /** When SES received the mail (ISO 8601). */
  readonly timestamp: string | undefined
  /** The verdicts of the receipt (`PASS`, `FAIL`, `GRAY`, `PROCESSING_FAILED`). */
  readonly verdicts: {
    readonly spam: string | undefined
    readonly virus: string | undefined
    readonly spf: string | undefined
    readonly dkim: string | undefined
    readonly dmarc: string | undefined
  }
  /** The record as it came. */
  readonly raw: unknown
}

/** A request made of records of one source. */
export interface RecordsRequest<K extends string, R> extends RequestCommon {
  /** The event source. */
  readonly kind: K
  /** The records of the batch, in order. */
  readonly records: readonly R[]
}

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

/** An event metis-app does not recognise, kept as it came (the seed's no-op event). */
export interface UnknownRequest extends RequestCommon {
  /** Always `unknown`. */
  readonly kind: 'unknown'
  /** Why it was not recognised. */
  readonly reason: string
}

/** Every request {@link buildRequest} can produce, told apart by `kind`. */
export type AppRequest =
  | HttpRequest
  | RecordsRequest<'s3', S3ObjectRecord>
  | RecordsRequest<'sqs', SqsRecord>
  | RecordsRequest<'sns', SnsRecord>
  | RecordsRequest<'eventbridge', EventBridgeRecord>
  | RecordsRequest<'kafka', KafkaRecord>
  | RecordsRequest<'dynamodb', DynamoDbRecord>
  | RecordsRequest<'kinesis', KinesisRecord>
  | RecordsRequest<'logs', CloudWatchLogRecord>
  | RecordsRequest<'firehose', FirehoseRecord>
  | RecordsRequest<'ses', SesRecord>
  | WebSocketRequest
  | CognitoRequest
  | SecretsRotationRequest
  | CustomResourceRequest
  | AppSyncRequest
  | BedrockAgentRequest
  | UnknownRequest

/** The `kind` of a request. */
export type RequestKind = AppRequest['kind']

/** The request of one kind: `RequestOf<'sqs'>`. */
export type RequestOf<K extends RequestKind> = Extract<AppRequest, { kind: K }>

/** Options of {@link buildRequest}. */
export interface BuildOptions {
  /** The clock for `receivedAt`, in epoch milliseconds; defaults to `Date.now`. */
  clock?: () => number
  /**
   * JSON bodies: `'auto'` (default) parses when the content type is JSON; `'required'` also
   * answers 415 to a body of another type; `'off'` never parses.
   */
  jsonBody?: 'auto' | 'required' | 'off'
  /** Unwrap SNS notifications carried in SQS bodies (SNS -> SQS subscriptions). Default false. */
  unwrapSns?: boolean
  /** The largest body accepted, in bytes of the event's body string; larger is a 413. Default 6 MiB. */
  maxBodyBytes?: number
}
