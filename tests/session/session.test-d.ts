import { describe, expectTypeOf, it } from 'vitest'
import type { AppRequest } from '../../src/request/index.ts'
import type { CookieInit } from '../../src/response/index.ts'
import {
  type SessionCookie,
  type SessionCookieOptions,
  session,
  sessionCookie,
} from '../../src/session/index.ts'

interface Cart {
  items: string[]
  coupon?: string
}
const isCart = (data: unknown): data is Cart =>
  Array.isArray((data as { items?: unknown } | null)?.items)
declare const request: AppRequest

describe('session types', () => {
  it('reads a plain record by default, never any', () => {
    const cookie = sessionCookie()
    expectTypeOf(cookie).toEqualTypeOf<SessionCookie<Record<string, unknown>>>()
    expectTypeOf(cookie.read(request)).toEqualTypeOf<Promise<Record<string, unknown> | undefined>>()
    expectTypeOf(cookie.read(request)).not.toBeAny()
  })

  it('takes the session type from an interface, or from the validate guard', () => {
    expectTypeOf(sessionCookie<Cart>().read(request)).resolves.toEqualTypeOf<Cart | undefined>()
    const guarded = sessionCookie({ validate: isCart })
    expectTypeOf(guarded).toEqualTypeOf<SessionCookie<Cart>>()
    expectTypeOf(session(request, guarded)).toEqualTypeOf<Promise<Cart | undefined>>()
    expectTypeOf(session<Cart>(request, { name: 'cart' })).toEqualTypeOf<
      Promise<Cart | undefined>
    >()
  })

  it('sets only data of the session type, and gives cookies for a reply', () => {
    const cart = sessionCookie<Cart>()
    expectTypeOf(cart.set).parameter(0).toEqualTypeOf<Cart>()
    expectTypeOf(cart.set({ items: [] })).toEqualTypeOf<Promise<CookieInit>>()
    expectTypeOf(cart.clear()).toEqualTypeOf<CookieInit>()
    // @ts-expect-error: not a Cart
    void cart.set({ items: 'a' })
  })

  it('takes a key as text, bytes, or a function of either, sync or async', () => {
    expectTypeOf<{ signingKey: string }>().toExtend<SessionCookieOptions>()
    expectTypeOf<{ signingKey: Uint8Array }>().toExtend<SessionCookieOptions>()
    expectTypeOf<{ signingKey: () => Promise<string> }>().toExtend<SessionCookieOptions>()
    expectTypeOf<{ signingKey: () => number }>().not.toExtend<SessionCookieOptions>()
    expectTypeOf<{ sameSite: 'lax' }>().not.toExtend<SessionCookieOptions>()
  })
})
