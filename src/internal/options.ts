/**
 * The checks every factory runs on its options at creation, so that a missing or bad option fails
 * when the function starts (an init error in Lambda), with a message that names the factory and
 * the option: `selfToken: tokenEndpoint must be an http(s) URL`. Internal to metis-app.
 */

/** A TypeError saying what is wrong with one option of one factory. */
export const optionError = (factory: string, message: string): TypeError =>
  new TypeError(`${factory}: ${message}`)

/** `value` when it is a non-empty string. */
export const textOption = (factory: string, name: string, value: unknown): string => {
  if (typeof value !== 'string' || value.trim() === '') {
    throw optionError(factory, `${name} must be a non-empty string`)
  }
  return value
}

/** `value` when it is an absolute http or https URL. */
export const urlOption = (factory: string, name: string, value: unknown): string => {
  const text = textOption(factory, name, value)
  const url = URL.parse(text)
  if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw optionError(factory, `${name} must be an http(s) URL`)
  }
  return text
}

/** `value`, or `fallback` when it is undefined, when it is a finite number of at least `min`. */
export const numberOption = (
  factory: string,
  name: string,
  value: unknown,
  fallback: number,
  { min = 0, integer = false }: { min?: number; integer?: boolean } = {},
): number => {
  if (value === undefined) return fallback
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    (integer && !Number.isInteger(value))
  ) {
    throw optionError(factory, `${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}`)
  }
  return value
}

/** `value`, or `fallback` when it is undefined, when it is one of `choices`. */
export const choiceOption = <T extends string>(
  factory: string,
  name: string,
  value: unknown,
  choices: readonly T[],
  fallback: T,
): T => {
  if (value === undefined) return fallback
  if (!choices.includes(value as T)) {
    throw optionError(factory, `${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}`)
  }
  return value as T
}

/** `value`, or `fallback` when it is undefined, when it is a boolean. */
export const booleanOption = (
  factory: string,
  name: string,
  value: unknown,
  fallback: boolean,
): boolean => {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw optionError(factory, `${name} must be a boolean`)
  return value
}

/** `value` when it is a positive finite number (an integer, when asked). */
export const positiveOption = (
  factory: string,
  name: string,
  value: number,
  integer = false,
): number => {
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw optionError(factory, `${name} must be a positive ${integer ? 'integer' : 'number'}`)
  }
  return value
}

/** Throws unless `value` is a function (or undefined, when `optional`). */
export const functionOption = (
  factory: string,
  name: string,
  value: unknown,
  optional = true,
): void => {
  if (value === undefined && optional) return
  if (typeof value !== 'function') throw optionError(factory, `${name} must be a function`)
}
