/**
 * The body of an HTTP event: decoded from base64 when flagged, taken as it is when a body parser
 * stacked before already parsed it, and parsed as JSON when its media type is JSON (or refused
 * with a 415 when the builder requires JSON).
 */

import { BadRequestError, UnsupportedMediaTypeError } from '../errors/index.ts'
import { err, ok, type Result } from '../result/index.ts'
import type { BuildOptions } from './types.ts'

/** `application/json`, `application/ld+json`, `application/problem+json`, ... */
export const isJsonMediaType = (mediaType: string): boolean =>
  mediaType === 'application/json' ||
  (mediaType.startsWith('application/') && mediaType.endsWith('+json'))

interface DecodedBody {
  body: string | undefined
  bodyBytes: Uint8Array | undefined
  /** The body's value when the event arrived with it already parsed. */
  parsed?: { value: unknown }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Decodes the body from base64 when flagged; a malformed base64 body is a 400. */
export const decodeBody = (
  raw: unknown,
  isBase64: boolean,
): Result<DecodedBody, BadRequestError> => {
  if (raw === null || raw === undefined || raw === '') {
    return ok({ body: undefined, bodyBytes: undefined })
  }
  if (typeof raw === 'object' || typeof raw === 'number' || typeof raw === 'boolean') {
    // Already parsed by a JSON body parser stacked before (`@middy/http-json-body-parser`).
    return ok({ body: JSON.stringify(raw), bodyBytes: undefined, parsed: { value: raw } })
  }
  if (typeof raw !== 'string') return err(new BadRequestError('The event body is not a string'))
  if (!isBase64) return ok({ body: raw, bodyBytes: undefined })
  const compact = raw.replace(/\s+/g, '')
  if (compact.length % 4 === 1 || !BASE64.test(compact)) {
    return err(new BadRequestError('The body is flagged base64 but is not valid base64'))
  }
  const bytes = Buffer.from(compact, 'base64')
  return ok({ body: bytes.toString('utf8'), bodyBytes: new Uint8Array(bytes) })
}

/** The media type of a content-type header, lower-cased and without parameters. */
export const mediaTypeOf = (contentType: string | undefined): string | undefined => {
  if (contentType === undefined) return undefined
  const semi = contentType.indexOf(';')
  const type = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase()
  return type === '' ? undefined : type
}

export const parseJsonBody = (
  body: string | undefined,
  mediaType: string | undefined,
  mode: NonNullable<BuildOptions['jsonBody']>,
): Result<unknown, BadRequestError | UnsupportedMediaTypeError> => {
  if (body === undefined || mode === 'off') return ok(undefined)
  const isJson = mediaType !== undefined && isJsonMediaType(mediaType)
  if (!isJson) {
    if (mode === 'required') {
      return err(
        new UnsupportedMediaTypeError(
          `Expected a JSON body (application/json), got ${mediaType ?? 'no content type'}`,
        ),
      )
    }
    return ok(undefined)
  }
  try {
    return ok(JSON.parse(body))
  } catch (cause) {
    return err(new BadRequestError('The body is not valid JSON', { cause }))
  }
}
