/**
 * JSON Schemas from a route's validators: through Standard JSON Schema (`~standard.jsonSchema`,
 * zod 4.2+, valibot, arktype), else a `toJSONSchema()` method on the schema (zod 4), else an open
 * schema with a note. A schema's `$defs` move to `components.schemas`, so that its `$ref`s
 * resolve inside the document.
 */
import { isRecord } from '../internal/guards.ts'
import type { StandardSchemaV1 } from '../router/validate.ts'
import type { JsonSchema } from './types.ts'

/** Which side of a validator: what it accepts (`input`, requests) or what it returns (`output`). */
export type Side = 'input' | 'output'

/** The note of a schema that a validator could not describe. */
const OPEN_NOTE = 'The validator cannot describe itself as JSON Schema: any value is shown'

type Converter = (options: { readonly target: string }) => unknown

/** A JSON Schema, and whether the validator described itself. */
type Described = { schema: JsonSchema; described: boolean }

const isStandard = (value: unknown): value is StandardSchemaV1 =>
  (typeof value === 'object' || typeof value === 'function') &&
  value !== null &&
  isRecord((value as Record<string, unknown>)['~standard'])

/** The validator's own JSON Schema, or undefined when it cannot say (or throws trying). */
const converted = (schema: StandardSchemaV1, side: Side): unknown => {
  const props = schema['~standard'] as { jsonSchema?: Partial<Record<Side, Converter>> }
  const standard = props.jsonSchema?.[side]
  try {
    if (typeof standard === 'function') return standard({ target: 'draft-2020-12' })
    const method = (schema as { toJSONSchema?: (options: object) => unknown }).toJSONSchema
    if (typeof method === 'function') {
      return method.call(schema, { target: 'draft-2020-12', io: side, unrepresentable: 'any' })
    }
  } catch {
    // A validator that cannot convert (a transform, a custom check) throws: it gets a note.
  }
  return undefined
}

/** The schemas a document gathers in `components.schemas`. */
export class SchemaStore {
  readonly schemas: Record<string, JsonSchema> = Object.create(null) as Record<string, JsonSchema>
  /** Each validator (or schema object) converted once per side: its `$defs` are hoisted once. */
  readonly #seen = new WeakMap<object, Partial<Record<Side, Described>>>()

  /** Adds a named schema under a free name (the name, then `Name2`, `Name3`...). */
  add(name: string, schema: JsonSchema): string {
    let free = name
    for (let n = 2; free in this.schemas; n += 1) free = `${name}${n}`
    this.schemas[free] = schema
    return free
  }

  /**
   * The JSON Schema of a validator or a JSON Schema object, and whether it is described; an
   * undescribed one is `{}` with a description and `x-metis-note`.
   */
  of(schema: StandardSchemaV1 | JsonSchema, side: Side): Described {
    const sides = this.#seen.get(schema) ?? {}
    this.#seen.set(schema, sides)
    sides[side] ??= this.#describe(schema, side)
    return sides[side]
  }

  #describe(schema: StandardSchemaV1 | JsonSchema, side: Side): Described {
    const json = isStandard(schema) ? converted(schema, side) : schema
    if (!isRecord(json)) {
      const vendor = isStandard(schema) ? schema['~standard'].vendor : 'unknown'
      return {
        schema: { description: `${OPEN_NOTE} (${vendor})`, 'x-metis-note': OPEN_NOTE },
        described: false,
      }
    }
    return { schema: this.#hoist(json), described: true }
  }

  /** Moves `$defs` into the store and points the `$ref`s there; drops `$schema`. */
  #hoist(json: Record<string, unknown>): JsonSchema {
    const { $schema: _dialect, $defs, ...rest } = json
    if (!isRecord($defs)) return rest
    const renamed = new Map<string, string>()
    for (const name of Object.keys($defs)) renamed.set(name, this.add(name, {}))
    const rewrite = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rewrite)
      if (!isRecord(value)) return value
      const out: Record<string, unknown> = {}
      for (const [key, inner] of Object.entries(value)) {
        const local =
          key === '$ref' && typeof inner === 'string' ? /^#\/\$defs\/(.+)$/.exec(inner) : null
        const target =
          local?.[1] === undefined ? undefined : renamed.get(decodeURIComponent(local[1]))
        out[key] = target === undefined ? rewrite(inner) : `#/components/schemas/${target}`
      }
      return out
    }
    for (const [name, def] of Object.entries($defs)) {
      this.schemas[renamed.get(name) as string] = rewrite(def) as JsonSchema
    }
    return rewrite(rest) as JsonSchema
  }
}

/** The properties and required names of an object schema (empty for any other schema). */
export const objectShape = (
  schema: JsonSchema,
): { properties: Readonly<Record<string, JsonSchema>>; required: ReadonlySet<string> } => {
  const properties = isRecord(schema.properties)
    ? (schema.properties as Record<string, JsonSchema>)
    : {}
  const required = new Set(
    Array.isArray(schema.required) ? schema.required.filter((n) => typeof n === 'string') : [],
  )
  return { properties, required }
}
