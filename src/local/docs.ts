/**
 * The API page of the local server: Swagger UI at `/docs`, its assets read from the
 * `swagger-ui-dist` package in `node_modules` (offline: nothing is fetched from the internet),
 * loading the OpenAPI document from the server (`/openapi.json`, the handler's route or a document
 * given to the server).
 */
import { readFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/**
 * Options of the local server's API page (`serve(handler, { docs })`).
 *
 * @example
 * ```ts
 * const docs: DocsOptions = {
 *   document: () => openapi(app, { info: { title: 'Orders', version: '1.0.0' } }),
 * }
 * await serve(handler, { docs })
 * ```
 */
export interface DocsOptions {
  /** Where the page is. Default `/docs`. */
  readonly path?: string
  /** Where the page loads the OpenAPI document from. Default `/openapi.json`. */
  readonly openapiUrl?: string
  /**
   * A document the server answers at `openapiUrl` itself (or a function that writes it), for a
   * handler that does not serve one; without it, `openapiUrl` goes to the handler.
   */
  readonly document?: object | (() => object | Promise<object>)
}

const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
}

const page = (base: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API</title>
<link rel="icon" type="image/png" href="${base}/favicon-32x32.png">
<link rel="stylesheet" href="${base}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${base}/swagger-ui-bundle.js"></script>
<script src="${base}/init.js"></script>
</body>
</html>
`

// No validator badge: Swagger UI would send the document to validator.swagger.io.
const init = (url: string): string =>
  `window.ui = SwaggerUIBundle({ url: ${JSON.stringify(url)}, dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null, tryItOutEnabled: false })\n`

const send = (response: ServerResponse, status: number, type: string, body: string | Buffer) => {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-cache' })
  response.end(body)
}

/** Where `swagger-ui-dist` is, or undefined when it is not installed. */
const assetsDir = async (): Promise<string | undefined> => {
  try {
    const manifest = createRequire(import.meta.url).resolve('swagger-ui-dist/package.json')
    return dirname(manifest)
  } catch {
    return undefined
  }
}

const MISSING =
  'The API page needs the swagger-ui-dist package: npm install --save-dev swagger-ui-dist'

/**
 * Serves the API page, its assets and (when given) the document; false for any other request,
 * which then goes to the handler.
 */
export const docsAnswerer = (options: DocsOptions) => {
  const base = (options.path ?? '/docs').replace(/\/$/, '')
  const openapiUrl = options.openapiUrl ?? '/openapi.json'
  const files = new Map<string, Buffer>()
  let dir: Promise<string | undefined> | undefined
  let document: Promise<string> | undefined
  const html = page(base)
  const script = init(openapiUrl)

  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false
    const path = String(request.url).split('?', 1)[0] ?? ''
    if (path === openapiUrl && options.document !== undefined) {
      const given = options.document
      document ??= Promise.resolve(typeof given === 'function' ? given() : given).then((d) =>
        JSON.stringify(d),
      )
      send(response, 200, 'application/json', await document)
      return true
    }
    const isPage = path === base || path === `${base}/`
    const name = path.startsWith(`${base}/`) ? path.slice(base.length + 1) : undefined
    const type = name === undefined ? undefined : ASSETS[name]
    if (!isPage && name !== 'init.js' && type === undefined) return false
    dir ??= assetsDir()
    const found = await dir
    if (found === undefined) {
      send(response, 501, 'text/plain; charset=utf-8', MISSING)
      return true
    }
    if (isPage || name === undefined) {
      send(response, 200, 'text/html; charset=utf-8', html)
      return true
    }
    if (type === undefined) {
      send(response, 200, 'text/javascript; charset=utf-8', script) // init.js
      return true
    }
    let file = files.get(name)
    if (file === undefined) {
      file = await readFile(join(found, name))
      files.set(name, file)
    }
    send(response, 200, type, file)
    return true
  }
}
