/**
 * A small emulator of the Lambda Runtime API (the interface a function's runtime polls), on
 * 127.0.0.1, for AWS's runtime interface client to run a bundle against:
 *
 * - `GET /2018-06-01/runtime/invocation/next` holds until an invocation is queued, then answers
 *   the event with the headers Lambda sends (request id, deadline, function ARN, X-Ray trace id);
 * - `POST /2018-06-01/runtime/invocation/{id}/response` and `.../{id}/error` settle that
 *   invocation;
 * - `POST /2018-06-01/runtime/init/error` records an init error.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** How the function settled an invocation. */
export interface Outcome {
  readonly kind: 'response' | 'error'
  /** The posted body, parsed as JSON. */
  readonly body: unknown
  /** The request id the emulator gave the invocation. */
  readonly requestId: string
}

/** An error the runtime posted to `/runtime/init/error`. */
export interface InitError {
  /** The `Lambda-Runtime-Function-Error-Type` header. */
  readonly errorType: string | undefined
  /** The posted body, parsed as JSON. */
  readonly body: unknown
}

interface Pending {
  readonly requestId: string
  readonly event: unknown
  readonly settle: (outcome: Outcome) => void
  readonly fail: (error: Error) => void
}

const PREFIX = '/2018-06-01/runtime'
const INVOCATION = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/

/** The function ARN the emulator hands the runtime. */
export const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:metis-e2e'

/** An X-Ray trace header as Lambda passes it: `Root=1-<epoch hex>-<96 bits>;Parent=...;Sampled=1`. */
const traceId = (): string => {
  const epoch = Math.floor(Date.now() / 1000).toString(16)
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=1`
}

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const answer = (response: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  })
  response.end(text)
}

/** The emulator: start it, hand `address` to the runtime as AWS_LAMBDA_RUNTIME_API, invoke. */
export class RuntimeApi {
  /** Init errors the runtime posted, in order. */
  readonly initErrors: InitError[] = []
  /** How long the runtime is told each invocation may take. */
  readonly timeoutMs: number
  private readonly queue: Pending[] = []
  private readonly waiting: ServerResponse[] = []
  private readonly inFlight = new Map<string, Pending>()
  private readonly initErrorListeners: ((error: InitError) => void)[] = []
  private readonly server = createServer((request, response) => {
    this.route(request, response).catch((error: unknown) => answer(response, 500, String(error)))
  })

  private constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs
  }

  /** Starts an emulator on a free port of 127.0.0.1. */
  static async start(options: { timeoutMs?: number } = {}): Promise<RuntimeApi> {
    const api = new RuntimeApi(options.timeoutMs ?? 30_000)
    api.server.listen(0, '127.0.0.1')
    await once(api.server, 'listening')
    return api
  }

  /** `host:port`, the value of AWS_LAMBDA_RUNTIME_API. */
  get address(): string {
    const { address, port } = this.server.address() as AddressInfo
    return `${address}:${port}`
  }

  /** Queues an invocation; resolves when the function posts its response or error. */
  invoke(event: unknown): Promise<Outcome> {
    return new Promise<Outcome>((resolve, reject) => {
      this.queue.push({ requestId: randomUUID(), event, settle: resolve, fail: reject })
      this.dispatch()
    })
  }

  /** Resolves with the first init error (at once when one was already posted). */
  nextInitError(): Promise<InitError> {
    const [first] = this.initErrors
    if (first !== undefined) return Promise.resolve(first)
    return new Promise((resolve) => this.initErrorListeners.push(resolve))
  }

  /** Stops the server; invocations not settled yet are rejected. */
  async close(): Promise<void> {
    const unsettled = [...this.queue.splice(0), ...this.inFlight.values()]
    this.inFlight.clear()
    for (const pending of unsettled) pending.fail(new Error('the Runtime API emulator stopped'))
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  /** Hands queued invocations to runtimes waiting on `/next`. */
  private dispatch(): void {
    while (this.queue.length > 0 && this.waiting.length > 0) {
      const pending = this.queue.shift() as Pending
      const response = this.waiting.shift() as ServerResponse
      if (response.destroyed) {
        this.queue.unshift(pending)
        continue
      }
      this.inFlight.set(pending.requestId, pending)
      const body = JSON.stringify(pending.event)
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'lambda-runtime-aws-request-id': pending.requestId,
        'lambda-runtime-deadline-ms': String(Date.now() + this.timeoutMs),
        'lambda-runtime-invoked-function-arn': FUNCTION_ARN,
        'lambda-runtime-trace-id': traceId(),
      })
      response.end(body)
    }
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://runtime').pathname
    if (request.method === 'GET' && path === `${PREFIX}/invocation/next`) {
      this.waiting.push(response)
      response.once('close', () => {
        const index = this.waiting.indexOf(response)
        if (index >= 0) this.waiting.splice(index, 1)
      })
      this.dispatch()
      return
    }
    if (request.method === 'POST' && path === `${PREFIX}/init/error`) {
      const header = request.headers['lambda-runtime-function-error-type']
      const error: InitError = {
        errorType: Array.isArray(header) ? header[0] : header,
        body: parse(await readBody(request)),
      }
      this.initErrors.push(error)
      for (const listener of this.initErrorListeners.splice(0)) listener(error)
      answer(response, 202, { status: 'OK' })
      return
    }
    const settled = request.method === 'POST' ? INVOCATION.exec(path) : null
    if (settled !== null) {
      const requestId = decodeURIComponent(settled[1] ?? '')
      const pending = this.inFlight.get(requestId)
      const body = parse(await readBody(request))
      if (pending === undefined) {
        answer(response, 400, { errorMessage: `no invocation ${requestId} in flight` })
        return
      }
      this.inFlight.delete(requestId)
      answer(response, 202, { status: 'OK' })
      pending.settle({ kind: settled[2] === 'error' ? 'error' : 'response', body, requestId })
      return
    }
    answer(response, 404, { errorMessage: `no route ${request.method} ${path}` })
  }
}
