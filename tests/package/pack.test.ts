/**
 * What `npm pack` ships is what a user installs (metis-app is installed from a tarball or git):
 * the tarball holds a built file and its types for every entry of the export map, the `bin`
 * executable, and nothing of the repository's sources, tests or source maps. Its types name no
 * package a user of that part would not have installed.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, Record<string, string>>
  bin: Record<string, string>
  peerDependencies: Record<string, string>
  dependencies: Record<string, string>
}

/** The package a bare import specifier names (`@scope/name` or `name`). */
const packageOf = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/')

describe('npm pack', () => {
  let dir: string
  let files: string[]
  let unpacked: string

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'metis-pack-'))
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as [{ filename: string; files: { path: string }[] }]
    files = packed.files.map((file) => file.path).sort()
    unpacked = join(dir, 'package')
    execFileSync('tar', ['xzf', join(dir, packed.filename), '-C', dir])
  }, 120_000)
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  it('ships the built file and the types of every export, and the bin executable', () => {
    const targets = Object.values(manifest.exports).flatMap((conditions) => [
      conditions.types,
      conditions.import,
    ])
    expect(targets.length).toBe(Object.keys(manifest.exports).length * 2)
    for (const target of [...targets, ...Object.values(manifest.bin)]) {
      expect(files).toContain(String(target).replace(/^\.\//, ''))
    }
    const bin = readFileSync(join(unpacked, manifest.bin['metis-app'] ?? ''), 'utf8')
    expect(bin.startsWith('#!/usr/bin/env node\n')).toBe(true)
  })

  it('ships the page of every docs/ link the README makes, so the links work in node_modules', () => {
    const readme = readFileSync(join(unpacked, 'README.md'), 'utf8')
    const linked = [...readme.matchAll(/\]\((docs\/[\w.-]+\.md)(?:#[\w-]*)?\)/g)].map((m) => m[1])
    expect(linked.length).toBeGreaterThan(5)
    for (const page of linked) expect(files).toContain(page)
  })

  it('ships no sources, tests or source maps, and a declaration beside every module', () => {
    const shipped = files.filter(
      (file) =>
        !['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE'].includes(file) &&
        !/^docs\/[\w.-]+\.md$/.test(file),
    )
    expect(shipped.filter((file) => !file.startsWith('dist/'))).toEqual([])
    expect(shipped.filter((file) => file.endsWith('.map'))).toEqual([])
    const modules = shipped.filter((file) => file.endsWith('.js'))
    for (const module of modules) expect(files).toContain(module.replace(/\.js$/, '.d.ts'))
  })

  it('names in its types only the packages a user of that part installs', () => {
    const declared = new Set([
      ...Object.keys(manifest.dependencies),
      ...Object.keys(manifest.peerDependencies),
    ])
    // The declarations a user's compiler reads: from each export's types, their relative imports.
    const named = new Map<string, Set<string>>()
    const pending = Object.values(manifest.exports).map((conditions) =>
      String(conditions.types).replace(/^\.\//, ''),
    )
    const read = new Set<string>()
    for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
      if (read.has(file)) continue
      read.add(file)
      const text = readFileSync(join(unpacked, file), 'utf8')
      // import statements and import() types, outside comments (the TSDoc examples import freely)
      const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
      for (const [, specifier = ''] of code.matchAll(/(?:from\s+|import\()'([^']+)'/g)) {
        if (specifier.startsWith('.')) {
          pending.push(join(dirname(file), specifier).replace(/\.(ts|js)$/, '.d.ts'))
          continue
        }
        const name = packageOf(specifier)
        if (!named.has(name)) named.set(name, new Set())
        named.get(name)?.add(file.split('/')[1] ?? '')
      }
    }
    expect(read.size).toBeGreaterThan(Object.keys(manifest.exports).length)
    for (const name of named.keys()) {
      if (!name.startsWith('node:')) expect([...declared, 'aws-lambda']).toContain(name)
    }
    // DynamoDB's types stay out: a user without a DynamoDB store does not install the SDK.
    expect([...named.keys()].filter((name) => name.startsWith('@aws-sdk/'))).toEqual([])
    // Powertools' types appear only in the observer's declarations.
    const powertools = [...named].filter(([name]) => name.startsWith('@aws-lambda-powertools/'))
    expect(new Set(powertools.flatMap(([, parts]) => [...parts]))).toEqual(new Set(['observer']))
  })
})
