/**
 * The `metis-app` executable as npm installs it: a symlink in `node_modules/.bin` to the bin file.
 * The command once checked that it was the entry point by comparing its URL with
 * `process.argv[1]`, the symlink, and so did nothing; here it runs through a symlink in its own
 * process, from source (Node runs the `.ts` files as they are).
 */
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import ky from 'ky'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { usage } from '../../src/local/cli.ts'

const run = promisify(execFile)
const bin = fileURLToPath(new URL('../../src/local/bin.ts', import.meta.url))

describe('the metis-app executable through a bin symlink', () => {
  let dir: string
  let link: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metis-bin-'))
    link = join(dir, 'metis-app')
    await symlink(bin, link)
    await writeFile(
      join(dir, 'handler.mjs'),
      "export const handler = async (event) => ({ statusCode: 200, body: event.rawPath ?? 'none' })\n",
    )
    await writeFile(join(dir, 'event.json'), '{"rawPath":"/from-file"}')
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('prints its usage for --help and exits 0', async () => {
    const { stdout, stderr } = await run(process.execPath, [link, '--help'])
    expect(stdout).toBe(`${usage}\n`)
    expect(stderr).toBe('')
  })

  it('invokes a handler and prints its result', async () => {
    const { stdout } = await run(process.execPath, [
      link,
      'invoke',
      join(dir, 'handler.mjs'),
      join(dir, 'event.json'),
    ])
    expect(JSON.parse(stdout)).toEqual({ statusCode: 200, body: '/from-file' })
  })

  it('exits 2 with one line for a wrong argument', async () => {
    const failed = await run(process.execPath, [link, 'bogus']).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    )
    expect(failed).toMatchObject({
      code: 2,
      stdout: '',
      stderr:
        'metis-app: unknown command bogus: invoke, serve or openapi (metis-app --help for usage)\n',
    })
  })

  it('serves until it is stopped by a signal', async () => {
    const child = spawn(process.execPath, [link, 'serve', join(dir, 'handler.mjs')], {
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = ''
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString()
          const found = /on (http:\/\/\S+)/.exec(text)
          if (found?.[1] !== undefined) resolve(found[1])
        })
        child.once('exit', (code) => reject(new Error(`exited ${code}`)))
      })
      expect(await ky.get(`${url}/hello`).text()).toBe('/hello')
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
  })
})
