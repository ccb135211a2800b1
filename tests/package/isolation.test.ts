/**
 * Importing one subpath of metis-app loads nothing of the others' dependencies (DESIGN section 3),
 * and nothing loads `node:http` at import (DESIGN section 6: it costs 45-65 ms of cold start).
 * Each subpath is imported in a fresh Node process that records every module it resolves.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadsOf } from '../support/loads.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))

const loadedBy = (subpath: string): string[] =>
  loadsOf(`await import('metis-app/${subpath}')`).loaded

const packagesOf = (urls: string[]): string[] => {
  const names = new Set<string>()
  for (const url of urls) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
    if (match?.[1] !== undefined) names.add(match[1])
  }
  return [...names].sort()
}

const heavy = ['jose', 'ky', '@aws-lambda-powertools', '@aws-sdk', 'oidc-provider', '@middy']

const parts: [string, string[]][] = [
  ['result', []],
  ['errors', []],
  ['request', []],
  ['response', []],
  ['router', []],
  ['guard', []],
  ['local', []],
  ['circuit', []],
  ['auth', ['jose', 'ky']],
  ['self-token', ['ky']],
  ['observer', ['@aws-lambda-powertools']],
  ['session', []],
  ['parameters', []],
  ['openapi', []],
]
const loaded = new Map(parts.map(([subpath]) => [subpath, loadedBy(subpath)]))
const urlsOf = (subpath: string): string[] => loaded.get(subpath) ?? []

describe('importing one subpath of metis-app', () => {
  it('covers every subpath the package exports', () => {
    const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
      exports: Record<string, unknown>
    }
    const exported = Object.keys(manifest.exports).map((key) => key.replace(/^\.\//, ''))
    expect(parts.map(([subpath]) => subpath).sort()).toEqual(exported.sort())
  })

  it.each(parts)('metis-app/%s loads only the dependencies it needs (%j)', (subpath, allowed) => {
    const unexpected = packagesOf(urlsOf(subpath)).filter(
      (name) =>
        heavy.some((h) => name === h || name.startsWith(`${h}/`)) &&
        !allowed.some((a) => name === a || name.startsWith(`${a}/`)),
    )
    expect(unexpected).toEqual([])
  })

  // The observer too: it loads Powertools Tracer (and the X-Ray SDK, which imports node:http) only
  // when tracing is on, on the first invocation.
  it.each(parts.map(([subpath]) => subpath))(
    'metis-app/%s does not load node:http at import',
    (subpath) => {
      expect(urlsOf(subpath).filter((url) => url === 'node:http' || url === 'node:https')).toEqual(
        [],
      )
    },
  )
})
