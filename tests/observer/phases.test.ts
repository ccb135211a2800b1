import { describe, expect, it } from 'vitest'
import { andThen, type Phase, runAll, settle, whenSettled } from '../../src/observer/phases.ts'

const recorder = () => {
  const calls: string[] = []
  const sync =
    (name: string): Phase =>
    () => {
      calls.push(name)
    }
  const failing =
    (name: string): Phase =>
    () => {
      calls.push(name)
      throw new Error(name)
    }
  const later =
    (name: string, fail = false): Phase =>
    async () => {
      await Promise.resolve()
      calls.push(name)
      if (fail) throw new Error(name)
    }
  return { calls, sync, failing, later }
}

describe('runAll', () => {
  it('runs synchronous phases synchronously, in order', () => {
    const { calls, sync } = recorder()

    expect(runAll([sync('a'), sync('b')], {})).toBeUndefined()
    expect(calls).toEqual(['a', 'b'])
  })

  it('runs every phase after a failure and rethrows the first failure', () => {
    const { calls, sync, failing } = recorder()

    expect(() => runAll([failing('a'), sync('b'), failing('c')], {})).toThrow('a')
    expect(calls).toEqual(['a', 'b', 'c'])
  })

  it('waits for a phase that returns a promise before running the next', async () => {
    const { calls, sync, later } = recorder()

    const pending = runAll([sync('a'), later('b'), sync('c')], {})

    expect(pending).toBeInstanceOf(Promise)
    expect(calls).toEqual(['a'])
    await pending
    expect(calls).toEqual(['a', 'b', 'c'])
  })

  it('keeps the first failure across synchronous and asynchronous phases', async () => {
    const { calls, sync, failing, later } = recorder()

    await expect(runAll([failing('a'), later('b', true), sync('c')], {})).rejects.toThrow('a')
    await expect(runAll([later('d', true), failing('e')], {})).rejects.toThrow('d')
    expect(calls).toEqual(['a', 'b', 'c', 'd', 'e'])
  })
})

describe('andThen', () => {
  it('runs the next step at once when nothing is pending, else after it settles', async () => {
    const order: string[] = []

    expect(andThen(undefined, () => order.push('now'))).toBeUndefined()
    const pending = andThen(
      Promise.resolve().then(() => {
        order.push('pending')
      }),
      () => order.push('after'),
    )
    expect(order).toEqual(['now'])
    await pending
    expect(order).toEqual(['now', 'pending', 'after'])
  })
})

describe('settle', () => {
  it('answers nothing when every phase went well, synchronously for synchronous phases', () => {
    const { calls, sync } = recorder()
    expect(settle([sync('a'), sync('b')], {})).toBeUndefined()
    expect(calls).toEqual(['a', 'b'])
  })

  it('answers the first failure instead of throwing it, after running every phase', async () => {
    const { calls, sync, failing, later } = recorder()
    const first = settle([failing('a'), sync('b'), failing('c')], {})
    expect((first as { thrown: Error }).thrown.message).toBe('a')
    expect(calls).toEqual(['a', 'b', 'c'])
    expect(await settle([sync('d'), later('e')], {})).toBeUndefined()
    const late = await settle([later('f', true), sync('g')], {})
    expect((late as { thrown: Error }).thrown.message).toBe('f')
    expect(calls).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g'])
  })
})

describe('whenSettled', () => {
  it('hands a value on at once, and a promise once it settles', async () => {
    expect(whenSettled(2, (n) => n * 3)).toBe(6)
    const pending = whenSettled(Promise.resolve(2), (n) => n * 3)
    expect(pending).toBeInstanceOf(Promise)
    expect(await pending).toBe(6)
  })
})
