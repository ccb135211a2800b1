import type { Context } from 'aws-lambda'
import { AppError, toAppError } from '../errors/index.ts'
import { answerFailure } from '../internal/failures.ts'
import { asRecord, dict } from '../internal/guards.ts'
import type { Logger } from '../internal/logger.ts'
import { isResult } from '../internal/result.ts'
import type {
  AppRequest,
  CloudWatchLogRecord,
  DynamoDbRecord,
  EventBridgeRecord,
  FirehoseRecord,
  KafkaRecord,
  KinesisRecord,
  S3ObjectRecord,
  SesRecord,
  SnsRecord,
  SqsRecord,
} from '../request/types.ts'
import {
  type FirehoseResponse,
  type FirehoseResult,
  firehoseFailure,
  firehoseResult,
} from './answers.ts'
import { RouteTableError } from './trie.ts'
import type {
  ResolvedRoute,
  RouteOptions,
  RouterContext,
  RouteTable,
  RoutingKeys,
} from './types.ts'

/** A request made of records. */
export type RecordsAppRequest = Extract<AppRequest, { readonly records: readonly unknown[] }>
type RecordKind = RecordsAppRequest['kind']
type AnyRecord = RecordsAppRequest['records'][number]

interface Normalized {
  readonly mode: 'record' | 'batch'
  readonly fn: (input: never, context: RouterContext) => unknown
  readonly options: RouteOptions
}

interface Group {
  readonly route: ResolvedRoute
  readonly entry: Normalized | undefined
  readonly records: AnyRecord[]
}

/**
 * A records request split into groups, each with its route (or none). An unordered source gets one
 * group per routing key; an ordered one gets one group per consecutive run of a key, in batch order.
 */
export interface RecordPlan {
  readonly kind: RecordKind
  readonly request: RecordsAppRequest
  /** The route of the first group, for `context.route`. */
  readonly route: ResolvedRoute | undefined
  readonly groups: readonly Group[]
  /** Whether the source delivers in order (FIFO queue, stream shard, Kafka partition). */
  readonly ordered: boolean
}

const KINDS: readonly RecordKind[] = [
  's3',
  'sqs',
  'sns',
  'eventbridge',
  'kafka',
  'dynamodb',
  'kinesis',
  'logs',
  'firehose',
  'ses',
]

/** Sources whose callers read which records failed: a partial batch response, Firehose results. */
const PARTIAL_KINDS: ReadonlySet<RecordKind> = new Set([
  'sqs',
  'kinesis',
  'dynamodb',
  'kafka',
  'firehose',
])

/** Sources that deliver records in order: a stream shard, a Kafka partition. */
const ORDERED_KINDS: ReadonlySet<RecordKind> = new Set(['kinesis', 'dynamodb', 'kafka'])

/**
 * Whether a record that follows a failed one must wait for it: regrouping such a batch by key, or
 * going on after a failure, would process records out of order (AWS: a FIFO queue stops at its
 * first failure; a stream retries from its first failed sequence number).
 */
const isOrdered = (request: RecordsAppRequest): boolean =>
  request.kind === 'sqs'
    ? request.records.some((record) => record.queueName.endsWith('.fifo'))
    : ORDERED_KINDS.has(request.kind)

/** What a failure holds back in an ordered batch: its Kafka partition, or the whole batch. */
const orderUnit = (kind: RecordKind, record: AnyRecord): string => {
  if (kind !== 'kafka') return ''
  const kafka = record as KafkaRecord
  return `${kafka.topic}-${kafka.partition}`
}

const defaultKeys = {
  s3: (record: S3ObjectRecord) => record.bucket.split('.')[0] as string,
  sqs: (record: SqsRecord) => record.queueName,
  sns: (record: SnsRecord) => record.topicName,
  kafka: (record: KafkaRecord) => record.topic,
  dynamodb: (record: DynamoDbRecord) => record.tableName,
  kinesis: (record: KinesisRecord) => record.streamName,
  logs: (record: CloudWatchLogRecord) => record.logGroup,
  firehose: (record: FirehoseRecord) => record.deliveryStreamName,
  ses: (record: SesRecord) => (record.recipients[0] ?? record.destination[0] ?? '').toLowerCase(),
}

/** `arn:aws:events:region:acct:rule/[bus/]name` -> `name`, for a scheduled event's rule. */
const ruleName = (event: EventBridgeRecord): string | undefined => {
  if (event.detailType !== 'Scheduled Event' || event.source !== 'aws.events') return undefined
  const arn = event.resources[0] ?? ''
  const at = arn.indexOf(':rule/')
  return at < 0 ? undefined : arn.slice(arn.lastIndexOf('/') + 1) || undefined
}

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze(dict<string>())

const normalize = (kind: string, key: string, declared: unknown): Normalized => {
  if (typeof declared === 'function') {
    return { mode: 'record', fn: declared as Normalized['fn'], options: {} }
  }
  const entry = asRecord(declared)
  const options = (asRecord(entry?.options) ?? {}) as RouteOptions
  // Bearer-token policies guard HTTP routes; on a record route nothing would evaluate them.
  if (options.policies !== undefined && options.policies.length > 0) {
    throw new RouteTableError(
      'ROUTE_INVALID',
      `The ${kind} route '${key}' declares policies: policies apply to HTTP routes only`,
    )
  }
  if (typeof entry?.record === 'function') {
    return { mode: 'record', fn: entry.record.bind(entry) as Normalized['fn'], options }
  }
  if (typeof entry?.batch === 'function') {
    return { mode: 'batch', fn: entry.batch.bind(entry) as Normalized['fn'], options }
  }
  throw new RouteTableError(
    'ROUTE_INVALID',
    `The ${kind} route '${key}' must be a function, { record } or { batch }`,
  )
}

/** The record half of the routing table: a key map per source. */
export class RecordTable {
  readonly #routes = dict<Record<string, Normalized>>()
  readonly #keys: RoutingKeys

  constructor(table: RouteTable, keys: RoutingKeys = {}) {
    for (const kind of KINDS) {
      const declared = table[kind] ?? {}
      const map = dict<Normalized>()
      for (const [key, value] of Object.entries(declared)) map[key] = normalize(kind, key, value)
      this.#routes[kind] = map
    }
    this.#keys = keys
  }

  /** The routing key of a record, and the table keys to try for it (most specific first). */
  #candidates(kind: RecordKind, record: AnyRecord): string[] {
    const custom = this.#keys[kind] as ((record: AnyRecord) => string) | undefined
    if (custom !== undefined) return [custom(record)]
    if (kind === 'eventbridge') {
      const event = record as EventBridgeRecord
      const keys = [`${event.source}:${event.detailType}`, event.detailType]
      // Every schedule has the same detail-type: its rule tells one schedule from another.
      const rule = ruleName(event)
      return rule === undefined ? keys : [rule, ...keys]
    }
    const key = defaultKeys[kind as Exclude<RecordKind, 'eventbridge'>]
    return [(key as (record: AnyRecord) => string)(record)]
  }

  /**
   * Groups the records by route, in the order each group first appears; for an ordered source, only
   * consecutive records of one route share a group, so that the groups keep the batch order.
   */
  plan(request: RecordsAppRequest): RecordPlan {
    const routes = this.#routes[request.kind] as Record<string, Normalized>
    const ordered = isOrdered(request)
    const groups: Group[] = []
    const byKey = new Map<string, Group>()
    for (const record of request.records as readonly AnyRecord[]) {
      const candidates = this.#candidates(request.kind, record)
      const matched = candidates.find((key) => routes[key] !== undefined)
      const key = matched ?? (routes['*'] !== undefined ? '*' : (candidates.at(-1) as string))
      const last = groups.at(-1)
      let group = ordered ? (last?.route.key === key ? last : undefined) : byKey.get(key)
      if (group === undefined) {
        const entry = routes[key]
        const options = entry?.options ?? {}
        group = { route: { key, params: NO_PARAMS, options }, entry, records: [] }
        groups.push(group)
        byKey.set(key, group)
      }
      group.records.push(record)
    }
    return { kind: request.kind, request, route: groups[0]?.route, groups, ordered }
  }
}

/** The `itemIdentifier` Lambda expects for a failed record of each source. */
const identify = (kind: RecordKind, record: AnyRecord): unknown => {
  if (kind === 'sqs') return (record as SqsRecord).messageId
  if (kind === 'firehose') return (record as FirehoseRecord).recordId
  if (kind === 'kafka') {
    const kafka = record as KafkaRecord
    return { partition: `${kafka.topic}-${kafka.partition}`, offset: kafka.offset }
  }
  return (record as KinesisRecord | DynamoDbRecord).sequenceNumber
}

type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown }

/**
 * Runs one handler call: its value (an ok Result unwrapped), or its failure (a throw or an error
 * Result).
 */
const attempt = async (call: () => unknown): Promise<Outcome> => {
  try {
    const value = await call()
    if (!isResult(value)) return { ok: true, value }
    return value.ok ? { ok: true, value: value.value } : { ok: false, error: value.error }
  } catch (error) {
    return { ok: false, error }
  }
}

/** The partial batch response. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: unknown }[]
}

/**
 * What the records' routes answered, for the sources whose callers read an answer: Firehose's
 * result per record, the disposition of an SES receipt rule.
 */
class Answers {
  readonly #firehose = new Map<AnyRecord, FirehoseResult>()
  #disposition: unknown

  /** Keeps one record's answer; throws when a Firehose answer cannot be serialised. */
  record(kind: RecordKind, record: AnyRecord, value: unknown): void {
    if (kind === 'firehose') {
      this.#firehose.set(record, firehoseResult(record as FirehoseRecord, value))
    } else if (kind === 'ses' && typeof asRecord(value)?.disposition === 'string') {
      this.#disposition = value
    }
  }

  /** Keeps a batch route's answer: for Firehose, one result per record, in order. */
  batch(kind: RecordKind, records: readonly AnyRecord[], value: unknown): void {
    if (kind !== 'firehose') {
      if (records[0] !== undefined) this.record(kind, records[0], value)
      return
    }
    const list: readonly unknown[] = Array.isArray(value) ? value : []
    records.forEach((record, i) => {
      this.record(kind, record, list[i])
    })
  }

  /** The answer of the invocation. */
  answer(
    plan: RecordPlan,
    failed: ReadonlySet<unknown>,
    reportable: boolean,
    failures: BatchResponse['batchItemFailures'],
  ): unknown {
    if (plan.kind === 'firehose') {
      const records = plan.request.records as readonly FirehoseRecord[]
      const results = records.map((record) =>
        failed.has(record.recordId)
          ? firehoseFailure(record)
          : (this.#firehose.get(record) ?? firehoseResult(record, undefined)),
      )
      return { records: results } satisfies FirehoseResponse
    }
    if (reportable) return { batchItemFailures: failures }
    return this.#disposition
  }
}

/**
 * Dispatches each group to its route. With `partial` (and a source that supports it) failures are
 * collected into a partial batch response (for Firehose: `ProcessingFailed` results); otherwise the
 * first failure is thrown. In an ordered batch a failure halts its Kafka partition, or the whole
 * batch for a FIFO queue or a stream: every later record of it is reported without running, so
 * none is acknowledged ahead of the failed one. Firehose is answered with every record's result
 * (the data a route returned, or the record as it came), SES with the disposition a route gave.
 */
export const dispatchRecords = async (
  plan: RecordPlan,
  context: Context,
  partial: boolean,
  logger?: Logger | false,
): Promise<unknown> => {
  const reportable = partial && PARTIAL_KINDS.has(plan.kind)
  const failures: { itemIdentifier: unknown }[] = []
  const failed = new Set<unknown>()
  const answers = new Answers()
  const routerContext = context as RouterContext
  const halted = new Set<string>()

  const report = (record: AnyRecord): void => {
    const itemIdentifier = identify(plan.kind, record)
    failures.push({ itemIdentifier })
    failed.add(itemIdentifier)
  }

  const isHalted = (record: AnyRecord): boolean =>
    halted.size > 0 && halted.has(orderUnit(plan.kind, record))

  const fail = (records: readonly AnyRecord[], error: unknown): void => {
    if (!reportable) throw error instanceof Error ? error : toAppError(error)
    const items = records.map((record) => identify(plan.kind, record))
    answerFailure(context, error, logger, items)
    for (const record of records) {
      report(record)
      if (plan.ordered) halted.add(orderUnit(plan.kind, record))
    }
  }

  /** Keeps an answer; one that cannot be shaped fails its records as a throw would. */
  const keep = (records: readonly AnyRecord[], shape: () => void): void => {
    try {
      shape()
    } catch (error) {
      fail(records, error)
    }
  }

  for (const group of plan.groups) {
    routerContext.route = group.route
    const { entry } = group
    if (entry?.mode === 'record') {
      for (const record of group.records) {
        if (isHalted(record)) {
          report(record)
          continue
        }
        const outcome = await attempt(() => entry.fn(record as never, routerContext))
        if (!outcome.ok) fail([record], outcome.error)
        else keep([record], () => answers.record(plan.kind, record, outcome.value))
      }
      continue
    }
    const records: AnyRecord[] = []
    for (const record of group.records) {
      if (isHalted(record)) report(record)
      else records.push(record)
    }
    if (records.length === 0) continue
    if (entry === undefined) {
      fail(
        records,
        new AppError(404, `No route for ${plan.kind} routing key '${group.route.key}'`, {
          code: 'NO_ROUTE',
        }),
      )
      continue
    }
    const groupRequest = { ...plan.request, records }
    const outcome = await attempt(() => entry.fn(groupRequest as never, routerContext))
    if (!outcome.ok) fail(records, outcome.error)
    else keep(records, () => answers.batch(plan.kind, records, outcome.value))
  }
  return answers.answer(plan, failed, reportable, failures)
}
