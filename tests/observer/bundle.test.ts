/**
 * A handler bundled into one ES module without the `createRequire` banner (the README's deploy
 * recipe has it; a user may leave it out): Powertools Tracer's X-Ray SDK then throws
 * `Dynamic require of "util" is not supported` when it is loaded. Tracing is on by default, so
 * the observer must not answer 500 to every call: it says once that tracing is off and why, and
 * the function answers. The bundle is made by esbuild and run in its own Node process.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TRACER_UNAVAILABLE } from '../../src/observer/observer.ts'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../', import.meta.url))

const entry = `
import middy from '@middy/core'
import { observer } from 'metis-app/observer'
export const handler = middy()
  .use(observer({ serviceName: 'bundled' }))
  .handler(async (_event, context) => ({ statusCode: 200, body: String(context.observer.tracer) }))
`

const driver = `
import { handler } from './bundle.mjs'
const context = { awsRequestId: 'r', functionName: 'bundled', getRemainingTimeInMillis: () => 3000 }
const answers = []
for (let i = 0; i < 3; i++) answers.push(await handler({}, { ...context, awsRequestId: 'r' + i }))
console.log(JSON.stringify({ answers }))
`

describe('a bundle without the createRequire banner', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metis-bundle-'))
    await writeFile(join(dir, 'entry.ts'), entry)
    await writeFile(join(dir, 'driver.mjs'), driver)
    await build({
      entryPoints: [join(dir, 'entry.ts')],
      outfile: join(dir, 'bundle.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      alias: { 'metis-app/observer': join(root, 'src/observer/index.ts') },
      nodePaths: [join(root, 'node_modules')],
      logLevel: 'silent',
    })
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('answers every call, and says once that tracing is off and how to mend the bundle', async () => {
    const { stdout, stderr } = await run(process.execPath, [join(dir, 'driver.mjs')], {
      env: { PATH: process.env.PATH, POWERTOOLS_DEV: 'false' },
    })
    const answers = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as unknown
    const lines = `${stdout.trim().split('\n').slice(0, -1).join('\n')}\n${stderr}`
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(answers).toEqual({
      answers: Array.from({ length: 3 }, () => ({ statusCode: 200, body: 'undefined' })),
    })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({
      level: 'WARN',
      message: TRACER_UNAVAILABLE,
      error: { name: 'Error', message: 'Dynamic require of "util" is not supported' },
    })
    expect(lines[0]).not.toHaveProperty('error.stack')
    expect(TRACER_UNAVAILABLE).toContain('createRequire')
  })
})
