/**
 * The OpenAPI 3.1 document of a routing table: a path item per template shape, an operation per
 * method as the router answers it, parameters and bodies from the validators, security from the
 * checks, problem responses from what the router and the checks can answer.
 */
import type { RouteOptions, RouteResponse, RouteValidation } from '../router/types.ts'
import { type Requirement, requirementsOf } from './checks.ts'
import { PROBLEM_RESPONSES, PROBLEM_SCHEMAS, problem, problemResponse, reason } from './problems.ts'
import { objectShape, SchemaStore } from './schemas.ts'
import type {
  DocumentedRoute,
  JsonSchema,
  MediaType,
  OpenApiDocument,
  OpenApiOptions,
  OpenApiSource,
  Operation,
  OperationMethod,
  Parameter,
  PathItem,
  Reference,
  RequestBody,
  Response,
  SecurityScheme,
} from './types.ts'

type Options = RouteOptions<RouteValidation, never>

/** The methods of an OpenAPI 3.1 path item, in the order the API page lists them. */
const METHODS: readonly OperationMethod[] = [
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
  'trace',
]

const PARAM = /^\{([A-Za-z_][A-Za-z0-9_-]*)(\+?)\}$/

/** One segment of a declared template. */
type Segment = { kind: 'static'; value: string } | { kind: 'param' | 'proxy'; name: string }

const segmentsOf = (template: string): Segment[] =>
  template
    .split('/')
    .filter((part) => part !== '')
    .map((part) => {
      const param = PARAM.exec(part)
      if (param === null) return { kind: 'static', value: part }
      return { kind: param[2] === '+' ? 'proxy' : 'param', name: param[1] as string }
    })

/** A declared route with what the document needs of its template. */
interface Declared {
  readonly route: DocumentedRoute
  readonly method: string
  readonly options: Options
  readonly names: readonly string[]
  readonly proxy: boolean
}

/** The routes of one OpenAPI path: templates that differ only in their parameters' names. */
interface Slot {
  /** The OpenAPI path: the first template, `{name+}` written `{name}`. */
  readonly path: string
  /** The parameter names of the OpenAPI path, in order. */
  readonly names: readonly string[]
  /** The declared routes by method (upper-case), the one the router prefers first. */
  readonly byMethod: Map<string, Declared[]>
}

const slotsOf = (routes: readonly DocumentedRoute[]): Slot[] => {
  const slots = new Map<string, Slot>()
  for (const route of routes) {
    const segments = segmentsOf(route.path)
    const shape = segments.map((s) => (s.kind === 'static' ? `/${s.value}` : '/{}')).join('')
    const names = segments.flatMap((s) => (s.kind === 'static' ? [] : [s.name]))
    const proxy = segments.at(-1)?.kind === 'proxy'
    let slot = slots.get(shape)
    if (slot === undefined) {
      const path = `/${segments.map((s) => (s.kind === 'static' ? s.value : `{${s.name}}`)).join('/')}`
      slot = { path, names, byMethod: new Map() }
      slots.set(shape, slot)
    }
    const method = route.method.toUpperCase()
    const declared: Declared = { route, method, options: route.options ?? {}, names, proxy }
    const list = slot.byMethod.get(method) ?? []
    list.push(declared)
    slot.byMethod.set(method, list)
  }
  // `{name}` beats `{name+}` in the router: the single-segment route is listed first.
  for (const slot of slots.values()) {
    for (const list of slot.byMethod.values())
      list.sort((a, b) => Number(a.proxy) - Number(b.proxy))
  }
  return [...slots.values()]
}

/** The route that answers `method` on a slot, as the router picks: exact, GET for HEAD, ANY. */
const answering = (
  slot: Slot,
  method: string,
): { routes: Declared[]; via?: string } | undefined => {
  const exact = slot.byMethod.get(method)
  if (exact !== undefined) return { routes: exact }
  const get = method === 'HEAD' ? slot.byMethod.get('GET') : undefined
  if (get !== undefined) return { routes: get, via: 'GET' }
  const any = slot.byMethod.get('ANY')
  return any === undefined ? undefined : { routes: any, via: 'ANY' }
}

const pascal = (text: string): string =>
  text
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => `${word[0]?.toUpperCase() ?? ''}${word.slice(1)}`)
    .join('')

const defaultOperationId = (method: string, path: string): string => {
  const words = segmentsOf(path).map((s) =>
    s.kind === 'static' ? pascal(s.value) : `By${pascal(s.name)}`,
  )
  return `${method}${words.join('') || 'Root'}`
}

/** Builds one document; holds the schemas and names it gathers on the way. */
class Writer {
  readonly store = new SchemaStore()
  readonly #ids = new Set<string>()
  readonly #scopes = new Set<string>()
  #bearer = false
  readonly #options: OpenApiOptions

  constructor(options: OpenApiOptions) {
    this.#options = options
  }

  /** A unique operation id: the wanted one, else with a number. */
  #id(wanted: string): string {
    let id = wanted
    for (let n = 2; this.#ids.has(id); n += 1) id = `${wanted}${n}`
    this.#ids.add(id)
    return id
  }

  pathItem(slot: Slot): PathItem {
    const item: Record<string, Operation> = {}
    for (const method of METHODS) {
      const found = answering(slot, method.toUpperCase())
      if (found === undefined) continue
      item[method] = this.#operation(slot, method, found.routes, found.via)
    }
    return item
  }

  #operation(slot: Slot, method: OperationMethod, routes: Declared[], via?: string): Operation {
    const declared = routes[0] as Declared
    const { options } = declared
    const head = method === 'head' && via === 'GET'
    const base = options.operationId
    const id = this.#id(
      base === undefined
        ? defaultOperationId(method, slot.path)
        : via === undefined
          ? base
          : `${base}${pascal(method)}`,
    )
    const notes: string[] = []
    if (options.description !== undefined) notes.push(options.description)
    if (head) notes.push('Answered by the GET route, without a body.')
    if (via === 'ANY') notes.push(`Answered by the route declared for ANY method.`)
    for (const other of this.#greedy(slot, declared)) {
      notes.push(`Paths of more segments are answered by ${other.method} ${other.route.path}.`)
    }
    const checks = options.policies ?? []
    const { alternatives, undescribed } = requirementsOf(checks)
    const operation: Record<string, unknown> = { operationId: id }
    if (options.summary !== undefined) operation.summary = options.summary
    if (notes.length > 0) operation.description = notes.join('\n\n')
    if (options.tags !== undefined) operation.tags = [...options.tags]
    if (options.deprecated === true) operation.deprecated = true
    const parameters = [...this.#pathParameters(slot, declared), ...this.#query(declared)]
    if (parameters.length > 0) operation.parameters = parameters
    const body = method === 'get' || method === 'head' ? undefined : this.#body(declared)
    if (body !== undefined) operation.requestBody = body
    operation.responses = this.#responses(declared, method, alternatives, body !== undefined)
    const security = this.#security(alternatives)
    if (security !== undefined) operation.security = security
    if (via !== undefined) operation['x-metis-method'] = via
    if (checks.length > 0) operation['x-metis-checks'] = checks.map((check) => check.name)
    if (undescribed.length > 0) operation['x-metis-undescribed-checks'] = undescribed
    const activities = alternatives.map((alternative) => [...alternative.activities])
    if (activities.some((list) => list.length > 0)) {
      operation['x-metis-activities'] =
        activities.length === 1 ? activities[0] : { anyOf: activities }
    }
    return operation as unknown as Operation
  }

  /** The `{name+}` routes of the slot that answer what a `{name}` route cannot (more segments). */
  #greedy(slot: Slot, declared: Declared): Declared[] {
    if (declared.proxy) return []
    const methods = [declared.method, 'ANY']
    return methods.flatMap((m) => slot.byMethod.get(m) ?? []).filter((other) => other.proxy)
  }

  /** The path parameters, by the slot's names; schemas from `validate.params` when it says. */
  #pathParameters(slot: Slot, declared: Declared): Parameter[] {
    const validator = declared.options.validate?.params
    const shape =
      validator === undefined ? undefined : objectShape(this.store.of(validator, 'input').schema)
    const example = declared.options.example?.params
    return slot.names.map((name, index) => {
      const own = declared.names[index] ?? name
      const greedy = declared.proxy && index === slot.names.length - 1
      const parameter: Record<string, unknown> = {
        name,
        in: 'path',
        required: true,
        schema: shape?.properties[own] ?? { type: 'string', minLength: 1 },
      }
      if (greedy) {
        parameter.description = `{${name}+}: one or more path segments; a / inside the value is sent as %2F`
      }
      const value = example?.[own]
      if (value !== undefined) parameter.example = value
      return parameter as unknown as Parameter
    })
  }

  /** The query parameters `validate.query` describes (each value is a string: the last one sent). */
  #query(declared: Declared): Parameter[] {
    const validator = declared.options.validate?.query
    if (validator === undefined) return []
    const example = declared.options.example?.query
    const { schema, described } = this.store.of(validator, 'input')
    const { properties, required } = objectShape(schema)
    const names = Object.keys(properties)
    if (!described || names.length === 0) {
      const parameter: Record<string, unknown> = {
        name: 'query',
        in: 'query',
        style: 'form',
        explode: true,
        schema: { type: 'object', additionalProperties: { type: 'string' }, ...schema },
      }
      if (example !== undefined) parameter.example = example
      return [parameter as unknown as Parameter]
    }
    return names.map((name) => {
      const parameter: Record<string, unknown> = {
        name,
        in: 'query',
        required: required.has(name),
        schema: properties[name],
      }
      if (example?.[name] !== undefined) parameter.example = example[name]
      return parameter as unknown as Parameter
    })
  }

  #body(declared: Declared): RequestBody | undefined {
    const { validate, jsonBody = 'auto', example } = declared.options
    const validator = validate?.body
    if (validator === undefined && jsonBody !== 'required') return undefined
    const media: Record<string, unknown> = {
      schema: validator === undefined ? {} : this.store.of(validator, 'input').schema,
    }
    if (example?.body !== undefined) media.example = example.body
    const type = jsonBody === 'off' ? 'text/plain' : 'application/json'
    return { required: true, content: { [type]: media as MediaType } }
  }

  #responses(
    declared: Declared,
    method: OperationMethod,
    alternatives: readonly Requirement[],
    hasBody: boolean,
  ): Record<string, Response | Reference> {
    const { options } = declared
    const responses: Record<string, Response | Reference> = {}
    const declaredResponses = Object.entries(options.responses ?? { '200': {} })
    for (const [status, response] of declaredResponses) {
      responses[status] = this.#response(status, response, method === 'head')
    }
    const statuses = new Set<number>([400])
    if (alternatives.some((a) => a.bearer)) statuses.add(401)
    if (alternatives.some((a) => a.scopes.length > 0 || a.activities.length > 0)) statuses.add(403)
    for (const alternative of alternatives) for (const s of alternative.statuses) statuses.add(s)
    if (hasBody && options.jsonBody === 'required') statuses.add(415)
    const validate = options.validate ?? {}
    if (Object.values(validate).some((schema) => schema !== undefined)) statuses.add(422)
    statuses.add(500)
    for (const status of [...statuses].sort((a, b) => a - b)) {
      responses[String(status)] ??= problemResponse(status)
    }
    responses.default ??= problem('Any other error the route answers, as problem details')
    return responses
  }

  #response(status: string, declared: RouteResponse, head: boolean): Response {
    const description = declared.description ?? reason(Number(status))
    const response: Record<string, unknown> = { description }
    if (declared.headers !== undefined) {
      response.headers = Object.fromEntries(
        Object.entries(declared.headers).map(([name, header]) => [
          name,
          { ...header, schema: { type: 'string' } },
        ]),
      )
    }
    if (head || status === '204' || status === '304') return response as unknown as Response
    const media: Record<string, unknown> = {
      schema: declared.schema === undefined ? {} : this.store.of(declared.schema, 'output').schema,
    }
    if (declared.example !== undefined) media.example = declared.example
    response.content = { [declared.contentType ?? 'application/json']: media }
    return response as unknown as Response
  }

  /** The security alternatives; undefined when every way in is anonymous. */
  #security(alternatives: readonly Requirement[]): Record<string, string[]>[] | undefined {
    if (alternatives.every((a) => !a.bearer && a.scopes.length === 0)) return undefined
    const oauth2 = this.#options.oauth2 !== undefined
    const seen = new Map<string, Record<string, string[]>>()
    for (const alternative of alternatives) {
      let requirement: Record<string, string[]> = {}
      if (alternative.scopes.length > 0 && oauth2) {
        requirement = { oauth2: [...alternative.scopes] }
        for (const scope of alternative.scopes) this.#scopes.add(scope)
      } else if (alternative.bearer || alternative.scopes.length > 0) {
        requirement = { bearerAuth: [...alternative.scopes] }
        this.#bearer = true
      }
      seen.set(JSON.stringify(requirement), requirement)
    }
    return [...seen.values()]
  }

  securitySchemes(): Record<string, SecurityScheme> | undefined {
    const schemes: Record<string, SecurityScheme> = {}
    if (this.#bearer) {
      schemes.bearerAuth = {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'A JWT verified against the issuer JWKS (metis-app/auth pip())',
      }
    }
    const oauth2 = this.#options.oauth2
    if (oauth2 !== undefined && this.#scopes.size > 0) {
      const scopes = Object.fromEntries([...this.#scopes].sort().map((s) => [s, s]))
      schemes.oauth2 = {
        type: 'oauth2',
        ...(oauth2.description === undefined ? {} : { description: oauth2.description }),
        flows: { clientCredentials: { tokenUrl: oauth2.tokenUrl, scopes } },
      }
    }
    return Object.keys(schemes).length === 0 ? undefined : schemes
  }
}

/** The document of a routing table; see {@link openapi} in `index.ts`. */
export const writeDocument = (source: OpenApiSource, options: OpenApiOptions): OpenApiDocument => {
  const writer = new Writer(options)
  Object.assign(writer.store.schemas, PROBLEM_SCHEMAS)
  const paths: Record<string, PathItem> = {}
  for (const slot of slotsOf(source.routes as readonly DocumentedRoute[])) {
    paths[slot.path] = writer.pathItem(slot)
  }
  const securitySchemes = writer.securitySchemes()
  const schemas: Record<string, JsonSchema> = { ...writer.store.schemas }
  return {
    openapi: '3.1.1',
    info: options.info,
    ...(options.servers === undefined ? {} : { servers: options.servers }),
    ...(options.tags === undefined ? {} : { tags: options.tags }),
    paths,
    components: {
      schemas,
      responses: PROBLEM_RESPONSES,
      ...(securitySchemes === undefined ? {} : { securitySchemes }),
    },
  }
}
