/**
 * The routes of the sources that invoke the function once per event and read its answer (API
 * Gateway WebSocket, Cognito triggers, Secrets Manager rotation, CloudFormation custom resources,
 * AppSync resolvers, Bedrock Agents): a key map per source, each key tried most specific first.
 */
import type { Context } from 'aws-lambda'
import { AppError, toAppError } from '../errors/index.ts'
import { dict } from '../internal/guards.ts'
import { isResult } from '../internal/result.ts'
import type { AppRequest } from '../request/types.ts'
import { answerEvent } from './answers.ts'
import { RouteTableError } from './trie.ts'
import type {
  ResolvedRoute,
  RouteOptions,
  RouterContext,
  RouteTable,
  RoutingKeys,
} from './types.ts'

/** The sources that invoke once per event. */
export type EventKind =
  | 'websocket'
  | 'cognito'
  | 'secretsmanager'
  | 'cloudformation'
  | 'appsync'
  | 'bedrock'

/** A request of a source that invokes once per event. */
export type EventAppRequest = Extract<AppRequest, { kind: EventKind }>

const EVENT_KINDS: readonly EventKind[] = [
  'websocket',
  'cognito',
  'secretsmanager',
  'cloudformation',
  'appsync',
  'bedrock',
]
const EVENT_KIND_SET: ReadonlySet<string> = new Set(EVENT_KINDS)

/** True when the request is of a source that invokes once per event. */
export const isEventRequest = (request: AppRequest): request is EventAppRequest =>
  EVENT_KIND_SET.has(request.kind)

type Handler = (request: never, context: RouterContext) => unknown

/** An event request with its route (or none), ready to dispatch. */
export interface EventPlan {
  readonly kind: 'event'
  readonly request: EventAppRequest
  readonly route: ResolvedRoute
  readonly handler: Handler | undefined
}

const NO_OPTIONS: RouteOptions = Object.freeze({})
const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze(dict<string>())

/** The default routing keys of a request, most specific first. */
const candidates = (request: EventAppRequest): string[] => {
  switch (request.kind) {
    case 'websocket':
      return [request.routeKey]
    case 'cognito':
      return [request.triggerSource, request.trigger]
    case 'secretsmanager':
      return [request.step]
    case 'cloudformation':
      return [
        `${request.resourceType}:${request.requestType}`,
        request.resourceType,
        request.requestType,
      ]
    case 'appsync':
      return [`${request.typeName}.${request.fieldName}`, request.fieldName]
    case 'bedrock':
      return [`${request.actionGroup}:${request.operation}`, request.operation, request.actionGroup]
  }
}

/** The single-event half of the routing table: a key map per source. */
export class EventTable {
  readonly #routes = dict<Record<string, Handler>>()
  readonly #keys: RoutingKeys

  constructor(table: RouteTable, keys: RoutingKeys = {}) {
    for (const kind of EVENT_KINDS) {
      const map = dict<Handler>()
      for (const [key, declared] of Object.entries(table[kind] ?? {})) {
        if (typeof declared !== 'function') {
          throw new RouteTableError(
            'ROUTE_INVALID',
            `The ${kind} route '${key}' must be a function`,
          )
        }
        map[key] = declared as Handler
      }
      this.#routes[kind] = map
    }
    this.#keys = keys
  }

  /** The route of a request: the first candidate key with a route, else `'*'`, else none. */
  plan(request: EventAppRequest): EventPlan {
    const routes = this.#routes[request.kind] as Record<string, Handler>
    const custom = this.#keys[request.kind] as ((request: EventAppRequest) => string) | undefined
    const keys = custom === undefined ? candidates(request) : [custom(request)]
    const matched = keys.find((key) => routes[key] !== undefined)
    const key = matched ?? (routes['*'] !== undefined ? '*' : (keys[0] as string))
    const route: ResolvedRoute = { key, params: NO_PARAMS, options: NO_OPTIONS }
    return { kind: 'event', request, route, handler: routes[key] }
  }
}

/**
 * Runs the route of an event and shapes its answer for the caller. No route, a throw or an error
 * Result fails the invocation (the caller sees a function error).
 */
export const dispatchEvent = async (plan: EventPlan, context: Context): Promise<unknown> => {
  const { request, route, handler } = plan
  const routerContext = context as RouterContext
  routerContext.route = route
  if (handler === undefined) {
    throw new AppError(404, `No route for ${request.kind} routing key '${route.key}'`, {
      code: 'NO_ROUTE',
    })
  }
  const value = await handler(request as never, routerContext)
  if (!isResult(value)) return answerEvent(request, value)
  if (!value.ok) throw value.error instanceof Error ? value.error : toAppError(value.error)
  return answerEvent(request, value.value)
}
