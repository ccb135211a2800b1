/**
 * The OpenAPI document outside the Lambda: `metis-app openapi <file>` (in-process, through
 * `main`), and the local server's API page (`serve(handler, { docs })`, real HTTP on 127.0.0.1):
 * the page, its Swagger UI assets from `node_modules`, and the document it loads.
 */
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../examples/service/handler.ts'
import { main } from '../../src/local/cli.ts'
import { type LocalServer, serve } from '../../src/local/index.ts'
import { type OpenApiDocument, openapi } from '../../src/openapi/index.ts'
import { app } from './fixtures/app.ts'
import { problemsOf } from './support.ts'

const fixture = fileURLToPath(new URL('./fixtures/app.ts', import.meta.url))
const example = fileURLToPath(new URL('../../examples/service/handler.ts', import.meta.url))

const capture = () => {
  const out: string[] = []
  const error: string[] = []
  return {
    out,
    error,
    io: { out: (t: string) => out.push(t), error: (t: string) => error.push(t) },
  }
}

describe('metis-app openapi <file>', () => {
  it('prints the document of the exported app, titled and versioned from package.json', async () => {
    const { out, io } = capture()
    expect(await main(['openapi', fixture], io)).toBe(0)
    const document = JSON.parse(out.join('\n')) as OpenApiDocument
    expect(await problemsOf(document)).toEqual([])
    expect(document.info).toEqual({ title: 'metis-app', version: '0.1.0' })
    expect(Object.keys(document.paths)).toEqual(['/items/{id}'])
  })

  it("prints the example service's document through its factory, with --title, --version and --server", async () => {
    const { out, io } = capture()
    const argv = [
      'openapi',
      example,
      '--export',
      'createApp',
      '--title',
      'orders',
      '--version',
      '2.0.0',
    ]
    expect(await main([...argv, '--server', 'https://api.example.com'], io)).toBe(0)
    const document = JSON.parse(out.join('\n')) as OpenApiDocument
    expect(await problemsOf(document)).toEqual([])
    expect(document.info).toEqual({ title: 'orders', version: '2.0.0' })
    expect(document.servers).toEqual([{ url: 'https://api.example.com' }])
    const fromCode = openapi(createApp(), { info: { title: 'orders', version: '2.0.0' } })
    expect(Object.keys(document.paths)).toEqual(Object.keys(fromCode.paths))
  })

  it('refuses an export that is not a router app, a missing export, a Middy handler, and reports a factory that throws', async () => {
    for (const [name, message] of [
      ['notAnApp', 'the export notAnApp is not a router app'],
      ['nothing', 'exports none of nothing'],
      ['handler', 'the export handler is not a router app'],
    ] as const) {
      const { error, io } = capture()
      expect(await main(['openapi', fixture, '--export', name], io)).toBe(1)
      expect(error.join('\n')).toContain(message)
    }
    const thrown = capture()
    expect(await main(['openapi', fixture, '--export', 'broken'], thrown.io)).toBe(1)
    expect(thrown.error).toEqual(['metis-app: the table needs a database'])
    const { error, io } = capture()
    expect(await main(['openapi'], io)).toBe(2)
    expect(error.join('\n')).toContain('openapi takes one handler file')
  })

  it('lists the command in its usage', async () => {
    const { out, io } = capture()
    await main(['--help'], io)
    expect(out.join('\n')).toContain('metis-app openapi <handler.js>')
  })
})

describe('the API page of the local server', () => {
  let server: LocalServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  it('serves Swagger UI at /docs from node_modules, loading /openapi.json', async () => {
    server = await serve(app, { port: 0, docs: true })
    const page = await fetch(`${server.url}/docs`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const html = await page.text()
    expect(html).toContain('<script src="/docs/swagger-ui-bundle.js"></script>')
    const init = await (await fetch(`${server.url}/docs/init.js`)).text()
    expect(init).toContain('url: "/openapi.json"')
    expect(init).toContain('validatorUrl: null')
    const bundle = await fetch(`${server.url}/docs/swagger-ui-bundle.js`)
    expect(bundle.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect((await bundle.text()).length).toBeGreaterThan(100_000)
    const css = await fetch(`${server.url}/docs/swagger-ui.css`)
    expect(css.status).toBe(200)
    // Anything else goes to the handler: here the router's 404.
    expect((await fetch(`${server.url}/docs/other.js`)).status).toBe(404)
    expect((await fetch(`${server.url}/openapi.json`)).status).toBe(404)
  })

  it('answers the document it is given at its URL, and leaves other requests to the handler', async () => {
    const document = openapi(app, { info: { title: 'items', version: '1' } })
    server = await serve(app, {
      port: 0,
      docs: { path: '/api/', openapiUrl: '/spec.json', document: () => document },
    })
    const served = await fetch(`${server.url}/spec.json`)
    expect(served.headers.get('content-type')).toBe('application/json')
    expect(await served.json()).toEqual(JSON.parse(JSON.stringify(document)))
    expect((await fetch(`${server.url}/api`)).status).toBe(200)
    expect(await (await fetch(`${server.url}/api/init.js`)).text()).toContain('"/spec.json"')
    expect(await (await fetch(`${server.url}/items/7`)).json()).toEqual({ id: '7' })
    const post = await fetch(`${server.url}/api`, { method: 'POST' })
    expect(post.status).toBe(404) // the handler's answer: the page is GET only
  })

  it('serves no page without the docs option', async () => {
    server = await serve(app, { port: 0 })
    expect((await fetch(`${server.url}/docs`)).status).toBe(404)
  })

  it('serves the page and the document of a router app given to metis-app serve', async () => {
    const { io } = capture()
    const started = await main(['serve', fixture, '--export', 'app', '--port', '0'], io)
    if (typeof started === 'number') throw new Error(`exit ${started}`)
    server = started
    expect((await fetch(`${server.url}/docs`)).status).toBe(200)
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as OpenApiDocument
    expect(Object.keys(document.paths)).toEqual(['/items/{id}'])
  })

  it('lets an app that serves its own document answer /openapi.json under metis-app serve', async () => {
    const { io } = capture()
    const started = await main(['serve', fixture, '--export', 'documented', '--port', '0'], io)
    if (typeof started === 'number') throw new Error(`exit ${started}`)
    server = started
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as OpenApiDocument
    expect(document.info).toEqual({ title: 'items, as the app says', version: '7.0.0' })
  })
})
