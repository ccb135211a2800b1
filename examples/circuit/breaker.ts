// metis-app/circuit alone: a flaky dependency behind a circuit breaker.
import { circuitBreaker } from 'metis-app/circuit'

/** Calls `dependency` through a breaker that opens after 2 failures and stands down 30 s. */
export const protect = <T>(dependency: () => Promise<T>, clock: () => number = Date.now) => {
  const breaker = circuitBreaker({
    name: 'flaky',
    failureThreshold: 2,
    standDownMs: 30_000,
    retry: false,
    clock,
  })
  return () => breaker.execute(() => dependency())
}
