/** {@link router}: builds the routing table once and returns the Middy handler that dispatches to it. */

import type { Context } from 'aws-lambda'
import { type AppError, BadRequestError } from '../errors/index.ts'
import { loggerOption } from '../internal/logger.ts'
import { functionOption } from '../internal/options.ts'
import { requestOf } from '../request/accessor.ts'
import type { AppRequest, HttpRequest, UnknownRequest } from '../request/types.ts'
import { err, ok, type Result } from '../result/index.ts'
import { dispatchEvent, EventTable, isEventRequest } from './events.ts'
import { dispatchHttp, failHttp, HttpTable } from './http.ts'
import { dispatchRecords, RecordTable } from './records.ts'
import { RouteTableError } from './trie.ts'
import type { ResolvedRoute, RouterHandler, RouterOptions, RouteTable } from './types.ts'

/**
 * Builds the routing table once and returns the Middy handler that dispatches to it. Throws a
 * {@link RouteTableError} when a route is malformed or two routes overlap. `C` is what the routes
 * need on the context (`AuthContext`, `SelfTokenContext`, `ObserverContext`, ...): give it, or
 * let the routes' checks infer it; `.handler(app)` then refuses a stack that lacks it.
 *
 * @example
 * ```ts
 * const app = router({ http: [{ method: 'GET', path: '/ping', handler: () => 'pong' }] })
 * export const handler = middy().use(responder()).handler(app)
 *
 * // Route handlers see what the stack puts on the context, typed:
 * const withToken = router<SelfTokenContext & ObserverContext>({
 *   http: [{ method: 'GET', path: '/stock', handler: async (_req, ctx) => ctx.selfToken.get() }],
 * })
 * export const stock = middy().use(observer()).use(selfToken(options)).handler(withToken)
 * ```
 */
export const router = <C extends object = Record<never, never>>(
  declared: RouteTable<C>,
  options: RouterOptions = {},
): RouterHandler<C> => {
  // The context type only informs route handlers; routing itself does not depend on it.
  const table = declared as RouteTable
  if (typeof table !== 'object' || table === null || Array.isArray(table)) {
    throw new RouteTableError('ROUTE_INVALID', 'router: the route table must be an object')
  }
  if (table.http !== undefined && !Array.isArray(table.http)) {
    throw new RouteTableError('ROUTE_INVALID', 'router: http must be an array of routes')
  }
  loggerOption('router', options.logger)
  functionOption('router', 'notFound', options.notFound)
  functionOption('router', 'unknown', options.unknown)
  const http = new HttpTable(table.http ?? [], options.notFound)
  const records = new RecordTable(table, options.keys)
  const events = new EventTable(table, options.keys)
  const build = options.build ?? {}
  const logger = options.logger

  const unknown = (request: UnknownRequest, context: Context): unknown => {
    if (options.unknown !== undefined) return options.unknown(request, context)
    throw new BadRequestError(`The router cannot route this event: ${request.reason}`, {
      code: 'UNRECOGNISED_EVENT',
    })
  }

  /** Plans and dispatches a record, single-event or unknown request; a user key function may throw. */
  const routeOther = async (
    request: Exclude<AppRequest, HttpRequest>,
    context: Context,
  ): Promise<unknown> => {
    if (request.kind === 'unknown') return unknown(request, context)
    if (isEventRequest(request)) return dispatchEvent(events.plan(request), context)
    return dispatchRecords(records.plan(request), context, options.partialBatch === true, logger)
  }

  const handler = (event: unknown, context: Context): unknown => {
    const request = requestOf(event, context, build)
    if (!request.ok) return failHttp(event, context, request.error, logger)
    if (request.value.kind !== 'http') return routeOther(request.value, context)
    const resolved = http.plan(request.value)
    if (!resolved.ok) return failHttp(event, context, resolved.error, logger)
    return dispatchHttp(resolved.value, context, logger)
  }

  const resolve = (request: HttpRequest): Result<ResolvedRoute, AppError> => {
    const planned = http.plan(request)
    return planned.ok ? ok(planned.value.route) : err(planned.error)
  }

  return Object.assign(handler, { resolve, routes: Object.freeze([...(table.http ?? [])]) })
}
