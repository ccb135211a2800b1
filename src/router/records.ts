import type { Context } from 'aws-lambda'
import { AppError, toAppError } from '../errors/index.ts'
import { asRecord, dict } from '../internal/guards.ts'
import type {
  AppRequest,
  DynamoDbRecord,
  EventBridgeRecord,
  KafkaRecord,
  KinesisRecord,
  S3ObjectRecord,
  SnsRecord,
  SqsRecord,
} from '../request/index.ts'
import type { ResponderOptions } from '../response/index.ts'
import { isResult } from '../result/index.ts'
import type {
  ResolvedRoute,
  RouteOptions,
  RouterContext,
  RouteTable,
  RoutingKeys,
} from './index.ts'
import { RouteTableError } from './trie.ts'

/** A request made of records. */
export type RecordsAppRequest = Exclude<AppRequest, { kind: 'http' | 'unknown' }>
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

/** A records request split into groups, each with its route (or none). */
export interface RecordPlan {
  readonly kind: RecordKind
  readonly request: RecordsAppRequest
  /** The route of the first group, for `context.route`. */
  readonly route: ResolvedRoute | undefined
  readonly groups: readonly Group[]
}

const KINDS: readonly RecordKind[] = [
  's3',
  'sqs',
  'sns',
  'eventbridge',
  'kafka',
  'dynamodb',
  'kinesis',
]

/** Sources whose event source mappings read a partial batch response. */
const PARTIAL_KINDS: ReadonlySet<RecordKind> = new Set(['sqs', 'kinesis', 'dynamodb', 'kafka'])

const defaultKeys = {
  s3: (record: S3ObjectRecord) => record.bucket.split('.')[0] as string,
  sqs: (record: SqsRecord) => record.queueName,
  sns: (record: SnsRecord) => record.topicName,
  kafka: (record: KafkaRecord) => record.topic,
  dynamodb: (record: DynamoDbRecord) => record.tableName,
  kinesis: (record: KinesisRecord) => record.streamName,
}

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze(dict<string>())

const normalize = (kind: string, key: string, declared: unknown): Normalized => {
  if (typeof declared === 'function') {
    return { mode: 'record', fn: declared as Normalized['fn'], options: {} }
  }
  const entry = asRecord(declared)
  const options = (asRecord(entry?.options) ?? {}) as RouteOptions
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
      return [`${event.source}:${event.detailType}`, event.detailType]
    }
    const key = defaultKeys[kind as Exclude<RecordKind, 'eventbridge'>]
    return [(key as (record: AnyRecord) => string)(record)]
  }

  /** Groups the records by route, in the order each group first appears. */
  plan(request: RecordsAppRequest): RecordPlan {
    const routes = this.#routes[request.kind] as Record<string, Normalized>
    const groups = new Map<string, Group>()
    for (const record of request.records as readonly AnyRecord[]) {
      const candidates = this.#candidates(request.kind, record)
      const matched = candidates.find((key) => routes[key] !== undefined)
      const key = matched ?? (routes['*'] !== undefined ? '*' : (candidates.at(-1) as string))
      let group = groups.get(key)
      if (group === undefined) {
        const entry = routes[key]
        const options = entry?.options ?? {}
        group = { route: { key, params: NO_PARAMS, options }, entry, records: [] }
        groups.set(key, group)
      }
      group.records.push(record)
    }
    const list = [...groups.values()]
    return { kind: request.kind, request, route: list[0]?.route, groups: list }
  }
}

/** The `itemIdentifier` Lambda expects for a failed record of each source. */
const identify = (kind: RecordKind, record: AnyRecord): unknown => {
  if (kind === 'sqs') return (record as SqsRecord).messageId
  if (kind === 'kafka') {
    const kafka = record as KafkaRecord
    return { partition: `${kafka.topic}-${kafka.partition}`, offset: kafka.offset }
  }
  return (record as KinesisRecord | DynamoDbRecord).sequenceNumber
}

/** Runs one handler call; the failure (a throw or an error Result), or undefined on success. */
const attempt = async (call: () => unknown): Promise<{ error: unknown } | undefined> => {
  try {
    const value = await call()
    if (isResult(value) && !value.ok) return { error: value.error }
    return undefined
  } catch (error) {
    return { error }
  }
}

/** The partial batch response. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: unknown }[]
}

/**
 * Dispatches each group to its route. With `partial` (and a source that supports it) failures are
 * collected into a partial batch response; otherwise the first failure is thrown. A FIFO queue
 * stops at its first failure and reports every record after it, to keep the order.
 */
export const dispatchRecords = async (
  plan: RecordPlan,
  context: Context,
  partial: boolean,
  logger: ResponderOptions['logger'] = console.error,
): Promise<BatchResponse | undefined> => {
  const reportable = partial && PARTIAL_KINDS.has(plan.kind)
  const failures: { itemIdentifier: unknown }[] = []
  const routerContext = context as RouterContext
  let halted = false

  const fifo =
    plan.kind === 'sqs' &&
    (plan.request.records as readonly SqsRecord[]).some((record) =>
      record.queueName.endsWith('.fifo'),
    )

  const report = (records: readonly AnyRecord[]): void => {
    for (const record of records) failures.push({ itemIdentifier: identify(plan.kind, record) })
  }

  const fail = (records: readonly AnyRecord[], error: unknown): void => {
    if (!reportable) throw error instanceof Error ? error : toAppError(error)
    if (logger !== false) logger(error)
    report(records)
    if (fifo) halted = true
  }

  for (const group of plan.groups) {
    routerContext.route = group.route
    const { entry, records } = group
    if (halted) {
      report(records)
      continue
    }
    if (entry === undefined) {
      fail(
        records,
        new AppError(404, `No route for ${plan.kind} routing key '${group.route.key}'`, {
          code: 'NO_ROUTE',
        }),
      )
      continue
    }
    if (entry.mode === 'batch') {
      const groupRequest = { ...plan.request, records }
      const failure = await attempt(() => entry.fn(groupRequest as never, routerContext))
      if (failure !== undefined) fail(records, failure.error)
      continue
    }
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as AnyRecord
      const failure = await attempt(() => entry.fn(record as never, routerContext))
      if (failure === undefined) continue
      fail([record], failure.error)
      if (halted) {
        report(records.slice(i + 1))
        break
      }
    }
  }
  return reportable ? { batchItemFailures: failures } : undefined
}
