import {
  arnName,
  asArray,
  asNumber,
  asRecord,
  asString,
  dict,
  type Json,
  pick,
  safeDecode,
  stringEntries,
} from '../internal/guards.ts'
import type {
  AppRequest,
  BuildOptions,
  CloudWatchLogRecord,
  DynamoDbRecord,
  EventBridgeRecord,
  FirehoseRecord,
  KafkaRecord,
  KinesisRecord,
  RequestCommon,
  S3ObjectRecord,
  SesRecord,
  SnsRecord,
  SqsRecord,
} from './types.ts'

const decodeBase64 = (value: unknown): string | undefined =>
  typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : undefined

/** S3 keys arrive URL-encoded with `+` for spaces, directly and through EventBridge alike. */
const decodeS3Key = (key: string): string =>
  key.includes('+') || key.includes('%') ? (safeDecode(key.replaceAll('+', ' ')) ?? key) : key

const EMPTY: Json = {}

const s3Record = (record: Json): S3ObjectRecord => {
  const s3 = asRecord(record.s3) ?? EMPTY
  const object = asRecord(s3.object) ?? EMPTY
  return {
    bucket: asString(asRecord(s3.bucket)?.name) ?? '',
    key: decodeS3Key(asString(object.key) ?? ''),
    size: asNumber(object.size),
    eventName: asString(record.eventName) ?? '',
    eventTime: asString(record.eventTime),
    region: asString(record.awsRegion),
    versionId: asString(object.versionId),
    etag: asString(object.eTag),
    raw: record,
  }
}

/** S3 notifications delivered through EventBridge (`source: aws.s3`). */
const s3FromEventBridge = (event: Json): S3ObjectRecord => {
  const detail = asRecord(event.detail) ?? {}
  return {
    bucket: asString(pick(detail, 'bucket', 'name')) ?? '',
    key: decodeS3Key(asString(pick(detail, 'object', 'key')) ?? ''),
    size: asNumber(pick(detail, 'object', 'size')),
    eventName: asString(event['detail-type']) ?? '',
    eventTime: asString(event.time),
    region: asString(event.region),
    versionId: asString(pick(detail, 'object', 'version-id')),
    etag: asString(pick(detail, 'object', 'etag')),
    raw: event,
  }
}

/** Unwraps an SNS notification carried as an SQS body, or undefined when it is not one. */
const snsEnvelope = (body: string): SqsRecord['sns'] => {
  if (!body.startsWith('{')) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return undefined
  }
  const envelope = asRecord(parsed)
  if (envelope?.Type !== 'Notification' || typeof envelope.Message !== 'string') return undefined
  return {
    topicArn: asString(envelope.TopicArn) ?? '',
    topicName: arnName(envelope.TopicArn) ?? '',
    messageId: asString(envelope.MessageId) ?? '',
    subject: asString(envelope.Subject),
    message: envelope.Message,
  }
}

const sqsRecord = (record: Json, options: BuildOptions): SqsRecord => {
  const body = asString(record.body) ?? ''
  const sns = options.unwrapSns === true ? snsEnvelope(body) : undefined
  return {
    messageId: asString(record.messageId) ?? '',
    queueArn: asString(record.eventSourceARN) ?? '',
    queueName: arnName(record.eventSourceARN) ?? '',
    body: sns?.message ?? body,
    attributes: stringEntries(record.attributes),
    messageAttributes: asRecord(record.messageAttributes) ?? {},
    sns,
    raw: record,
  }
}

const snsRecord = (record: Json): SnsRecord => {
  const sns = asRecord(record.Sns) ?? {}
  return {
    messageId: asString(sns.MessageId) ?? '',
    topicArn: asString(sns.TopicArn) ?? '',
    topicName: arnName(sns.TopicArn) ?? '',
    subject: asString(sns.Subject),
    message: asString(sns.Message) ?? '',
    timestamp: asString(sns.Timestamp),
    messageAttributes: asRecord(sns.MessageAttributes) ?? {},
    raw: record,
  }
}

/** `arn:aws:dynamodb:region:acct:table/Orders/stream/2020...` -> `Orders`. */
const tableName = (arn: unknown): string => {
  const text = asString(arn) ?? ''
  const match = /:table\/([^/]+)/.exec(text)
  return match?.[1] ?? ''
}

/** `arn:aws:kinesis:region:acct:stream/clicks` -> `clicks`. */
const streamName = (arn: unknown): string => {
  const text = asString(arn) ?? ''
  const match = /:stream\/([^/]+)/.exec(text)
  return match?.[1] ?? ''
}

const dynamoDbRecord = (record: Json): DynamoDbRecord => {
  const change = asRecord(record.dynamodb) ?? {}
  return {
    eventId: asString(record.eventID) ?? '',
    eventName: asString(record.eventName) ?? '',
    tableName: tableName(record.eventSourceARN),
    sequenceNumber: asString(change.SequenceNumber) ?? '',
    keys: asRecord(change.Keys) ?? {},
    newImage: asRecord(change.NewImage),
    oldImage: asRecord(change.OldImage),
    raw: record,
  }
}

const kinesisRecord = (record: Json): KinesisRecord => {
  const kinesis = asRecord(record.kinesis) ?? {}
  return {
    eventId: asString(record.eventID) ?? '',
    streamName: streamName(record.eventSourceARN),
    partitionKey: asString(kinesis.partitionKey) ?? '',
    sequenceNumber: asString(kinesis.sequenceNumber) ?? '',
    data: decodeBase64(kinesis.data) ?? '',
    approximateArrivalTimestamp: asNumber(kinesis.approximateArrivalTimestamp),
    raw: record,
  }
}

/** Kafka header values arrive as arrays of byte values. */
const kafkaHeaders = (value: unknown): Record<string, string> => {
  const headers = dict<string>()
  for (const entry of asArray(value) ?? []) {
    for (const [name, bytes] of Object.entries(asRecord(entry) ?? {})) {
      const list = asArray(bytes)
      if (list?.every((b) => typeof b === 'number')) {
        headers[name] = Buffer.from(list as number[]).toString('utf8')
      } else if (typeof bytes === 'string') {
        headers[name] = bytes
      }
    }
  }
  return headers
}

const kafkaRecords = (event: Json): KafkaRecord[] => {
  const out: KafkaRecord[] = []
  for (const batch of Object.values(asRecord(event.records) ?? {})) {
    for (const item of asArray(batch) ?? []) {
      const record = asRecord(item)
      if (record === undefined) continue
      out.push({
        topic: asString(record.topic) ?? '',
        partition: asNumber(record.partition) ?? -1,
        offset: asNumber(record.offset) ?? -1,
        timestamp: asNumber(record.timestamp),
        key: decodeBase64(record.key),
        value: decodeBase64(record.value) ?? '',
        headers: kafkaHeaders(record.headers),
        raw: record,
      })
    }
  }
  return out
}

/** The strings of a list; anything else is skipped. */
const strings = (value: unknown): string[] =>
  (asArray(value) ?? []).filter((item): item is string => typeof item === 'string')

/**
 * The decoded `awslogs.data` (base64 of gzipped JSON), or undefined when it is not that. Node's
 * zlib is loaded on the first CloudWatch Logs event, not at import: no other source needs it.
 */
const decodeLogs = (data: unknown): Json | undefined => {
  if (typeof data !== 'string') return undefined
  const zlib = process.getBuiltinModule('node:zlib')
  try {
    return asRecord(JSON.parse(zlib.gunzipSync(Buffer.from(data, 'base64')).toString('utf8')))
  } catch {
    return undefined
  }
}

const logRecords = (decoded: Json): CloudWatchLogRecord[] => {
  const messageType = asString(decoded.messageType) ?? ''
  // A control message checks that the destination is reachable: it carries no log events.
  if (messageType === 'CONTROL_MESSAGE') return []
  const logGroup = asString(decoded.logGroup) ?? ''
  const logStream = asString(decoded.logStream) ?? ''
  const owner = asString(decoded.owner) ?? ''
  const subscriptionFilters = strings(decoded.subscriptionFilters)
  return objects(asArray(decoded.logEvents) ?? []).map((event) => ({
    id: asString(event.id) ?? '',
    timestamp: asNumber(event.timestamp),
    message: asString(event.message) ?? '',
    extractedFields:
      asRecord(event.extractedFields) === undefined
        ? undefined
        : stringEntries(event.extractedFields),
    logGroup,
    logStream,
    owner,
    subscriptionFilters,
    messageType,
    raw: event,
  }))
}

/** `arn:aws:firehose:region:acct:deliverystream/name` -> `name`. */
const afterSlash = (arn: unknown): string | undefined => {
  const text = asString(arn)
  if (text === undefined) return undefined
  const name = text.slice(text.lastIndexOf('/') + 1)
  return name === '' || name === text ? undefined : name
}

const firehoseRecords = (event: Json, list: unknown[]): FirehoseRecord[] => {
  const deliveryStreamArn = asString(event.deliveryStreamArn) ?? ''
  const deliveryStreamName = afterSlash(deliveryStreamArn) ?? ''
  const sourceStreamName = afterSlash(event.sourceKinesisStreamArn)
  return objects(list).map((record) => ({
    recordId: asString(record.recordId) ?? '',
    data: decodeBase64(record.data) ?? '',
    deliveryStreamName,
    deliveryStreamArn,
    sourceStreamName,
    partitionKey: asString(pick(record, 'kinesisRecordMetadata', 'partitionKey')),
    approximateArrivalTimestamp: asNumber(record.approximateArrivalTimestamp),
    raw: record,
  }))
}

const verdict = (receipt: Json, name: string): string | undefined =>
  asString(pick(receipt, name, 'status'))

const sesRecord = (record: Json): SesRecord => {
  const mail = asRecord(pick(record, 'ses', 'mail')) ?? EMPTY
  const receipt = asRecord(pick(record, 'ses', 'receipt')) ?? EMPTY
  return {
    messageId: asString(mail.messageId) ?? '',
    from: asString(mail.source) ?? '',
    destination: strings(mail.destination),
    recipients: strings(receipt.recipients),
    subject: asString(pick(mail, 'commonHeaders', 'subject')),
    timestamp: asString(mail.timestamp),
    verdicts: {
      spam: verdict(receipt, 'spamVerdict'),
      virus: verdict(receipt, 'virusVerdict'),
      spf: verdict(receipt, 'spfVerdict'),
      dkim: verdict(receipt, 'dkimVerdict'),
      dmarc: verdict(receipt, 'dmarcVerdict'),
    },
    raw: record,
  }
}

/** Kafka event sources: MSK, and self-managed Kafka as named today and in older events. */
const KAFKA_SOURCES: ReadonlySet<unknown> = new Set([
  'aws:kafka',
  'SelfManagedKafka',
  'aws:SelfManagedKafka',
])

const eventBridgeRecord = (event: Json): EventBridgeRecord => ({
  id: asString(event.id) ?? '',
  source: asString(event.source) ?? '',
  detailType: asString(event['detail-type']) ?? '',
  detail: event.detail,
  time: asString(event.time),
  account: asString(event.account),
  region: asString(event.region),
  resources: strings(event.resources),
  raw: event,
})

/** The records of a `Records` array whose items are objects; other items are skipped. */
const objects = (list: unknown[]): Json[] =>
  list.map((item) => asRecord(item)).filter((item): item is Json => item !== undefined)

/**
 * Builds the request of a record event (S3, SQS, SNS, DynamoDB Streams, Kinesis, SES, Kafka,
 * EventBridge, CloudWatch Logs, Firehose), or undefined when the event is none of them. CloudWatch
 * Logs data that does not decode is an unknown request saying so.
 */
export const buildRecords = (
  event: Json,
  common: RequestCommon,
  options: BuildOptions,
): AppRequest | undefined => {
  const list = asArray(event.Records)
  if (list !== undefined) {
    const items = objects(list)
    const first = items[0]
    if (first === undefined) return undefined
    const source = asString(first.eventSource) ?? asString(first.EventSource)
    switch (source) {
      case 'aws:s3':
        return { kind: 's3', ...common, records: items.map(s3Record) }
      case 'aws:sqs':
        return { kind: 'sqs', ...common, records: items.map((r) => sqsRecord(r, options)) }
      case 'aws:sns':
        return { kind: 'sns', ...common, records: items.map(snsRecord) }
      case 'aws:dynamodb':
        return { kind: 'dynamodb', ...common, records: items.map(dynamoDbRecord) }
      case 'aws:kinesis':
        return { kind: 'kinesis', ...common, records: items.map(kinesisRecord) }
      case 'aws:ses':
        return { kind: 'ses', ...common, records: items.map(sesRecord) }
      default:
        return undefined
    }
  }
  if (KAFKA_SOURCES.has(event.eventSource) && asRecord(event.records) !== undefined) {
    return { kind: 'kafka', ...common, records: kafkaRecords(event) }
  }
  if (typeof event['detail-type'] === 'string' && typeof event.source === 'string') {
    if (event.source === 'aws.s3' && asRecord(pick(event, 'detail', 'bucket')) !== undefined) {
      return { kind: 's3', ...common, records: [s3FromEventBridge(event)] }
    }
    return { kind: 'eventbridge', ...common, records: [eventBridgeRecord(event)] }
  }
  const awslogs = asRecord(event.awslogs)
  if (awslogs !== undefined) {
    const decoded = decodeLogs(awslogs.data)
    if (decoded === undefined) {
      const reason = 'The CloudWatch Logs data (awslogs.data) is not base64 gzip JSON'
      return { kind: 'unknown', ...common, reason }
    }
    return { kind: 'logs', ...common, records: logRecords(decoded) }
  }
  const firehose = asArray(event.records)
  if (firehose !== undefined && typeof event.deliveryStreamArn === 'string') {
    return { kind: 'firehose', ...common, records: firehoseRecords(event, firehose) }
  }
  return undefined
}
