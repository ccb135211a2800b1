/**
 * `metis-app/circuit`: a circuit breaker for any async call, whose state many Lambda instances
 * can share.
 *
 * - {@link circuitBreaker} creates a breaker: `execute(fn)` calls `fn(signal)` and answers a
 *   `Result`. Closed, the call goes through; after `failureThreshold` failures (3) within `windowMs`
 *   (5 min) the circuit opens and answers `CircuitOpenError` (503, not retryable) at once for
 *   `standDownMs` (5 min); then one elected prober at a time (a lease that expires) tries the call:
 *   its success closes the circuit, its failure opens it again.
 * - What counts as a failure: timeouts, thrown errors other than 4xx answers, and error Results
 *   that are retryable (5xx, 408, 429, network). Retries (2 by default) use exponential backoff
 *   with full jitter and never run past the caller's deadline; each attempt may have a timeout
 *   through its `AbortSignal`.
 * - Stores: {@link memoryCircuitStore} (per container, the default) and
 *   {@link dynamoDbCircuitStore} (shared by every instance; failures counted by atomic adds
 *   that never conflict, state changes by conditional writes on a version, a 1 s read cache, an
 *   expiry attribute). A failing store never fails the call: the breaker warns and uses its local
 *   state.
 * - {@link kyWithBreaker} puts any `ky` instance behind a breaker; {@link breakerFetch} does the
 *   same for `fetch`.
 *
 * State mapping from the seed: `closed` and `open` are ours; the seed's `half_open` (stand-down
 * over, a probe may go) is our `open` past `openedAt + standDown`; its `half_closed` (a probe is in
 * flight) is our `half-open`, with the elected `prober` and its lease in the snapshot.
 *
 * @example
 * ```ts
 * import ky from 'ky'
 * import { circuitBreaker, CircuitOpenError, kyWithBreaker } from 'metis-app/circuit'
 *
 * const breaker = circuitBreaker({ name: 'inventory', timeout: 2_000, logger, metrics })
 * const inventory = kyWithBreaker(ky.create({ prefix: 'https://inventory.internal', retry: 0 }), breaker)
 *
 * // or any async call:
 * const result = await breaker.execute((signal) => loadStock(sku, { signal }), {
 *   remainingTime: () => context.getRemainingTimeInMillis() - 200,
 * })
 * if (!result.ok && result.error instanceof CircuitOpenError) return cachedStock(sku)
 * ```
 * @module
 */

export type { DynamoDbClient } from '../internal/dynamodb-client.ts'
export type { Logger } from '../internal/logger.ts'
export type { Protected } from './attempt.ts'
export { type CircuitBreaker, circuitBreaker } from './breaker.ts'
export { defaultIsFailure, type FailureKind, isRetryable } from './classify.ts'
export {
  type DynamoDbCircuitStore,
  type DynamoDbCircuitStoreOptions,
  dynamoDbCircuitStore,
} from './dynamodb.ts'
export {
  type CircuitError,
  CircuitOpenError,
  type CircuitStateName,
  CircuitStoreError,
  CircuitTimeoutError,
  UpstreamResponseError,
} from './errors.ts'
export { type BreakerFetchOptions, breakerFetch, kyWithBreaker } from './ky.ts'
export type {
  CircuitBreakerOptions,
  CircuitMetrics,
  CircuitObserver,
  CircuitStateChange,
  ExecuteOptions,
  RetryOptions,
} from './options.ts'
export {
  type CircuitChange,
  type CircuitFields,
  type CircuitSnapshot,
  type CircuitStore,
  type CircuitUpdate,
  type FailureRule,
  type MaybePromise,
  type MemoryCircuitStore,
  memoryCircuitStore,
} from './store.ts'
export type { Schedule, Sleep } from './time.ts'
