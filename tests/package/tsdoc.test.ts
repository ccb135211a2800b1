/**
 * The package's faces, read by the TypeScript compiler as an editor reads them: every export of
 * every subpath, type or value, has a TSDoc comment with an `@example` in it (a type re-exported
 * from another package, `StandardSchemaV1`, keeps that package's documentation). The count of runtime exports stays at most 90 (issue 15's budget), so that
 * a new export is a decision.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))

interface Exported {
  subpath: string
  name: string
  runtime: boolean
  external: boolean
  documented: boolean
  example: boolean
}

const readFaces = (): Exported[] => {
  const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
    exports: Record<string, string | Record<string, string>>
  }
  const faces = Object.entries(manifest.exports).flatMap(([subpath, target]) =>
    typeof target === 'object' && target['metis-source'] !== undefined
      ? [[subpath, `${root}${target['metis-source']}`] as const]
      : [],
  )
  const program = ts.createProgram(
    faces.map(([, file]) => file),
    {
      allowImportingTsExtensions: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2023,
      strict: true,
      skipLibCheck: true,
    },
  )
  const checker = program.getTypeChecker()
  return faces.flatMap(([subpath, file]) => {
    const source = program.getSourceFile(file)
    const module = source && checker.getSymbolAtLocation(source)
    if (module === undefined) throw new Error(`${file} is not a module`)
    return checker.getExportsOfModule(module).map((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
      return {
        subpath,
        name: symbol.name,
        runtime: (target.flags & ts.SymbolFlags.Value) !== 0,
        external: (target.declarations ?? []).some((declaration) =>
          declaration.getSourceFile().fileName.includes('/node_modules/'),
        ),
        documented: ts.displayPartsToString(target.getDocumentationComment(checker)).trim() !== '',
        example: target.getJsDocTags(checker).some((tag) => tag.name === 'example'),
      }
    })
  })
}

let exported: Exported[] = []
const named = (list: Exported[]) => list.map((entry) => `${entry.subpath} ${entry.name}`)

describe('the public faces', () => {
  beforeAll(() => {
    exported = readFaces()
  }, 60_000)

  it('reads every subpath', () => {
    expect(new Set(exported.map((entry) => entry.subpath)).size).toBeGreaterThanOrEqual(13)
  })

  it('documents every export', () => {
    expect(named(exported.filter((entry) => !entry.documented))).toEqual([])
  })

  it('gives every export of its own an @example', () => {
    expect(named(exported.filter((entry) => !entry.external && !entry.example))).toEqual([])
  })

  it('keeps the runtime exports within the budget of 90', () => {
    const runtime = exported.filter((entry) => entry.runtime)
    expect(runtime.length).toBeGreaterThan(50)
    expect(runtime.length).toBeLessThanOrEqual(90)
  })
})
