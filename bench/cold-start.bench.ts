/**
 * Cold start: the minified esbuild bundle of a handler that uses one part, and of one that uses
 * all parts, against @middy/core + @middy/http-router; and the time to import each subpath in a
 * fresh Node process (median of several), against the same peer. Both read the built `dist/`
 * (`npm run bench` builds first), as a deployed function would.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('../', import.meta.url))
// Inside the project, so that `metis-app/<part>` resolves to this package (self-reference).
const dir = mkdtempSync(join(root, '.cold-start-'))

const entries: Record<string, string> = {
  'peer: @middy/core + @middy/http-router': `import middy from '@middy/core'
import httpRouter from '@middy/http-router'
export const handler = middy().handler(httpRouter([{ method: 'GET', path: '/x', handler: async () => ({ statusCode: 200 }) }]))`,
  'metis-app/request': `import middy from '@middy/core'
import { requestBuilder } from 'metis-app/request'
export const handler = middy().use(requestBuilder()).handler(async (_e, c) => c.request.kind)`,
  'metis-app/router + response': `import middy from '@middy/core'
import { router } from 'metis-app/router'
import { responder } from 'metis-app/response'
export const handler = middy().use(responder()).handler(router({ http: [{ method: 'GET', path: '/x', handler: () => 'ok' }] }))`,
  'metis-app/auth': `import middy from '@middy/core'
import { pip, pdp, tokenRequired } from 'metis-app/auth'
export const handler = middy().use(pip({ issuer: 'i', audience: 'a', jwksUri: 'https://x/jwks' })).use(pdp(tokenRequired())).handler(async () => 'ok')`,
  'metis-app/circuit': `import { circuitBreaker } from 'metis-app/circuit'
const breaker = circuitBreaker({ name: 'x' })
export const handler = async () => breaker.execute(async () => 'ok')`,
  'all parts': `import middy from '@middy/core'
import { pip, pdp } from 'metis-app/auth'
import { circuitBreaker } from 'metis-app/circuit'
import { envEstablished, handlerGuard } from 'metis-app/guard'
import { observer } from 'metis-app/observer'
import { requestBuilder } from 'metis-app/request'
import { responder } from 'metis-app/response'
import { router } from 'metis-app/router'
import { selfToken } from 'metis-app/self-token'
const app = router({ http: [{ method: 'GET', path: '/x', handler: () => 'ok' }] })
circuitBreaker({ name: 'x' })
export const handler = middy().use(observer({ serviceName: 's' })).use(responder()).use(handlerGuard(envEstablished(['A'])))
  .use(requestBuilder()).use(app.middleware()).use(pip({ issuer: 'i', audience: 'a', jwksUri: 'https://x/jwks' })).use(pdp())
  .use(selfToken({ tokenEndpoint: 'https://x/token', clientId: 'c', clientSecret: 's' })).handler(app)`,
}

const sizes: Record<string, string>[] = []
for (const [name, source] of Object.entries(entries)) {
  const file = join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.mjs`)
  writeFileSync(file, source)
  const result = await build({
    entryPoints: [file],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    external: ['@aws-sdk/*'],
    write: false,
    logLevel: 'silent',
  })
  const bytes = result.outputFiles[0]?.contents.byteLength ?? 0
  sizes.push({ handler: name, 'minified KB': (bytes / 1024).toFixed(1) })
}
console.log('\n## cold start: minified bundle (esbuild, @aws-sdk external as on Lambda)')
console.table(sizes)

const importMs = (specifier: string): number => {
  const runs: number[] = []
  for (let i = 0; i < 7; i += 1) {
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const t = performance.now(); await import('${specifier}'); console.log(performance.now() - t)`,
      ],
      { cwd: root, encoding: 'utf8' },
    )
    runs.push(Number(out.trim()))
  }
  runs.sort((a, b) => a - b)
  return runs[3] ?? Number.NaN
}

const peer = importMs('@middy/http-router')
const times = [
  ['peer: @middy/http-router', peer],
  ...[
    'result',
    'errors',
    'request',
    'router',
    'response',
    'guard',
    'auth',
    'circuit',
    'self-token',
    'observer',
    'local',
  ].map((part) => [`metis-app/${part}`, importMs(`metis-app/${part}`)] as const),
] as const
console.log('\n## cold start: import time in a fresh process (median of 7), ratio to the peer')
console.table(
  times.map(([name, ms]) => ({
    import: name,
    ms: ms.toFixed(1),
    ratio: `${(ms / peer).toFixed(2)}x`,
  })),
)
rmSync(dir, { recursive: true, force: true })
