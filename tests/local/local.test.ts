import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ky from 'ky'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { main, usage } from '../../src/local/cli.ts'
import { toLambdaEvent } from '../../src/local/events.ts'
import { createLambdaContext, invoke, type LocalServer, serve } from '../../src/local/index.ts'
import { fromLambdaResult } from '../../src/local/response.ts'
import { buildRequest } from '../../src/request/index.ts'
import { loadEvent } from '../support/events.ts'

const http = ky.create({ throwHttpErrors: false, retry: 0, timeout: 5000 })

/** A handler that answers with what it was given, as our request builder reads it. */
const echo = async (event: unknown) => {
  const built = buildRequest(event)
  if (!built.ok || built.value.kind !== 'http') return { statusCode: 500, body: 'not http' }
  const r = built.value
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      shape: r.shape,
      method: r.method,
      path: r.path,
      query: r.multiValueQuery,
      cookies: r.cookies,
      body: r.body,
      bytes: r.bodyBytes ? Buffer.from(r.bodyBytes).toString('hex') : undefined,
      header: r.headers['x-test'],
      sourceIp: r.sourceIp,
    }),
  }
}

describe('serve', () => {
  let server: LocalServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  it.each([
    ['v2', 'http-v2', '/orders/a b'],
    ['v1', 'rest-v1', '/orders/a%20b'],
    ['alb', 'alb', '/orders/a%20b'],
  ] as const)(
    'turns a real HTTP request into a %s event the request builder reads as %s',
    async (version, shape, path) => {
      server = await serve(echo, { port: 0, eventVersion: version })
      const response = await http.post(`${server.url}/orders/a%20b?x=1&x=2&y=%C3%A9`, {
        headers: { 'x-test': 'yes', cookie: 'session=abc; theme=dark' },
        json: { item: 1 },
      })
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({
        shape,
        method: 'POST',
        path,
        query: { x: ['1', '2'], y: ['é'] },
        cookies: { session: 'abc', theme: 'dark' },
        body: '{"item":1}',
        header: 'yes',
        sourceIp: '127.0.0.1',
      })
    },
  )

  it('passes a binary body as base64 and writes a base64 result back as bytes', async () => {
    server = await serve(
      async (event: { body?: string; isBase64Encoded?: boolean }) => ({
        statusCode: 200,
        headers: { 'content-type': 'application/octet-stream' },
        body: event.body,
        isBase64Encoded: event.isBase64Encoded,
      }),
      { port: 0 },
    )
    const bytes = new Uint8Array([0, 1, 2, 250, 255])
    const response = await http.post(server.url, {
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    })
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes)
  })

  it('writes multi-value headers and v2 cookies as separate header lines', async () => {
    server = await serve(
      async () => ({
        statusCode: 201,
        headers: { 'x-one': 'a' },
        multiValueHeaders: { 'x-many': ['1', '2'] },
        cookies: ['a=1; HttpOnly', 'b=2'],
        body: 'made',
      }),
      { port: 0 },
    )
    const response = await http.get(server.url)
    expect(response.status).toBe(201)
    expect(response.headers.get('x-one')).toBe('a')
    expect(response.headers.get('x-many')).toBe('1, 2')
    expect(response.headers.getSetCookie()).toEqual(['a=1; HttpOnly', 'b=2'])
    expect(await response.text()).toBe('made')
  })

  it('answers a handler that throws or returns garbage with a 502, and keeps serving', async () => {
    const reported: string[] = []
    let calls = 0
    server = await serve(
      async () => {
        calls += 1
        if (calls === 1) throw new Error('secret internals')
        if (calls === 2) return { statusCode: 'teapot' }
        if (calls === 3) return { statusCode: 200, body: { not: 'a string' } }
        return { statusCode: 200, body: 'fine' }
      },
      { port: 0, eventVersion: 'v1', onError: (message) => reported.push(message) },
    )
    const thrown = await http.get(server.url)
    expect(thrown.status).toBe(502)
    expect(await thrown.text()).not.toContain('secret internals')
    const garbage = await http.get(server.url)
    expect(garbage.status).toBe(502)
    expect(await garbage.json()).toMatchObject({
      detail: expect.stringContaining('statusCode "teapot"'),
    })
    expect((await http.get(server.url)).status).toBe(502)
    const fine = await http.get(server.url)
    expect(fine.status).toBe(200)
    expect(await fine.text()).toBe('fine')
    expect(reported).toHaveLength(3)
  })

  it('answers a body over the limit with a 413 without invoking the handler', async () => {
    let invoked = false
    server = await serve(
      async () => {
        invoked = true
        return { statusCode: 200 }
      },
      { port: 0, maxBodyBytes: 10 },
    )
    const response = await http.post(server.url, { body: 'x'.repeat(100) })
    expect(response.status).toBe(413)
    expect(invoked).toBe(false)
  })

  it('infers a 200 JSON response from a v2 result without a statusCode, as HTTP API does', async () => {
    server = await serve(async () => ({ hello: 'world' }), { port: 0 })
    const response = await http.get(server.url)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(await response.json()).toEqual({ hello: 'world' })
  })

  it('reports to stderr by default and serves on IPv6 loopback when asked', async () => {
    server = await serve(
      async () => {
        throw new Error('boom')
      },
      { port: 0, host: '::1' },
    )
    expect(server.url).toMatch(/^http:\/\/\[::1\]:\d+$/)
    const write = process.stderr.write
    const written: string[] = []
    process.stderr.write = ((text: string) => written.push(text) > 0) as typeof process.stderr.write
    try {
      expect((await http.get(server.url)).status).toBe(502)
    } finally {
      process.stderr.write = write
    }
    expect(written.join('')).toContain('metis-app local: the handler threw')
  })

  it('answers 504 to a handler that never answers, and keeps serving', async () => {
    const reported: string[] = []
    let calls = 0
    server = await serve(
      () => {
        calls += 1
        return calls === 1 ? new Promise(() => undefined) : { statusCode: 204 }
      },
      { port: 0, timeoutMs: 50, onError: (message) => reported.push(message) },
    )
    const hung = await http.get(server.url)
    expect(hung.status).toBe(504)
    expect(await hung.json()).toMatchObject({ detail: 'The handler did not answer within 50 ms' })
    expect((await http.get(server.url)).status).toBe(204)
    expect(reported).toEqual(['the handler did not answer within 50 ms'])
  })

  it('answers 502 to a header value that would split the response, and serves odd names', async () => {
    server = await serve(
      (event: { rawPath: string; queryStringParameters?: Record<string, string> }) =>
        event.rawPath === '/split'
          ? { statusCode: 302, headers: { Location: '/x\r\nSet-Cookie: pwn=1' } }
          : {
              statusCode: 200,
              headers: { constructor: 'ok' },
              body: JSON.stringify(event.queryStringParameters),
            },
      { port: 0, onError: () => undefined },
    )
    const split = await http.get(`${server.url}/split`, { redirect: 'manual' })
    expect(split.status).toBe(502)
    expect(split.headers.get('set-cookie')).toBeNull()
    const odd = await http.get(`${server.url}/odd?constructor=1&__proto__=2&toString=3`)
    expect(odd.status).toBe(200)
    expect(odd.headers.get('constructor')).toBe('ok')
    expect(await odd.json()).toEqual(
      Object.fromEntries([
        ['constructor', '1'],
        ['__proto__', '2'],
        ['toString', '3'],
      ]),
    )
  })

  it('keeps a path that starts with // as the path, as API Gateway does', async () => {
    server = await serve(
      (event: { rawPath: string }) => ({ statusCode: 200, body: event.rawPath }),
      { port: 0 },
    )
    expect(await (await http.get(`${server.url}//echo/a`)).text()).toBe('//echo/a')
  })

  it('refuses to start on a port that is taken', async () => {
    server = await serve(echo, { port: 0 })
    await expect(serve(echo, { port: server.port })).rejects.toThrow(/EADDRINUSE/)
  })
})

/** A GET over real HTTP to `address:port` with the given Host header (ky cannot set Host). */
const getWithHost = (
  address: string,
  port: number,
  host: string,
): Promise<{ status: number; type: string | undefined; body: string }> =>
  new Promise((resolve, reject) => {
    const outgoing = request({ host: address, port, path: '/orders/1', headers: { host } })
    outgoing.on('error', reject)
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          type: response.headers['content-type'],
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      )
    })
    outgoing.end()
  })

describe('serve and the Host header (DNS rebinding)', () => {
  let server: LocalServer | undefined
  let invoked = 0
  const counting = async () => {
    invoked += 1
    return { statusCode: 200, body: 'local' }
  }
  afterEach(async () => {
    await server?.close()
    server = undefined
    invoked = 0
  })

  it('on loopback, answers 403 problem+json to a Host that is not this machine, without invoking the handler', async () => {
    server = await serve(counting, { port: 0 })
    const { port } = server
    for (const host of [
      'attacker.example',
      `attacker.example:${port}`,
      `localhost.attacker.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      `[::2]:${port}`,
    ]) {
      const refused = await getWithHost('127.0.0.1', port, host)
      expect(refused.status, host).toBe(403)
      expect(refused.type).toBe('application/problem+json')
      expect(JSON.parse(refused.body)).toMatchObject({ status: 403, title: 'Forbidden' })
    }
    // HTTP/1.0 may leave Host out (Node answers 400 to an HTTP/1.1 request without it): refused
    const statusLine = await new Promise<string>((resolve, reject) => {
      let received = ''
      const socket = connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.0\r\n\r\n'))
      socket.on('data', (chunk) => {
        received += String(chunk)
      })
      socket.on('error', reject)
      socket.on('close', () => resolve(received.split('\r\n')[0] ?? ''))
    })
    expect(statusLine).toMatch(/^HTTP\/1\.[01] 403 Forbidden$/)
    expect(invoked).toBe(0)
  })

  it('on loopback, serves localhost, 127.0.0.1 and [::1] with any port or none', async () => {
    server = await serve(counting, { port: 0 })
    const { port } = server
    for (const host of [
      'localhost',
      `localhost:${port}`,
      'LocalHost:80',
      '127.0.0.1',
      `127.0.0.1:${port}`,
      '[::1]',
      `[::1]:${port}`,
    ]) {
      const served = await getWithHost('127.0.0.1', port, host)
      expect(served.status, host).toBe(200)
      expect(served.body).toBe('local')
    }
    expect(invoked).toBe(7)
  })

  it('checks on every loopback bind address, and serves the address it is bound to', async () => {
    for (const bind of ['localhost', '127.0.0.2']) {
      server = await serve(counting, { port: 0, host: bind })
      const address = bind === 'localhost' ? new URL(server.url).hostname : bind
      const connectTo = address === 'localhost' ? '127.0.0.1' : address
      expect((await getWithHost(connectTo, server.port, 'attacker.example')).status).toBe(403)
      expect((await http.get(server.url)).status).toBe(200)
      await server.close()
      server = undefined
    }
  })

  it('keeps serving any Host on another bind address the user chose', async () => {
    server = await serve(counting, { port: 0, host: '0.0.0.0' })
    const served = await getWithHost('127.0.0.1', server.port, 'attacker.example')
    expect(served.status).toBe(200)
    expect(invoked).toBe(1)
  })
})

describe('fromLambdaResult', () => {
  it.each([
    [undefined, 'v1', 'not an object'],
    [{ statusCode: 99 }, 'v1', 'not an HTTP status'],
    [{ statusCode: 200, headers: { a: {} } }, 'v1', 'header a'],
    [{ statusCode: 200, multiValueHeaders: { a: 'x' } }, 'v1', 'header a is not a list'],
    [{ statusCode: 200, cookies: [1] }, 'v2', 'cookie'],
  ] as const)('rejects %j (%s) saying why', (result, version, why) => {
    const outgoing = fromLambdaResult(result, version)
    expect(outgoing.ok).toBe(false)
    if (!outgoing.ok) expect(outgoing.error).toContain(why)
  })

  it('answers an empty v2 result with an empty 200 and a string with itself', () => {
    expect(fromLambdaResult(undefined, 'v2')).toMatchObject({
      ok: true,
      value: { statusCode: 200 },
    })
    const text = fromLambdaResult('hi', 'v2')
    expect(text.ok && text.value.body.toString()).toBe('hi')
  })
})

describe('invoke and the Lambda context', () => {
  it('invokes a handler once on any event with a fresh context', async () => {
    const result = await invoke(
      (event: { Records: unknown[] }, context: { functionName: string }) => ({
        records: event.Records.length,
        name: context.functionName,
      }),
      loadEvent('s3/base'),
      { functionName: 'thumbnails' },
    )
    expect(result).toEqual({ records: 1, name: 'thumbnails' })
  })

  it('counts the remaining time down from the timeout with the injected clock', () => {
    let now = 1_000
    const context = createLambdaContext({ timeoutMs: 500, clock: () => now, requestId: 'r-1' })
    expect(context.awsRequestId).toBe('r-1')
    expect(context.getRemainingTimeInMillis()).toBe(500)
    now += 200
    expect(context.getRemainingTimeInMillis()).toBe(300)
    now += 1_000
    expect(context.getRemainingTimeInMillis()).toBe(0)
  })
})

describe('the metis-app command', () => {
  let dir: string
  const out: string[] = []
  const errors: string[] = []
  const io = { out: (t: string) => out.push(t), error: (t: string) => errors.push(t) }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metis-cli-'))
    await writeFile(
      join(dir, 'handler.mjs'),
      'export const handler = async (event) => ({ statusCode: 200, body: String(event.Records?.length ?? event.rawPath) })\nexport const notAFunction = 1\n',
    )
    await writeFile(join(dir, 'event.json'), JSON.stringify(loadEvent('sqs/base')))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('invokes a handler file on an event file and prints the result', async () => {
    expect(await main(['invoke', join(dir, 'handler.mjs'), join(dir, 'event.json')], io)).toBe(0)
    expect(JSON.parse(out.at(-1) ?? '')).toEqual({ statusCode: 200, body: '2' })
  })

  it('serves a handler file over HTTP', async () => {
    const server = await main(['serve', join(dir, 'handler.mjs'), '--port', '0'], io)
    if (typeof server === 'number') throw new Error(`exit ${server}`)
    try {
      expect(await (await http.get(`${server.url}/hello`)).text()).toBe('/hello')
      expect(out.at(-1)).toContain(server.url)
    } finally {
      await server.close()
    }
  })

  it('writes to the process streams by default', async () => {
    const write = process.stderr.write
    const written: string[] = []
    process.stderr.write = ((text: string) => written.push(text) > 0) as typeof process.stderr.write
    try {
      expect(await main([])).toBe(2)
    } finally {
      process.stderr.write = write
    }
    expect(written.join('')).toBe(
      'metis-app: no command given: invoke, serve or openapi (metis-app --help for usage)\n',
    )
  })

  it('prints its usage for --help and -h, and exits 0', async () => {
    expect(await main(['--help'], io)).toBe(0)
    expect(out.at(-1)).toBe(usage)
    expect(await main(['serve', '-h'], io)).toBe(0)
    expect(usage).toContain('PORT')
  })

  it.each([
    [[], 2, 'metis-app: no command given: invoke, serve or openapi (metis-app --help for usage)'],
    [
      ['deploy'],
      2,
      'metis-app: unknown command deploy: invoke, serve or openapi (metis-app --help for usage)',
    ],
    [['invoke', 'x.mjs'], 2, 'metis-app: invoke takes a handler file and an event file'],
    [['invoke', 'x.mjs', 'e.json', 'more'], 2, 'metis-app: invoke takes a handler file'],
    [['serve'], 2, 'metis-app: serve takes one handler file (metis-app --help for usage)'],
    [
      ['serve', 'x.mjs', '--event-version', 'v9'],
      2,
      'metis-app: --event-version must be v2, v1 or alb, not v9',
    ],
    [
      ['serve', 'x.mjs', '--port', 'http'],
      2,
      'metis-app: --port must be a port number from 0 to 65535, not http',
    ],
    [['serve', 'x.mjs', '--port', '70000'], 2, 'metis-app: --port must be a port number'],
    [['serve', 'x.mjs', '--bogus'], 2, "metis-app: Unknown option '--bogus'"],
    [
      ['invoke', 'missing.mjs', 'event.json'],
      1,
      'metis-app: cannot load missing.mjs: Cannot find module',
    ],
  ])('answers %j with exit code %i and one line', async (argv, code, says) => {
    const before = errors.length
    expect(await main(argv, io)).toBe(code)
    expect(errors.length).toBe(before + 1)
    expect(errors.at(-1)).toContain(says)
    expect(errors.at(-1)).not.toContain('\n')
  })

  it('says in one line when a handler fails to load, without its stack', async () => {
    await writeFile(
      join(dir, 'broken.mjs'),
      "throw new Error('Missing environment variable ISSUER: set it in the function\\'s configuration')\n",
    )
    expect(await main(['invoke', join(dir, 'broken.mjs'), join(dir, 'event.json')], io)).toBe(1)
    expect(errors.at(-1)).toBe(
      `metis-app: cannot load ${join(dir, 'broken.mjs')}: Missing environment variable ISSUER: set it in the function's configuration`,
    )
  })

  it('says in one line when the event file is missing or not JSON', async () => {
    await writeFile(join(dir, 'bad.json'), '{"Records": [')
    const handler = join(dir, 'handler.mjs')
    expect(await main(['invoke', handler, join(dir, 'bad.json')], io)).toBe(1)
    expect(errors.at(-1)).toMatch(/^metis-app: .*bad\.json is not JSON: [^\n]+$/)
    expect(await main(['invoke', handler, join(dir, 'none.json')], io)).toBe(1)
    expect(errors.at(-1)).toMatch(/^metis-app: cannot read .*none\.json: ENOENT[^\n]+$/)
  })

  it('takes the port from PORT, and says in one line that a busy port is in use', async () => {
    const first = await main(['serve', join(dir, 'handler.mjs')], io, { PORT: '0' })
    if (typeof first === 'number') throw new Error(`exit ${first}`)
    try {
      const argv = ['serve', join(dir, 'handler.mjs'), '--port', String(first.port)]
      expect(await main(argv, io, {})).toBe(1)
      expect(errors.at(-1)).toBe(
        `metis-app: port ${first.port} on 127.0.0.1 is in use: pass --port (or PORT) another`,
      )
      expect(await main(['serve', join(dir, 'handler.mjs')], io, { PORT: 'x' })).toBe(2)
      expect(errors.at(-1)).toBe('metis-app: PORT must be a port number from 0 to 65535, not x')
    } finally {
      await first.close()
    }
  })

  it('says in one line when it cannot listen on the address', async () => {
    const argv = ['serve', join(dir, 'handler.mjs'), '--port', '0', '--host', '192.0.2.1']
    expect(await main(argv, io, {})).toBe(1)
    expect(errors.at(-1)).toMatch(/^metis-app: cannot listen on 192\.0\.2\.1:0: [^\n]+$/)
  })

  it('says which export is missing', async () => {
    const argv = [
      'invoke',
      join(dir, 'handler.mjs'),
      join(dir, 'event.json'),
      '--export',
      'notAFunction',
    ]
    expect(await main(argv, io)).toBe(1)
    expect(errors.at(-1)).toContain('no exported function named notAFunction')
  })
})

describe('toLambdaEvent edge cases', () => {
  it('fills defaults for a bare request and appends to an existing X-Forwarded-For', () => {
    const base = {
      method: 'GET',
      url: '/',
      headers: {},
      body: Buffer.alloc(0),
      sourceIp: '10.0.0.1',
    }
    const v2 = toLambdaEvent(base, 'v2', new Date(0)) as { requestContext: Record<string, unknown> }
    expect(v2.requestContext).toMatchObject({ domainName: 'localhost', timeEpoch: 0 })
    expect(v2).not.toHaveProperty('body')
    const v1 = toLambdaEvent(
      { ...base, headers: { 'x-forwarded-for': ['1.2.3.4'], 'x-empty': [] } },
      'v1',
    ) as { headers: Record<string, string>; body: unknown; queryStringParameters: unknown }
    expect(v1.headers['x-forwarded-for']).toBe('1.2.3.4, 10.0.0.1')
    expect(v1.headers).not.toHaveProperty('x-empty')
    expect(v1.body).toBeNull()
    expect(v1.queryStringParameters).toBeNull()
  })

  it('sends text bodies of any text media type as text', () => {
    const event = toLambdaEvent(
      {
        method: 'POST',
        url: '/',
        headers: { 'content-type': ['application/vnd.api+json; charset=utf-8'] },
        body: Buffer.from('{"a":1}'),
        sourceIp: '::1',
      },
      'alb',
    ) as { body: string; isBase64Encoded: boolean }
    expect(event).toMatchObject({ body: '{"a":1}', isBase64Encoded: false })
  })
})

describe('a client that goes away', () => {
  it('reports a request whose body never finishes, and keeps serving', async () => {
    const reported: string[] = []
    const server = await serve(async () => ({ statusCode: 204 }), {
      port: 0,
      onError: (message) => reported.push(message),
    })
    try {
      await new Promise<void>((resolve) => {
        const socket = connect(server.port, '127.0.0.1', () => {
          socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nshort')
          setImmediate(() => socket.destroy())
        })
        socket.on('close', () => resolve())
      })
      await expect.poll(() => reported).toEqual(['the request failed'])
      expect((await http.get(server.url)).status).toBe(204)
    } finally {
      await server.close()
    }
  })

  it('has the no-op callbacks a Lambda context carries', () => {
    const context = createLambdaContext()
    expect(context.functionName).toBe('local')
    expect([context.done(), context.fail('x'), context.succeed('y')]).toEqual([
      undefined,
      undefined,
      undefined,
    ])
  })
})
