import type { StandardSchemaV1 } from '@standard-schema/spec'
import { UnprocessableEntityError } from '../errors/index.ts'
import { err, ok, type Result } from '../result/index.ts'

/**
 * The Standard Schema v1 interface (https://standardschema.dev), which zod 4, valibot, arktype and
 * others implement: the types of `@standard-schema/spec` (types only: nothing of it runs).
 */
export type { StandardSchemaV1 }

/**
 * The outcome of a Standard Schema `validate`: the output value, or the issues.
 *
 * @example
 * ```ts
 * const result: StandardResult<Order> = await OrderSchema['~standard'].validate(input)
 * if (result.issues) console.log(result.issues.map((issue) => issue.message))
 * else console.log(result.value.sku)
 * ```
 */
export type StandardResult<Output> = StandardSchemaV1.Result<Output>

/**
 * One validation problem reported by a Standard Schema.
 *
 * @example
 * ```ts
 * const messages = (issues: readonly StandardIssue[]): string[] => issues.map((issue) => issue.message)
 * ```
 */
export type StandardIssue = StandardSchemaV1.Issue

/**
 * The output type of a Standard Schema.
 *
 * @example
 * ```ts
 * const OrderSchema = z.object({ sku: z.string(), quantity: z.number() }) // zod 4
 * type Order = InferOutput<typeof OrderSchema> // { sku: string; quantity: number }
 * ```
 */
export type InferOutput<S extends StandardSchemaV1> = StandardSchemaV1.InferOutput<S>

/**
 * Where an input came from, as named in a 422's issues.
 *
 * @example
 * ```ts
 * const where = (part: InputPart): string => (part === 'params' ? 'the path' : `the ${part}`)
 * ```
 */
export type InputPart = 'body' | 'query' | 'params'

/**
 * One issue of a failed validation, as shown to the client.
 *
 * @example
 * ```ts
 * const issue: ValidationIssue = { in: 'body', path: 'items.0.sku', message: 'Required' }
 * ```
 */
export interface ValidationIssue {
  readonly in: InputPart
  /** Dotted path inside the part (`items.0.sku`), empty for the part itself. */
  readonly path: string
  readonly message: string
}

const pathOf = (issue: StandardIssue): string =>
  (issue.path ?? []).map((step) => String(typeof step === 'object' ? step.key : step)).join('.')

/**
 * Validates the parts that have a schema; a failure is a 422 listing every issue of every part.
 * Parts without a schema keep their value.
 */
export const validateParts = async (
  schemas: Partial<Record<InputPart, StandardSchemaV1>>,
  values: Record<InputPart, unknown>,
): Promise<Result<Record<InputPart, unknown>, UnprocessableEntityError>> => {
  const out = { ...values }
  const issues: ValidationIssue[] = []
  for (const part of ['params', 'query', 'body'] as const) {
    const schema = schemas[part]
    if (schema === undefined) continue
    const result = await schema['~standard'].validate(values[part])
    if (result.issues === undefined) {
      out[part] = result.value
      continue
    }
    for (const issue of result.issues) {
      issues.push({ in: part, path: pathOf(issue), message: issue.message })
    }
    // Standard Schema: any `issues`, even an empty list, is a failure, never a pass of the raw input.
    if (result.issues.length === 0) issues.push({ in: part, path: '', message: 'Invalid value' })
  }
  if (issues.length === 0) return ok(out)
  return err(
    new UnprocessableEntityError('The request did not pass validation', {
      code: 'VALIDATION_FAILED',
      details: { issues },
    }),
  )
}
