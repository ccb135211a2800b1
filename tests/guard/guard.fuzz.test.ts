import fc from 'fast-check'
import { allOf, anyOf, type Check } from 'metis-app/guard'
import { err, ok } from 'metis-app/result'
import { describe, expect, it } from 'vitest'
import { lambdaContext } from '../support/events.ts'

/** A check that passes or fails, in one of the forms a check may take. */
const check = fc
  .tuple(fc.boolean(), fc.constantFrom('boolean', 'result', 'promise', 'throw'))
  .map(([passes, form]): [boolean, Check] => {
    switch (form) {
      case 'boolean':
        return [passes, () => passes]
      case 'result':
        return [passes, () => (passes ? ok(1) : err('no'))]
      case 'promise':
        return [passes, async () => passes]
      default:
        return [
          passes,
          () => {
            if (passes) return true
            throw new Error('no')
          },
        ]
    }
  })

const passes = async (composed: Check): Promise<boolean> => {
  const outcome = await composed({}, lambdaContext() as never)
  return outcome === true || (typeof outcome === 'object' && outcome.ok)
}

describe('allOf and anyOf (property)', () => {
  it('agree with every and some over the checks, whatever form each check takes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(check, { maxLength: 6 }), async (checks) => {
        const expected = checks.map(([pass]) => pass)
        const fns = checks.map(([, fn]) => fn)
        expect(await passes(allOf(...fns))).toBe(expected.every(Boolean))
        expect(await passes(anyOf(...fns))).toBe(expected.some(Boolean))
      }),
    )
  })
})
