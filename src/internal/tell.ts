/**
 * Logging and counting that cannot break what they report on. Internal.
 */

/**
 * Runs a log or metrics write and drops what it throws: a user's logger or metrics sink that
 * fails must change neither a call's outcome nor the state being reported (a write that lands
 * late, after the caller's deadline, has no caller left to take the error).
 */
export const tell = (write: () => void): void => {
  try {
    write()
  } catch {
    // dropped: there is nowhere safe left to report it
  }
}
