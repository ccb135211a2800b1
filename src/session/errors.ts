/** The error of `metis-app/session`: a session too large for its cookie. */

import { AppError } from '../errors/index.ts'

/**
 * 500: the session given to `set` encodes to a cookie (`name=value`) over the 4096 bytes browsers
 * keep, so it would be dropped without a word. Thrown at write time; the message names the cookie
 * and its size, never its content. Keep less in the session (an id, and the rest in a store).
 *
 * @example
 * ```ts
 * try {
 *   await cart.set(hugeCart)
 * } catch (error) {
 *   if (error instanceof SessionTooLargeError) console.log(error.cookieName, error.bytes) // 'cart' 5210
 * }
 * ```
 */
export class SessionTooLargeError extends AppError {
  /** The name of the session cookie. */
  readonly cookieName: string
  /** The size of the encoded cookie, `name=value`, in bytes. */
  readonly bytes: number
  /** The largest cookie browsers keep: 4096 bytes. */
  readonly limit: number

  constructor(cookieName: string, bytes: number, limit: number) {
    super(
      500,
      `The session cookie '${cookieName}' would be ${bytes} bytes, over the ${limit} bytes browsers keep`,
      { code: 'SESSION_TOO_LARGE', expose: false },
    )
    this.cookieName = cookieName
    this.bytes = bytes
    this.limit = limit
  }
}
