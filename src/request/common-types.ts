/**
 * The base every request type extends, kept in a file of its own so that the per-source type
 * files and the union in `types.ts` import it without importing one another.
 */

/**
 * What every built request has.
 *
 * @example
 * ```ts
 * const ageMs = (request: RequestCommon): number => Date.now() - request.receivedAt
 * ```
 */
export interface RequestCommon {
  /** When the request was built, in epoch milliseconds (from the injected clock). */
  readonly receivedAt: number
  /** The Lambda request id (`context.awsRequestId`), when a context was given. */
  readonly requestId: string | undefined
  /** The original event, untouched. */
  readonly event: unknown
}
