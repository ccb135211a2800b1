/**
 * A small SSM Parameter Store and Secrets Manager for tests: a loopback HTTP server (127.0.0.1,
 * an ephemeral port) that speaks the services' JSON 1.1 protocol (`X-Amz-Target`,
 * `application/x-amz-json-1.1`), so that the real `@aws-sdk/client-ssm` and
 * `@aws-sdk/client-secrets-manager` clients talk to it over real HTTP. It holds parameters and
 * secrets in memory, pages `GetParametersByPath` (`MaxResults`, default 10 as AWS, and
 * `NextToken`), and can fail the way the services do: throttling, access denied, or a hang (the
 * request is never answered; the client's `requestTimeout` ends it).
 *
 * Operations: `AmazonSSM.GetParametersByPath`, `AmazonSSM.GetParameters`, `AmazonSSM.GetParameter`,
 * `AmazonSSM.PutParameter`, `secretsmanager.GetSecretValue`.
 *
 * @example
 * ```ts
 * let aws: AwsJsonServer
 * beforeAll(async () => {
 *   aws = await startAwsJsonServer()
 * })
 * afterAll(() => aws.stop())
 * aws.putParameter('/orders/db/url', 'postgres://db')
 * const ssm = new SSMClient(aws.clientConfig)
 * ```
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** The SSM parameter types. */
export type ParameterType = 'String' | 'StringList' | 'SecureString'

/** One stored SSM parameter. */
export interface StoredParameter {
  readonly type: ParameterType
  readonly value: string
  readonly version: number
}

/** How the server answers: as the service, or with one of its failures. */
export type FailureMode = 'throttle' | 'deny' | 'hang'

/** One request the server received. */
export interface SeenRequest {
  /** `AmazonSSM.GetParametersByPath`, `secretsmanager.GetSecretValue`, ... */
  readonly target: string
  /** The parsed JSON body. */
  readonly body: Readonly<Record<string, unknown>>
}

/** The client settings of the server: region, endpoint and dummy credentials. */
export interface AwsClientConfig {
  readonly region: string
  readonly endpoint: string
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string }
}

/** A running server. */
export interface AwsJsonServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  /** Region, endpoint and credentials for an SDK client (add `maxAttempts: 1` to fail fast). */
  readonly clientConfig: AwsClientConfig
  /** Every request received since the last {@link AwsJsonServer.reset}, in order. */
  readonly requests: readonly SeenRequest[]
  /** The stored SSM parameters, by name. */
  readonly parameters: ReadonlyMap<string, StoredParameter>
  /** How many requests named `target` (`'AmazonSSM.GetParameters'`) were received. */
  count(target: string): number
  /** Stores (or replaces) an SSM parameter. */
  putParameter(name: string, value: string, type?: ParameterType): void
  /** Stores (or replaces) a binary Secrets Manager secret. */
  putBinarySecret(id: string, value: Uint8Array): void
  /** Deletes an SSM parameter. */
  deleteParameter(name: string): void
  /** Stores (or replaces) a Secrets Manager secret string. */
  putSecret(id: string, value: string): void
  /**
   * Fails every request from now on (or only those whose target is in `targets`) with `mode`,
   * until {@link AwsJsonServer.recover}.
   */
  fail(mode: FailureMode, targets?: readonly string[]): void
  /** Answers as the service again. */
  recover(): void
  /** Forgets the parameters, secrets, requests and failure mode. */
  reset(): void
  /** Closes every connection (hanging ones too) and stops the server. */
  stop(): Promise<void>
}

const JSON_11 = 'application/x-amz-json-1.1'
const DEFAULT_PAGE = 10
const ACCOUNT = '123456789012'
const REGION = 'eu-west-1'

/** A service error: the status and the `__type` the SDK reads as the error's name. */
class ServiceError extends Error {
  readonly type: string
  readonly status: number

  constructor(type: string, message: string, status = 400) {
    super(message)
    this.type = type
    this.status = status
  }
}

const readBody = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  if (text === '') return {}
  const parsed: unknown = JSON.parse(text)
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ServiceError('SerializationException', 'The body is not a JSON object')
  }
  return parsed as Record<string, unknown>
}

const text = (body: Record<string, unknown>, key: string): string => {
  const value = body[key]
  if (typeof value !== 'string' || value === '') {
    throw new ServiceError('ValidationException', `${key} is required`)
  }
  return value
}

/** Starts the server on 127.0.0.1, port 0. */
export const startAwsJsonServer = async (): Promise<AwsJsonServer> => {
  const parameters = new Map<string, StoredParameter>()
  const secrets = new Map<string, string | Uint8Array>()
  const requests: SeenRequest[] = []
  let failure: { mode: FailureMode; targets: readonly string[] | undefined } | undefined

  const wire = (name: string, parameter: StoredParameter, decrypt: boolean) => ({
    Name: name,
    Type: parameter.type,
    // As SSM does: a SecureString read without decryption is its ciphertext.
    Value:
      parameter.type === 'SecureString' && !decrypt
        ? Buffer.from(`kms:${name}`).toString('base64')
        : parameter.value,
    Version: parameter.version,
    ARN: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name.startsWith('/') ? '' : '/'}${name}`,
    LastModifiedDate: 1_767_225_600,
    DataType: 'text',
  })

  const getParametersByPath = (body: Record<string, unknown>) => {
    const path = text(body, 'Path')
    const prefix = path.endsWith('/') ? path : `${path}/`
    const recursive = body.Recursive === true
    const decrypt = body.WithDecryption === true
    const size = typeof body.MaxResults === 'number' ? body.MaxResults : DEFAULT_PAGE
    if (size < 1 || size > 10) {
      throw new ServiceError('ValidationException', 'MaxResults must be between 1 and 10')
    }
    const names = [...parameters.keys()]
      .filter((name) => name.startsWith(prefix))
      .filter((name) => recursive || !name.slice(prefix.length).includes('/'))
      .sort()
    const start = typeof body.NextToken === 'string' ? Number(body.NextToken.slice(5)) : 0
    if (!Number.isInteger(start) || start < 0 || start > names.length) {
      throw new ServiceError('InvalidNextToken', 'The NextToken is not valid')
    }
    const page = names.slice(start, start + size)
    const next = start + size
    return {
      Parameters: page.map((name) => wire(name, parameters.get(name) as StoredParameter, decrypt)),
      ...(next < names.length ? { NextToken: `page-${next}` } : {}),
    }
  }

  const getParameters = (body: Record<string, unknown>) => {
    const names = body.Names
    if (!Array.isArray(names) || names.length < 1 || names.length > 10) {
      throw new ServiceError('ValidationException', 'Names must hold 1 to 10 names')
    }
    const decrypt = body.WithDecryption === true
    const found = names.filter((name): name is string => parameters.has(String(name)))
    return {
      Parameters: found.map((name) => wire(name, parameters.get(name) as StoredParameter, decrypt)),
      InvalidParameters: names.filter((name) => !parameters.has(String(name))),
    }
  }

  const getParameter = (body: Record<string, unknown>) => {
    const name = text(body, 'Name')
    const parameter = parameters.get(name)
    if (parameter === undefined) throw new ServiceError('ParameterNotFound', '')
    return { Parameter: wire(name, parameter, body.WithDecryption === true) }
  }

  const putParameter = (body: Record<string, unknown>) => {
    const name = text(body, 'Name')
    const value = text(body, 'Value')
    if (value.length > 4096) {
      // Worst case for the client's hygiene: an error message that quotes the value.
      throw new ServiceError(
        'ValidationException',
        `1 validation error detected: Value '${value}' at 'value' failed to satisfy constraint: Member must have length less than or equal to 4096`,
      )
    }
    const present = parameters.get(name)
    if (present !== undefined && body.Overwrite !== true) {
      throw new ServiceError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      )
    }
    const type = (body.Type ?? present?.type ?? 'String') as ParameterType
    if (!['String', 'StringList', 'SecureString'].includes(type)) {
      throw new ServiceError('ValidationException', 'Type is not valid')
    }
    const version = (present?.version ?? 0) + 1
    parameters.set(name, { type, value, version })
    return { Version: version, Tier: 'Standard' }
  }

  const getSecretValue = (body: Record<string, unknown>) => {
    const id = text(body, 'SecretId')
    const value = secrets.get(id)
    if (value === undefined) {
      throw new ServiceError(
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      )
    }
    return {
      ARN: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${id}-AbCdEf`,
      Name: id,
      VersionId: '00000000-0000-0000-0000-000000000001',
      ...(typeof value === 'string'
        ? { SecretString: value }
        : { SecretBinary: Buffer.from(value).toString('base64') }),
      VersionStages: ['AWSCURRENT'],
      CreatedDate: 1_767_225_600,
    }
  }

  const operations: Readonly<Record<string, (body: Record<string, unknown>) => unknown>> = {
    'AmazonSSM.GetParametersByPath': getParametersByPath,
    'AmazonSSM.GetParameters': getParameters,
    'AmazonSSM.GetParameter': getParameter,
    'AmazonSSM.PutParameter': putParameter,
    'secretsmanager.GetSecretValue': getSecretValue,
  }

  const send = (res: ServerResponse, status: number, body: unknown, type?: string) => {
    res.writeHead(status, {
      'content-type': JSON_11,
      'x-amzn-requestid': `req-${requests.length}`,
      ...(type === undefined ? {} : { 'x-amzn-errortype': type }),
    })
    res.end(JSON.stringify(body))
  }

  const failureOf = (target: string): ServiceError | 'hang' | undefined => {
    if (failure === undefined) return undefined
    if (failure.targets !== undefined && !failure.targets.includes(target)) return undefined
    if (failure.mode === 'hang') return 'hang'
    if (failure.mode === 'throttle') return new ServiceError('ThrottlingException', 'Rate exceeded')
    return new ServiceError(
      'AccessDeniedException',
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/test/fn is not authorized to perform: ${target}`,
    )
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const target = String(req.headers['x-amz-target'] ?? '')
    try {
      const body = await readBody(req)
      requests.push({ target, body })
      const failed = failureOf(target)
      if (failed === 'hang') return // never answered: the client's timeout ends it
      if (failed !== undefined) throw failed
      if (req.method !== 'POST' || !String(req.headers['content-type']).startsWith(JSON_11)) {
        throw new ServiceError('UnknownOperationException', 'Expected a JSON 1.1 POST')
      }
      const operation = operations[target]
      if (operation === undefined) {
        throw new ServiceError('UnknownOperationException', `Unknown operation ${target}`)
      }
      send(res, 200, operation(body))
    } catch (error) {
      const known =
        error instanceof ServiceError
          ? error
          : new ServiceError('InternalServerError', 'Internal error', 500)
      send(res, known.status, { __type: known.type, message: known.message }, known.type)
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url,
    clientConfig: {
      region: REGION,
      endpoint: url,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    },
    requests,
    parameters,
    count: (target) => requests.filter((request) => request.target === target).length,
    putParameter: (name, value, type = 'String') => {
      const version = (parameters.get(name)?.version ?? 0) + 1
      parameters.set(name, { type, value, version })
    },
    putBinarySecret: (id, value) => {
      secrets.set(id, value)
    },
    deleteParameter: (name) => {
      parameters.delete(name)
    },
    putSecret: (id, value) => {
      secrets.set(id, value)
    },
    fail: (mode, targets) => {
      failure = { mode, targets }
    },
    recover: () => {
      failure = undefined
    },
    reset: () => {
      parameters.clear()
      secrets.clear()
      requests.length = 0
      failure = undefined
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)))
        server.closeAllConnections()
      }),
  }
}
