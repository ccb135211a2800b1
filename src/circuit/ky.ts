/**
 * Puts a `ky` instance (or plain `fetch`) behind a circuit breaker. Only `ky`'s types are
 * imported: the integration works through the instance's own `extend` and `fetch` option.
 * @module
 */
import type { KyInstance } from 'ky'
import { err, ok } from '../result/index.ts'
import type { CircuitBreaker } from './breaker.ts'
import { isRetryableStatus } from './classify.ts'
import { UpstreamResponseError } from './errors.ts'

/**
 * Options of {@link breakerFetch} and {@link kyWithBreaker}.
 *
 * @example
 * ```ts
 * const options: BreakerFetchOptions = { isFailureStatus: (status) => status >= 500 }
 * const guardedFetch = breakerFetch(breaker, options)
 * ```
 */
export interface BreakerFetchOptions {
  /** The fetch to protect. Default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch
  /** Which response statuses count as failures. Default 5xx, 408 and 429. */
  isFailureStatus?: (status: number) => boolean
}

/**
 * A `fetch` whose every call goes through `breaker`. Responses with a failing status (5xx, 408,
 * 429) count as failures but are still returned as they are, so callers see the real response;
 * an open circuit rejects with `CircuitOpenError`, a timeout with `CircuitTimeoutError`, and a
 * network error with itself. With the breaker's retry on, each attempt sends a fresh clone of the
 * request.
 *
 * @example
 * ```ts
 * const guardedFetch = breakerFetch(breaker)
 * const response = await guardedFetch('https://api.example.com/orders')
 * ```
 */
export const breakerFetch = (
  breaker: CircuitBreaker,
  options: BreakerFetchOptions = {},
): typeof globalThis.fetch => {
  const isFailureStatus = options.isFailureStatus ?? isRetryableStatus
  return async (input, init) => {
    const base = options.fetch ?? globalThis.fetch
    let previous: Response | undefined
    const result = await breaker.execute(async (signal) => {
      // An attempt that is retried will not be read: free its connection.
      await previous?.body?.cancel()
      const request = input instanceof Request ? input.clone() : input
      const own = init?.signal ?? (input instanceof Request ? input.signal : undefined)
      const response = await base(request, {
        ...init,
        signal: own ? AbortSignal.any([own, signal]) : signal,
      })
      previous = response
      if (!isFailureStatus(response.status)) return ok(response)
      return err(new UpstreamResponseError(response, isRetryableStatus(response.status)))
    })
    if (result.ok) return result.value
    if (result.error instanceof UpstreamResponseError) return result.error.response
    throw result.error
  }
}

/**
 * A copy of a `ky` instance whose requests go through `breaker`, in one line. `ky` still raises
 * its `HTTPError` for failing statuses (the breaker counts them), and its own retry still applies;
 * an open circuit makes the request reject with `CircuitOpenError`, which `ky` does not retry.
 * Let one of the two retry: turn off either `ky`'s `retry` or the breaker's.
 *
 * @example
 * ```ts
 * import ky from 'ky'
 * import { circuitBreaker, kyWithBreaker } from 'metis-app/circuit'
 *
 * const api = kyWithBreaker(ky.create({ prefix: 'https://api.example.com', retry: 0 }), circuitBreaker({ name: 'api' }))
 * const orders = await api.get('orders').json()
 * ```
 */
export const kyWithBreaker = (
  instance: KyInstance,
  breaker: CircuitBreaker,
  options: BreakerFetchOptions = {},
): KyInstance => instance.extend({ fetch: breakerFetch(breaker, options) })
