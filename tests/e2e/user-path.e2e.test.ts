/**
 * The user's path, end to end (DESIGN.md section 7): `npm pack` ships a built package with types;
 * a fresh app outside the repository, with only the peers the README names, type-checks strictly
 * (no `skipLibCheck`) and bundles with the README's one esbuild recipe; the bundle runs under AWS's
 * runtime interface client against a Runtime API emulator on loopback, answering every HTTP shape
 * and record batches and logging each failure once; `npx metis-app` works through npm's bin link.
 *
 * The steps run in order and hand their products on (the tarball, the app, the bundles); a step
 * whose input is missing fails at once and says which earlier step to look at.
 */

import { once } from 'node:events'
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { STATUS_CODES } from 'node:http'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeEnd, REPO, run, Started, shell, userEnv } from './support/commands.ts'
import { type HttpCall, httpEvent, SHAPES, type Shape, sample } from './support/events.ts'
import {
  type FunctionRun,
  lambdaEnvironment,
  runFunction,
  startFunction,
  type Task,
} from './support/lambda-process.ts'
import { brief, type LogLine } from './support/logs.ts'
import {
  deployRecipe,
  documentedHandler,
  middyTypeShim,
  quickStart,
  quickStartPeers,
  type Recipe,
} from './support/readme.ts'
import { type Outcome, RuntimeApi } from './support/runtime-api.ts'

/** The app's one required variable, and what GET /hello answers with. */
const GREETING = 'hello from metis-app'
/** The body of the SQS sample's record that the app's queue route refuses. */
const POISON_BODY = 'Test message.'
/** What the app's SQS route throws for it. */
const POISON_ERROR = 'unprocessable message body'
/** What POST /orders sends. */
const ORDER = { sku: 'A-1', quantity: 2 }

type Json = Record<string, unknown>

const cleanups: (() => Promise<unknown>)[] = []
const track = (stop: () => Promise<unknown>) => {
  cleanups.push(stop)
}

/** What the steps hand on. */
const made: {
  root?: string
  tarball?: string
  app?: string
  /** The handler file the README recipe writes, relative to the app. */
  bundle?: string
  /** The README recipe's output, alone in a task root as Lambda unzips it. */
  task?: Task
  /** The same without the banner. */
  taskNoBanner?: Task
  /** The function that uses a circuit breaker. */
  taskInventory?: Task
} = {}

const need = <K extends keyof typeof made>(key: K, step: string): NonNullable<(typeof made)[K]> => {
  const value = made[key]
  if (value === undefined) throw new Error(`no ${key}: the step "${step}" failed`)
  return value as NonNullable<(typeof made)[K]>
}

beforeAll(async () => {
  made.root = await mkdtemp(join(tmpdir(), 'metis-e2e-'))
})

afterAll(async () => {
  await Promise.allSettled(cleanups.reverse().map((stop) => stop()))
  if (made.root !== undefined) await rm(made.root, { recursive: true, force: true })
})

/** The version of `name` in the repository's package-lock, so that npm's cache answers. */
const lockedVersion = async (name: string): Promise<string | undefined> => {
  const lock = JSON.parse(await readFile(join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>
  }
  return lock.packages[`node_modules/${name}`]?.version
}

/** `name@version` at the repository's version, or `name` for a package the repository lacks. */
const pinned = async (name: string): Promise<string> => {
  const version = await lockedVersion(name)
  return version === undefined ? name : `${name}@${version}`
}

/**
 * Runs a bundling command in the app, then copies what it wrote into a new task root, as Lambda
 * unzips a deployment package of the output directory (no node_modules to fall back on).
 */
const bundle = async (recipe: Recipe, taskName: string): Promise<Task> => {
  const app = need('app', 'installs the tarball')
  const end = await shell(recipe.command, { cwd: app })
  expect(end.code, describeEnd(end)).toBe(0)
  const root = join(need('root', 'the temporary directory'), taskName)
  await cp(join(app, recipe.outDir), root, { recursive: true })
  return { root, handler: recipe.handler }
}

const npmInstall = async (app: string, packages: readonly string[], dev: boolean) => {
  const flags = ['--prefer-offline', '--no-audit', '--no-fund', ...(dev ? ['--save-dev'] : [])]
  const end = await run('npm', ['install', ...flags, ...packages], { cwd: app })
  expect(end.code, describeEnd(end)).toBe(0)
}

describe('npm pack', () => {
  it('ships dist/ with index.js and index.d.ts for every export, and the bin file', async () => {
    const destination = join(need('root', 'the temporary directory'), 'pack')
    await mkdir(destination)
    const end = await run('npm', ['pack', '--pack-destination', destination], { cwd: REPO })
    expect(end.code, describeEnd(end)).toBe(0)
    const name = end.stdout.trim().split('\n').at(-1) ?? ''
    expect(name).toMatch(/^metis-app-.+\.tgz$/)
    const tarball = join(destination, name)
    const listing = await run('tar', ['-tzf', tarball], { cwd: destination })
    expect(listing.code, describeEnd(listing)).toBe(0)
    const files = new Set(
      listing.stdout.split('\n').map((entry) => entry.replace(/^package\//, '')),
    )

    const manifest = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
      exports: Record<string, { types: string; import: string }>
      bin: Record<string, string>
    }
    const expected = Object.keys(manifest.exports).flatMap((subpath) => {
      const part = subpath.replace(/^\.\//, '')
      return [`dist/${part}/index.js`, `dist/${part}/index.d.ts`]
    })
    expect(expected.length).toBeGreaterThan(0)
    expect(expected.filter((file) => !files.has(file))).toEqual([])
    const targets = Object.values(manifest.exports).flatMap((entry) => [entry.import, entry.types])
    expect(
      targets.map((target) => target.replace(/^\.\//, '')).filter((f) => !files.has(f)),
    ).toEqual([])
    expect(manifest.bin['metis-app']).toBe('./dist/local/bin.js')
    expect(files.has('dist/local/bin.js')).toBe(true)
    const bin = await run('tar', ['-xzOf', tarball, 'package/dist/local/bin.js'], {
      cwd: destination,
    })
    expect(bin.stdout.split('\n', 1)[0]).toBe('#!/usr/bin/env node')
    made.tarball = tarball
  })
})

describe('a fresh app', () => {
  it('installs the tarball and the peers the README names, at the repository versions', async () => {
    const tarball = need('tarball', 'npm pack')
    const app = join(need('root', 'the temporary directory'), 'app')
    await mkdir(join(app, 'src'), { recursive: true })
    await writeFile(join(app, 'package.json'), '{ "type": "module", "private": true }\n')
    const fixtures = new URL('./app/', import.meta.url)
    await copyFile(new URL('tsconfig.json', fixtures), join(app, 'tsconfig.json'))
    for (const file of ['handler.ts', 'inventory.ts']) {
      await copyFile(new URL(file, fixtures), join(app, 'src', file))
    }
    await writeFile(join(app, 'src', 'quick-start.ts'), `${quickStart()}\n`)
    const shim = middyTypeShim()
    if (shim !== undefined) {
      await mkdir(dirname(join(app, shim.path)), { recursive: true })
      await writeFile(join(app, shim.path), shim.text)
    }

    const peers = quickStartPeers()
    expect(peers.map((peer) => peer.name)).toContain('@middy/core')
    expect(peers.map((peer) => peer.name)).not.toContain('@aws-sdk/client-dynamodb')
    const runtime = await Promise.all(peers.filter((p) => !p.dev).map((p) => pinned(p.name)))
    const tools = ['typescript', '@types/node', ...peers.filter((p) => p.dev).map((p) => p.name)]
    const dev = await Promise.all([...new Set(tools)].map(pinned))
    await npmInstall(app, [tarball, ...runtime], false)
    await npmInstall(app, dev, true)

    const installed = async (name: string) =>
      readFile(join(app, 'node_modules', name, 'package.json'), 'utf8').then(
        () => true,
        () => false,
      )
    expect(await installed('metis-app')).toBe(true)
    expect(await installed('esbuild')).toBe(true)
    expect(await installed('@aws-sdk/client-dynamodb')).toBe(false)
    made.app = app
  })

  it("type-checks strictly with the app's own tsc, the README's Quick start included", async () => {
    const app = need('app', 'installs the tarball')
    const end = await run('npx', ['tsc', '--noEmit'], { cwd: app })
    expect({ code: end.code, output: `${end.stdout}${end.stderr}` }).toEqual({
      code: 0,
      output: '',
    })
  })

  it("bundles with the README's deploy recipe, run as it is written", async () => {
    const recipe = deployRecipe()
    expect(recipe.entry).toBe('src/handler.ts')
    expect(documentedHandler()).toBe(recipe.handler)
    made.task = await bundle(recipe, 'task')
    made.bundle = recipe.mainFile
  })

  it('bundles without the banner too (the bundle a user may make)', async () => {
    const recipe = deployRecipe()
    expect(recipe.hasBanner).toBe(true)
    const bare = recipe.variant({ banner: false, outDir: 'no-banner' })
    expect(bare.command).not.toContain('createRequire')
    made.taskNoBanner = await bundle(bare, 'task-no-banner')
  })

  it("bundles the README's Quick start with the same recipe", async () => {
    const recipe = deployRecipe().variant({ entry: 'src/quick-start.ts', outDir: 'quick-start' })
    await bundle(recipe, 'task-quick-start')
  })

  it('bundles a function that uses circuitBreaker() without the DynamoDB SDK installed', async () => {
    const recipe = deployRecipe().variant({ entry: 'src/inventory.ts', outDir: 'inventory' })
    made.taskInventory = await bundle(recipe, 'task-inventory')
  })
})

// ---------------------------------------------------------------------------------------------
// Under the runtime interface client

/** The HTTP calls each shape gets. */
const HTTP = {
  hello: { method: 'GET', path: '/hello' },
  boom: { method: 'GET', path: '/boom' },
  missing: { method: 'GET', path: '/no/such/route' },
  order: { method: 'POST', path: '/orders', json: ORDER },
} as const satisfies Record<string, HttpCall>
type HttpName = keyof typeof HTTP

const callName = (shape: Shape, name: HttpName): string =>
  `${shape} ${HTTP[name].method} ${HTTP[name].path}`

const httpCalls = (names: readonly HttpName[], shapes: readonly Shape[] = SHAPES) =>
  shapes.flatMap((shape) =>
    names.map((name) => [callName(shape, name), httpEvent(shape, HTTP[name])] as const),
  )

/** The SQS sample and the id of its one record the app fails. */
const sqsSample = sample('sqs/base')
const sqsRecords = sqsSample.Records as Json[]
const poisonId = String(sqsRecords.find((entry) => entry.body === POISON_BODY)?.messageId)

/** An HTTP answer with its headers under lower-case names. */
interface Answer {
  readonly raw: Json
  readonly statusCode: unknown
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

const outcomeOf = (fnRun: FunctionRun, name: string): Outcome => {
  const outcome = fnRun.outcomes.get(name)
  if (outcome === undefined) throw new Error(`no outcome for ${name}`)
  return outcome
}

const answerOf = (fnRun: FunctionRun, name: string): Answer => {
  const outcome = outcomeOf(fnRun, name)
  expect(outcome.kind, JSON.stringify(outcome.body)).toBe('response')
  const raw = outcome.body as Json
  const headers: Record<string, string> = {}
  const multi = (raw.multiValueHeaders ?? {}) as Record<string, string[]>
  for (const [header, values] of Object.entries(multi))
    headers[header.toLowerCase()] = values.join()
  const single = (raw.headers ?? {}) as Record<string, string>
  for (const [header, value] of Object.entries(single)) headers[header.toLowerCase()] = value
  return { raw, statusCode: raw.statusCode, headers, body: String(raw.body ?? '') }
}

/** The fields of the response shape `shape`'s integration reads, for `status`. */
const expectShape = (shape: Shape, answer: Answer, status: number): void => {
  expect(answer.statusCode).toBe(status)
  expect(answer.raw.isBase64Encoded).toBe(false)
  expect(typeof answer.raw.body).toBe('string')
  if (shape === 'alb')
    expect(answer.raw.statusDescription).toBe(`${status} ${STATUS_CODES[status]}`)
  else expect(answer.raw).not.toHaveProperty('statusDescription')
  if (shape !== 'rest-v1') expect(answer.raw).not.toHaveProperty('multiValueHeaders')
}

const expectProblem = (shape: Shape, answer: Answer, status: number): Json => {
  expectShape(shape, answer, status)
  expect(answer.headers['content-type']).toBe('application/problem+json')
  const problem = JSON.parse(answer.body) as Json
  expect(problem).toMatchObject({ status, title: STATUS_CODES[status] })
  return problem
}

/** What each HTTP call must answer, whatever the bundle. */
const expectAnswer: Record<HttpName, (shape: Shape, answer: Answer) => void> = {
  hello: (shape, answer) => {
    expectShape(shape, answer, 200)
    expect(answer.headers['content-type']).toBe('application/json')
    expect(JSON.parse(answer.body)).toEqual({ message: GREETING })
  },
  boom: (shape, answer) => {
    expectProblem(shape, answer, 500)
    expect(answer.body).not.toContain('boom')
    expect(answer.body).not.toContain('stack')
    expect(answer.body).not.toMatch(/\bat \S+ \(/)
  },
  missing: (shape, answer) => {
    expectProblem(shape, answer, 404)
  },
  order: (shape, answer) => {
    expectShape(shape, answer, 201)
    expect(answer.headers.location).toBe('/orders/1')
    expect(answer.headers['content-type']).toBe('application/json')
    expect(JSON.parse(answer.body)).toEqual({ order: ORDER })
  },
}

const expectSqs = (fnRun: FunctionRun): void => {
  const outcome = outcomeOf(fnRun, 'sqs')
  expect(outcome.kind, JSON.stringify(outcome.body)).toBe('response')
  expect(outcome.body).toEqual({ batchItemFailures: [{ itemIdentifier: poisonId }] })
}

const expectS3 = (fnRun: FunctionRun): void => {
  const outcome = outcomeOf(fnRun, 's3')
  expect(outcome.kind, JSON.stringify(outcome.body)).toBe('response')
  expect(outcome.body).toBeNull()
}

/** The lines an invocation wrote (those that carry its request id). */
const linesOf = (fnRun: FunctionRun, name: string): LogLine[] => {
  const { requestId } = outcomeOf(fnRun, name)
  return fnRun.lines.filter((line) => line.requestId === requestId)
}

/** Every string under a `stack` key, at any depth. */
const stacksIn = (value: unknown): string[] => {
  if (typeof value !== 'object' || value === null) return []
  return Object.entries(value).flatMap(([key, inner]) =>
    key === 'stack' && typeof inner === 'string' ? [inner] : stacksIn(inner),
  )
}

const briefs = (lines: readonly LogLine[]): string[] => lines.map(brief)

/** Expects `count` lines, showing them all when there are not. */
const expectLines = (lines: readonly LogLine[], count: number): void => {
  expect(lines.length, `${count} line(s) expected, got:\n${briefs(lines).join('\n')}`).toBe(count)
}

/** The one line of `name`'s invocation: a JSON "request end" at `level` with `status`. */
const endLine = (fnRun: FunctionRun, name: string, level: string, status: number): LogLine => {
  const lines = linesOf(fnRun, name)
  expectLines(lines, 1)
  const [line] = lines as [LogLine]
  expect(line.json, brief(line)).toBeDefined()
  expect(line.fromConsole).toBe(false)
  expect(line.level).toBe(level)
  expect(line.message).toBe('request end')
  expect(line.json?.status).toBe(status)
  return line
}

/** The lines of a run that are neither a named invocation's nor Powertools Metrics' EMF. */
const otherLines = (fnRun: FunctionRun, names: readonly string[]): LogLine[] => {
  const ids = new Set(names.map((name) => outcomeOf(fnRun, name).requestId))
  return fnRun.lines.filter((line) => !line.metrics && !ids.has(line.requestId ?? ''))
}

/** The cold start's one EMF line (the observer's ColdStart metric, in Powertools' default namespace). */
const expectColdStartMetricOnly = (fnRun: FunctionRun): void => {
  const metrics = fnRun.lines.filter((line) => line.metrics)
  expectLines(metrics, 1)
  expect(metrics[0]?.stream).toBe('stdout')
  expect(metrics[0]?.json).toMatchObject({ ColdStart: 1 })
}

describe('the bundle under the runtime interface client', () => {
  let fnRun: FunctionRun
  const calls = [
    ...httpCalls(['hello', 'boom', 'missing', 'order']),
    ['sqs', sqsSample],
    ['s3', sample('s3/base')],
  ] as const

  beforeAll(async () => {
    const task = need('task', 'bundles with the README recipe')
    fnRun = await runFunction(task, { GREETING }, calls, track)
  })

  it.each(SHAPES)('%s: GET /hello answers 200 with JSON, in the shape of the event', (shape) => {
    expectAnswer.hello(shape, answerOf(fnRun, callName(shape, 'hello')))
  })

  it.each(SHAPES)(
    '%s: GET /boom answers a 500 problem that shows nothing of the error',
    (shape) => {
      expectAnswer.boom(shape, answerOf(fnRun, callName(shape, 'boom')))
    },
  )

  it.each(SHAPES)('%s: an unknown path answers a 404 problem', (shape) => {
    expectAnswer.missing(shape, answerOf(fnRun, callName(shape, 'missing')))
  })

  it.each(SHAPES)('%s: POST /orders with a JSON body answers 201 with a Location', (shape) => {
    expectAnswer.order(shape, answerOf(fnRun, callName(shape, 'order')))
  })

  it('SQS: answers batchItemFailures naming exactly the record that failed', () => {
    expect(sqsRecords.length).toBeGreaterThan(1)
    expect(sqsRecords.filter((entry) => entry.body === POISON_BODY)).toHaveLength(1)
    expectSqs(fnRun)
  })

  it('S3: the record is handled and the invocation succeeds', () => {
    expectS3(fnRun)
  })

  it.each(SHAPES)(
    '%s /boom: one ERROR line, the request end with status 500 and the stack',
    (shape) => {
      const line = endLine(fnRun, callName(shape, 'boom'), 'ERROR', 500)
      const stacks = stacksIn(line.json).filter((stack) => stack.startsWith('Error: boom\n'))
      expect(stacks, line.text).toHaveLength(1)
    },
  )

  it('/boom: no other line mentions boom (no second copy, no bare console.error stack)', () => {
    const ends = new Set(
      SHAPES.flatMap((shape) => linesOf(fnRun, callName(shape, 'boom'))).filter(
        (line) => line.json !== undefined && line.message === 'request end',
      ),
    )
    const others = fnRun.lines.filter((line) => line.text.includes('boom') && !ends.has(line))
    expect(briefs(others)).toEqual([])
  })

  it.each(SHAPES)(
    '%s unknown path: one WARN line, the request end with status 404, no stack',
    (shape) => {
      const line = endLine(fnRun, callName(shape, 'missing'), 'WARN', 404)
      expect(line.text).not.toContain('stack')
    },
  )

  it('a successful invocation writes no line at the default log level', () => {
    const successes = [...httpCalls(['hello', 'order']).map(([name]) => name), 's3']
    const written = successes.flatMap((name) => linesOf(fnRun, name))
    expect(briefs(written)).toEqual([])
  })

  it('the SQS partial failure is logged once, at ERROR, with the record id and the error', () => {
    const lines = linesOf(fnRun, 'sqs')
    expectLines(lines, 1)
    const [line] = lines as [LogLine]
    expect(line.level).toBe('ERROR')
    expect(line.json, brief(line)).toBeDefined()
    expect(line.text).toContain(poisonId)
    expect(line.text).toContain(POISON_ERROR)
    expectLines(
      fnRun.lines.filter((other) => other.text.includes(poisonId)),
      1,
    )
  })

  it('no line says "Namespace should be defined"', () => {
    const warned = fnRun.lines.filter((line) => line.text.includes('Namespace should be defined'))
    expect(briefs(warned)).toEqual([])
  })

  it('writes nothing else to stdout or stderr: only those lines and the cold start metric', () => {
    expect(
      briefs(
        otherLines(
          fnRun,
          calls.map(([name]) => name),
        ),
      ),
    ).toEqual([])
    expect(briefs(fnRun.lines.filter((line) => line.json === undefined))).toEqual([])
    expectColdStartMetricOnly(fnRun)
  })
})

describe('the bundle made without the banner', () => {
  let fnRun: FunctionRun
  const calls = [
    ...httpCalls(['hello', 'order']),
    ...httpCalls(['missing'], ['http-v2']),
    ['sqs', sqsSample],
    ['s3', sample('s3/base')],
    ['http-v2 GET /hello again', httpEvent('http-v2', HTTP.hello)],
  ] as const

  beforeAll(async () => {
    const task = need('taskNoBanner', 'bundles without the banner')
    fnRun = await runFunction(task, { GREETING }, calls, track)
  })

  it('still answers every call correctly, and none with a 500', () => {
    for (const shape of SHAPES) {
      expectAnswer.hello(shape, answerOf(fnRun, callName(shape, 'hello')))
      expectAnswer.order(shape, answerOf(fnRun, callName(shape, 'order')))
    }
    expectAnswer.missing('http-v2', answerOf(fnRun, callName('http-v2', 'missing')))
    expectAnswer.hello('http-v2', answerOf(fnRun, 'http-v2 GET /hello again'))
    expectSqs(fnRun)
    expectS3(fnRun)
    const failed = [...fnRun.outcomes].filter(
      ([, outcome]) =>
        outcome.kind === 'error' || (outcome.body as Json | null)?.statusCode === 500,
    )
    expect(failed).toEqual([])
  })

  it('writes exactly one WARN line that the tracer could not load, naming the fix', () => {
    const tracer = fnRun.lines.filter((line) => /tracer/i.test(line.text))
    expectLines(tracer, 1)
    const [line] = tracer as [LogLine]
    expect(line.json, brief(line)).toBeDefined()
    expect(line.level).toBe('WARN')
    expect(line.text).toMatch(/could not (be )?load|cannot (be )?load/i)
    expect(line.text).toContain('createRequire')
  })

  it('writes nothing else: the 404 and SQS failure lines, the tracer warning, the metric', () => {
    const known = [callName('http-v2', 'missing'), 'sqs']
    const silent = calls.map(([name]) => name).filter((name) => !known.includes(name))
    expect(briefs(silent.flatMap((name) => linesOf(fnRun, name)))).toEqual([])
    endLine(fnRun, callName('http-v2', 'missing'), 'WARN', 404)
    expect(linesOf(fnRun, 'sqs').map((line) => line.level)).toEqual(['ERROR'])
    const rest = otherLines(
      fnRun,
      calls.map(([name]) => name),
    )
    expect(briefs(rest.filter((line) => !/tracer/i.test(line.text)))).toEqual([])
    expectColdStartMetricOnly(fnRun)
  })
})

describe('a required environment variable left unset', () => {
  it('fails the init: /runtime/init/error names the variable and the process exits non-zero', async () => {
    const task = need('task', 'bundles with the README recipe')
    const api = await RuntimeApi.start()
    const fn = startFunction(task, lambdaEnvironment(api, task))
    track(async () => {
      await fn.stop()
      await api.close()
    })
    const initError = await Promise.race([
      api.nextInitError(),
      fn.finished().then((end) => {
        throw new Error(`exited before posting an init error: ${describeEnd(end)}`)
      }),
    ])
    expect(JSON.stringify(initError.body)).toContain('GREETING')
    expect((initError.body as Json).errorMessage).toMatch(/GREETING/)
    const end = await fn.finished()
    expect(end.signal, describeEnd(end)).toBeNull()
    expect(end.code, describeEnd(end)).toBeGreaterThan(0)
  })
})

describe('the circuit breaker function under the runtime interface client', () => {
  it('answers through its breaker and writes nothing but the cold start metric', async () => {
    const task = need('taskInventory', 'bundles a function that uses circuitBreaker()')
    const fnRun = await runFunction(task, {}, [['stock', { sku: 'A-1' }]], track)
    expect(outcomeOf(fnRun, 'stock')).toMatchObject({ kind: 'response', body: { available: 3 } })
    expectColdStartMetricOnly(fnRun)
    expect(briefs(fnRun.lines.filter((line) => !line.metrics))).toEqual([])
  })
})

// ---------------------------------------------------------------------------------------------
// The metis-app command through npm's bin link

/** One line (no stack, nothing else) on stderr. */
const expectOneLine = (stderr: string): string => {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '')
  expect(lines, stderr).toHaveLength(1)
  expect(lines[0]).not.toMatch(/^\s+at /)
  return lines[0] as string
}

describe('the metis-app command in the app (npx, through the bin link)', () => {
  const env = userEnv({ GREETING })
  let app: string
  let bundled: string
  let eventFile: string

  beforeAll(async () => {
    app = need('app', 'installs the tarball')
    bundled = need('bundle', 'bundles with the README recipe')
    await mkdir(join(app, 'events'), { recursive: true })
    eventFile = join('events', 'hello.json')
    await writeFile(join(app, eventFile), JSON.stringify(httpEvent('http-v2', HTTP.hello)))
  })

  it('--help exits 0 and prints the usage', async () => {
    const end = await run('npx', ['metis-app', '--help'], { cwd: app, env })
    expect(end.code, describeEnd(end)).toBe(0)
    expect(end.stdout).toMatch(/^usage:/)
    expect(end.stdout).toContain('metis-app invoke')
    expect(end.stdout).toContain('metis-app serve')
    expect(end.stderr).toBe('')
  })

  it('invoke runs the bundle once on an event file and prints the result as JSON', async () => {
    const end = await run('npx', ['metis-app', 'invoke', bundled, eventFile], {
      cwd: app,
      env,
    })
    expect(end.code, describeEnd(end)).toBe(0)
    const result = JSON.parse(end.stdout) as Json
    expect(result).toMatchObject({ statusCode: 200 })
    expect(JSON.parse(String(result.body))).toEqual({ message: GREETING })
    expect(end.stderr).toBe('')
  })

  it('serve on a port in use exits 1 with one line that says so', async () => {
    const holder = createServer()
    holder.listen(0, '127.0.0.1')
    await once(holder, 'listening')
    try {
      const { port } = holder.address() as AddressInfo
      const end = await run('npx', ['metis-app', 'serve', bundled, '--port', `${port}`], {
        cwd: app,
        env,
      })
      expect(end.code, describeEnd(end)).toBe(1)
      expect(expectOneLine(end.stderr)).toMatch(/in use/)
      expect(end.stderr).toContain(String(port))
    } finally {
      await new Promise((resolve) => holder.close(resolve))
    }
  })

  it('serve --port 0 prints its URL and answers GET /hello over HTTP until stopped', async () => {
    const server = new Started('npx', ['metis-app', 'serve', bundled, '--port', '0'], {
      cwd: app,
      env,
      group: true,
    })
    track(() => server.stop())
    const [url] = await server.waitForStdout(/http:\/\/127\.0\.0\.1:\d+/)
    const response = await fetch(`${url}/hello`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ message: GREETING })
    await server.stop()
    await expect(fetch(`${url}/hello`)).rejects.toThrow()
  })

  it('invoke with a handler file that does not exist exits 1 with one line', async () => {
    const end = await run('npx', ['metis-app', 'invoke', 'no-such-handler.mjs', eventFile], {
      cwd: app,
      env,
    })
    expect(end.code, describeEnd(end)).toBe(1)
    expect(expectOneLine(end.stderr)).toContain('no-such-handler.mjs')
    expect(end.stdout).toBe('')
  })

  it('an unknown command exits 2 with one line', async () => {
    const end = await run('npx', ['metis-app', 'bogus'], { cwd: app, env })
    expect(end.code, describeEnd(end)).toBe(2)
    expect(expectOneLine(end.stderr)).toContain('bogus')
    expect(end.stdout).toBe('')
  })
})
