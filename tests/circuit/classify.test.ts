import {
  CircuitOpenError,
  CircuitTimeoutError,
  defaultIsFailure,
  isRetryable,
} from 'metis-app/circuit'
import { AppError, NotFoundError, ServiceUnavailableError } from 'metis-app/errors'
import { describe, expect, it, vi } from 'vitest'
import { isNetworkError, statusOf } from '../../src/circuit/classify.ts'
import { sleep } from '../../src/circuit/time.ts'

const withCode = (code: string) => Object.assign(new Error(code), { code })

describe('statusOf', () => {
  it('reads statusCode, status, or response.status, and nothing else', () => {
    expect(statusOf(new NotFoundError())).toBe(404)
    expect(statusOf({ status: 502 })).toBe(502)
    expect(statusOf({ response: { status: 429 } })).toBe(429)
    expect(statusOf({ status: '500' })).toBeUndefined()
    expect(statusOf('500')).toBeUndefined()
    expect(statusOf(null)).toBeUndefined()
  })
})

describe('isNetworkError', () => {
  it('knows connection failures by code, name and undici’s "fetch failed", also in the cause', () => {
    expect(isNetworkError(withCode('ECONNREFUSED'))).toBe(true)
    expect(
      isNetworkError(new TypeError('fetch failed', { cause: withCode('UND_ERR_SOCKET') })),
    ).toBe(true)
    expect(isNetworkError(Object.assign(new Error('x'), { name: 'AbortError' }))).toBe(true)
    expect(isNetworkError(new Error('wrapped', { cause: { name: 'NetworkError' } }))).toBe(true)
    expect(isNetworkError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(
      false,
    )
    expect(isNetworkError(withCode('ERR_INVALID_ARG_TYPE'))).toBe(false)
  })
})

describe('isRetryable', () => {
  it('trusts a declared retryable flag before the status', () => {
    expect(isRetryable(new CircuitOpenError('c', 'open', 1_000))).toBe(false)
    expect(isRetryable(new CircuitTimeoutError('c', 100))).toBe(true)
  })

  it('retries 5xx, 408 and 429 but not other 4xx', () => {
    expect(isRetryable(new ServiceUnavailableError())).toBe(true)
    expect(isRetryable(new AppError(408))).toBe(true)
    expect(isRetryable(new AppError(429))).toBe(true)
    expect(isRetryable(new NotFoundError())).toBe(false)
  })

  it('retries network errors and nothing else without a status', () => {
    expect(isRetryable(withCode('ETIMEDOUT'))).toBe(true)
    expect(isRetryable(new Error('bug'))).toBe(false)
  })
})

describe('defaultIsFailure', () => {
  it('counts timeouts, thrown errors other than 4xx answers, and retryable error Results', () => {
    expect(defaultIsFailure(new Error('x'), 'timeout')).toBe(true)
    expect(defaultIsFailure(new Error('bug'), 'thrown')).toBe(true)
    expect(defaultIsFailure(new AppError(429), 'thrown')).toBe(true)
    expect(defaultIsFailure(new NotFoundError(), 'thrown')).toBe(false)
    expect(defaultIsFailure(new ServiceUnavailableError(), 'result')).toBe(true)
    expect(defaultIsFailure(new Error('a domain error'), 'result')).toBe(false)
  })
})

describe('the default sleep', () => {
  it('returns at once for a signal that already aborted, and early when it aborts', async () => {
    vi.useFakeTimers()
    try {
      await sleep(60_000, AbortSignal.abort())
      expect(vi.getTimerCount()).toBe(0)
      const controller = new AbortController()
      const waiting = sleep(60_000, controller.signal)
      expect(vi.getTimerCount()).toBe(1)
      controller.abort()
      await waiting
      // the timer is cleared, not left to fire a minute later
      expect(vi.getTimerCount()).toBe(0)
      let slept = false
      const short = sleep(10).then(() => {
        slept = true
      })
      await vi.advanceTimersByTimeAsync(9)
      expect(slept).toBe(false)
      await vi.advanceTimersByTimeAsync(1)
      await short
      expect(slept).toBe(true)
    } finally {
      vi.useRealTimers()
    }
  })
})
