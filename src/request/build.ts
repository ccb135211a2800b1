/** {@link buildRequest}: the pure function from a Lambda event to its typed request. */

import { AppError } from '../errors/index.ts'
import { asRecord } from '../internal/guards.ts'
import { err, ok, type Result } from '../result/index.ts'
import { buildEvent } from './events.ts'
import { buildHttp } from './http.ts'
import { detectHttpShape } from './http-shapes.ts'
import { buildRecords } from './records.ts'
import type { AppRequest, BuildOptions } from './types.ts'

const DEFAULT_MAX_BODY = 6 * 1024 * 1024

/**
 * Builds the typed request of a Lambda event. Never throws: an HTTP event that cannot be read is
 * an error Result (400, 413 or 415), an event of any other source never is (an unrecognised or
 * malformed one is an {@link UnknownRequest} saying why).
 *
 * @example
 * ```ts
 * const result = buildRequest(event, { requestId: context.awsRequestId })
 * if (result.ok && result.value.kind === 's3') console.log(result.value.records[0]?.key)
 * ```
 */
export const buildRequest = (
  event: unknown,
  options: BuildOptions & { requestId?: string | undefined } = {},
): Result<AppRequest, AppError> => {
  const common = {
    receivedAt: (options.clock ?? Date.now)(),
    requestId: options.requestId,
    event,
  }
  const record = asRecord(event)
  if (record === undefined) {
    return ok({ kind: 'unknown', ...common, reason: 'The event is not an object' })
  }
  const shape = detectHttpShape(record)
  if (shape !== undefined) {
    const body = record.body
    const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY
    if (typeof body === 'string' && body.length > limit) {
      return err(new AppError(413, `The body is larger than ${limit} bytes`))
    }
    return buildHttp(record, shape, common, options)
  }
  const records = buildRecords(record, common, options) ?? buildEvent(record, common)
  if (records !== undefined) return ok(records)
  return ok({ kind: 'unknown', ...common, reason: 'No known event source matches the event' })
}
