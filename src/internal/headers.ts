/**
 * How the PIP reads one header of a built HTTP request without building the request's whole
 * header view: the request builder's requests answer `request[HEADER](name)` with what
 * `request.headers[name]` would hold. No dependencies, so that the auth part loads nothing of the
 * request part.
 */

/** The key of a built HTTP request's one-header reader. */
export const HEADER: unique symbol = Symbol.for('metis-app/request.header')

/** A request that can read one header by lower-case name. */
export interface HeaderReader {
  [HEADER](name: string): string | undefined
}

/** True when `request` can read one header without building its header view. */
export const readsHeaders = (request: object): request is HeaderReader =>
  typeof (request as Partial<HeaderReader>)[HEADER] === 'function'
