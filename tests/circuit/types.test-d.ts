import { type CircuitError, circuitBreaker } from 'metis-app/circuit'
import { NotFoundError } from 'metis-app/errors'
import { err, ok, type Result } from 'metis-app/result'
import { describe, expectTypeOf, it } from 'vitest'

const breaker = circuitBreaker({ name: 'types' })

describe('execute types', () => {
  it('keeps the value and error types of a Result-returning function', async () => {
    const result = await breaker.execute(async (signal) => {
      expectTypeOf(signal).toEqualTypeOf<AbortSignal>()
      return Math.random() > 0.5 ? ok(1) : err(new NotFoundError())
    })
    expectTypeOf(result).toEqualTypeOf<Result<number, NotFoundError | CircuitError | Error>>()
  })

  it('wraps a plain value, with circuit and thrown errors on the error side', async () => {
    const result = await breaker.execute(async () => 'text')
    expectTypeOf(result).toEqualTypeOf<Result<string, CircuitError | Error>>()
    if (!result.ok) expectTypeOf(result.error).toExtend<Error>()
  })
})
