/**
 * The types of the record sources, the events that carry a batch: one record type per source
 * (S3, SQS, SNS, EventBridge, Kafka, DynamoDB Streams, Kinesis, CloudWatch Logs, Firehose, SES),
 * and the {@link RecordsRequest} that lists the records of one batch.
 */

import type { RequestCommon } from './common-types.ts'

/**
 * An S3 object notification (direct, or through EventBridge).
 *
 * @example
 * ```ts
 * const onUpload = (record: S3ObjectRecord) => console.log(record.bucket, record.key, record.size)
 * router({ s3: { uploads: onUpload } })
 * ```
 */
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

/**
 * An SQS message.
 *
 * @example
 * ```ts
 * const onOrder = (record: SqsRecord) => placeOrder(JSON.parse(record.body), record.messageId)
 * router({ sqs: { 'orders-queue': onOrder } }, { partialBatch: true })
 * ```
 */
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

/**
 * An SNS notification.
 *
 * @example
 * ```ts
 * router({ sns: { 'order-events': (record: SnsRecord) => notify(record.subject, record.message) } })
 * ```
 */
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

/**
 * An EventBridge event (a batch of one).
 *
 * @example
 * ```ts
 * router({ eventbridge: { 'Order Placed': (event: EventBridgeRecord) => ship(event.detail, event.time) } })
 * ```
 */
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

/**
 * A Kafka record (MSK or self-managed), key and value decoded from base64 as UTF-8.
 *
 * @example
 * ```ts
 * const onPayment = (record: KafkaRecord) => console.log(record.topic, record.partition, record.offset, record.value)
 * router({ kafka: { payments: onPayment } })
 * ```
 */
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

/**
 * A DynamoDB Streams change record.
 *
 * @example
 * ```ts
 * const onChange = (record: DynamoDbRecord) =>
 *   record.eventName === 'REMOVE' ? unindex(record.keys) : index(record.newImage)
 * router({ dynamodb: { orders: onChange } })
 * ```
 */
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

/**
 * A Kinesis Data Streams record, data decoded from base64 as UTF-8.
 *
 * @example
 * ```ts
 * const onClick = (record: KinesisRecord) => track(record.partitionKey, JSON.parse(record.data))
 * router({ kinesis: { clickstream: onClick } })
 * ```
 */
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

/**
 * A request made of records of one source.
 *
 * @example
 * ```ts
 * const saveBatch = (request: RecordsRequest<'sqs', SqsRecord>) => saveAll(request.records.map((r) => r.body))
 * router({ sqs: { 'orders-queue': { batch: saveBatch } } })
 * ```
 */
export interface RecordsRequest<K extends string, R> extends RequestCommon {
  /** The event source. */
  readonly kind: K
  /** The records of the batch, in order. */
  readonly records: readonly R[]
}
