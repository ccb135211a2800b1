/**
 * The user docs' TypeScript blocks compile as written, under the options of a strict user.
 *
 * Every ```ts block of README.md and of every page in docs/ (each `docs/*.md`, listed when the test
 * runs, so that a page added later is checked too) is type-checked as its own file, all of them in
 * one program (one `ts.createProgram`, so the libraries are parsed once). Diagnostics name the
 * document and its line: `docs/router.md:12:3`. The blocks are not written to disk: an
 * in-memory compiler host serves each one at a path of its own under the repository root (so that
 * `@middy/core`, `ky`... resolve from `node_modules/` and the repository's `"type": "module"`
 * applies), and `metis-app/<part>` is mapped to `src/<part>/index.ts`.
 *
 * A block that shows part of a larger program carries, on the line right before its fence,
 * `<!-- fragment of examples/readme/<name>.ts -->`: its lines must appear in that file, in order
 * (whitespace normalised), and that file is type-checked in the same program instead.
 *
 * A block of ambient declarations only (the `declare module` shim for Middy's optional peer) is
 * compiled as a `.d.ts` file, as the README has its reader save it, and applies to every block.
 *
 * Diagnostics are reported for the blocks, the example files and the declaration files the blocks
 * bring in (no `skipLibCheck`, as the README promises; TypeScript's `lib` and Node's types aside,
 * see `isPlatform`). The implementation in `src/` is not: it is the job of
 * `tsc --noEmit -p tsconfig.json`, under the repository's own options (with
 * `exactOptionalPropertyTypes` off).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)))
const docsDir = join(root, 'docs')
const srcDir = join(root, 'src') + sep

/** What a strict user compiles with. */
const options: ts.CompilerOptions = {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2023,
  // No DOM: a Lambda function has Node's globals only (and DOM's would hide undeclared names
  // such as `name` or `event`).
  lib: ['lib.es2023.d.ts'],
  types: ['node'],
  skipLibCheck: false,
  noEmit: true,
  allowImportingTsExtensions: true,
  paths: { 'metis-app/*': [join(root, 'src', '*', 'index.ts')] },
}

/** One fenced ```ts block of a document. */
interface Block {
  /** The document, relative to the repository: `README.md`, `docs/router.md`. */
  readonly doc: string
  /** The document's line of the block's first line of code (1-based). */
  readonly line: number
  readonly text: string
  /** `examples/readme/<name>.ts` when the block is marked as a fragment of it. */
  readonly fragmentOf: string | undefined
  /** The path the block is compiled at. */
  readonly file: string
}

const FRAGMENT = /^<!--\s*fragment of (examples\/readme\/[\w.-]+\.ts)\s*-->$/
const CHECKED = new Set(['ts', 'typescript'])

/** README.md, then every page of docs/ in name order (docs/api/ is TypeDoc's output). */
const documents = [
  'README.md',
  ...readdirSync(docsDir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => `docs/${entry.name}`)
    .sort(),
].map((doc) => ({ doc, lines: readFileSync(join(root, doc), 'utf8').split(/\r?\n/) }))

/**
 * True for a block of ambient declarations only (`declare module '...' { ... }`): the README has
 * its reader save such a block as a `.d.ts` file, so it is compiled as one. (In a `.ts` file of a
 * `"type": "module"` package, NodeNext makes it a module, and `declare module` an augmentation.)
 */
const declarationsOnly = (text: string): boolean => {
  const { statements } = ts.createSourceFile('block.ts', text, ts.ScriptTarget.ES2023)
  return (
    statements.length > 0 &&
    statements.every((statement) =>
      ts.canHaveModifiers(statement)
        ? ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)
        : false,
    )
  )
}

/** Every fenced block of a document whose language is TypeScript, with its fragment marker. */
const extractBlocks = (doc: string, lines: readonly string[]): Block[] => {
  const blocks: Block[] = []
  let open: { fence: string; language: string; start: number; marker: string } | undefined
  let body: string[] = []
  lines.forEach((text, index) => {
    if (open === undefined) {
      const fence = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(text)
      if (fence === null) return
      const marker = FRAGMENT.exec(lines[index - 1]?.trim() ?? '')?.[1] ?? ''
      open = { fence: fence[1] ?? '```', language: fence[2] ?? '', start: index + 2, marker }
      body = []
      return
    }
    const closing = text.trim()
    if (
      closing.startsWith(open.fence) &&
      /^(`+|~+)$/.test(closing) &&
      closing[0] === open.fence[0]
    ) {
      if (CHECKED.has(open.language.toLowerCase())) {
        const text = `${body.join('\n')}\n`
        const extension = declarationsOnly(text) ? '.d.ts' : '.ts'
        blocks.push({
          doc,
          line: open.start,
          text,
          fragmentOf: open.marker === '' ? undefined : open.marker,
          file: join(
            root,
            '.readme-blocks',
            `${doc.replace('/', '-')}.line-${open.start}${extension}`,
          ),
        })
      }
      open = undefined
      return
    }
    body.push(text)
  })
  if (open !== undefined) throw new Error(`${doc}:${open.start - 1}: a fence is never closed`)
  return blocks
}

const blocks = documents.flatMap(({ doc, lines }) => extractBlocks(doc, lines))
const byFile = new Map(blocks.map((block) => [block.file, block]))
const examples = [...new Set(blocks.flatMap((block) => block.fragmentOf ?? []))].map((path) =>
  join(root, path),
)

/**
 * The in-memory host: the blocks are served from memory, everything else from disk. The dynamic
 * `import()`s of `src/` (optional peers loaded on first use: the Parameters providers with their
 * SSM and Secrets Manager clients, the tracer) are left unresolved: they are not part of the
 * published declarations, so a user's compiler never loads them (and parsing them would add a
 * second to the test).
 */
const host = ts.createCompilerHost(options, true)
const { fileExists, readFile, getSourceFile } = host
host.getCurrentDirectory = () => root
host.fileExists = (file) => byFile.has(file) || fileExists.call(host, file)
host.readFile = (file) => byFile.get(file)?.text ?? readFile.call(host, file)
host.getSourceFile = (file, language, onError, shouldCreate) => {
  const block = byFile.get(file)
  if (block === undefined) return getSourceFile.call(host, file, language, onError, shouldCreate)
  return ts.createSourceFile(file, block.text, language, true)
}
const resolutions = ts.createModuleResolutionCache(root, (name) => name, options)
const isDynamicImport = (literal: ts.StringLiteralLike): boolean =>
  ts.isCallExpression(literal.parent) &&
  literal.parent.expression.kind === ts.SyntaxKind.ImportKeyword
host.resolveModuleNameLiterals = (literals, containingFile, redirected, compilerOptions, file) =>
  literals.map((literal) =>
    containingFile.startsWith(srcDir) && isDynamicImport(literal)
      ? { resolvedModule: undefined }
      : ts.resolveModuleName(
          literal.text,
          containingFile,
          compilerOptions,
          host,
          resolutions,
          redirected,
          ts.getModeForUsageLocation(file, literal, compilerOptions),
        ),
  )

const rootNames = [...blocks.filter((block) => !block.fragmentOf).map((b) => b.file), ...examples]
const program = ts.createProgram({ rootNames, options, host })

/**
 * The platform's declarations: TypeScript's own `lib` files and Node's types (`types: ['node']`).
 * Every TypeScript user compiles them, whatever the README says; checking them would take twice
 * as long as checking everything else.
 */
const platform = [
  join(root, 'node_modules', '@types', 'node'),
  join(root, 'node_modules', 'undici-types'),
]
const isPlatform = (file: ts.SourceFile): boolean =>
  program.isSourceFileDefaultLibrary(file) ||
  platform.some((dir) => file.fileName.startsWith(dir + sep))

/** The declarations the blocks bring in: Middy, Powertools, the AWS SDK, ky, jose... */
const libraries = (): ts.SourceFile[] =>
  program
    .getSourceFiles()
    .filter((file) => file.isDeclarationFile && !byFile.has(file.fileName) && !isPlatform(file))

/** `<document>:<line>:<column>` for a block, the repository path for any other file. */
const where = (file: ts.SourceFile, position: number): string => {
  const { line, character } = file.getLineAndCharacterOfPosition(position)
  const block = byFile.get(file.fileName)
  if (block !== undefined) return `${block.doc}:${block.line + line}:${character + 1}`
  return `${relative(root, file.fileName)}:${line + 1}:${character + 1}`
}

const report = (diagnostics: readonly ts.Diagnostic[]): string[] =>
  diagnostics.map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ')
    const at = diagnostic.file ? `${where(diagnostic.file, diagnostic.start ?? 0)} ` : ''
    return `${at}TS${diagnostic.code}: ${message}`
  })

const diagnosticsOf = (file: string): string[] => {
  const source = program.getSourceFile(file)
  if (source === undefined) return [`${relative(root, file)}: not in the program (missing?)`]
  return report([
    ...program.getSyntacticDiagnostics(source),
    ...program.getSemanticDiagnostics(source),
  ])
}

/** Trimmed lines with runs of whitespace collapsed, blank lines left out. */
const normalisedLines = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter((line) => line !== '')

/** The block's lines that do not appear in `file`, in order after the previous ones. */
const missingLines = (block: Block, file: string): string[] => {
  const lines = normalisedLines(readFileSync(file, 'utf8'))
  let next = 0
  const missing: string[] = []
  for (const line of normalisedLines(block.text)) {
    const found = lines.indexOf(line, next)
    if (found === -1) missing.push(line)
    else next = found + 1
  }
  return missing
}

const title = (block: Block): string => {
  const first = block.text.split('\n').find((line) => line.trim() !== '') ?? ''
  const fragment = block.fragmentOf ? ` (fragment of ${block.fragmentOf})` : ''
  return `${block.doc}:${block.line}${fragment} ${first.trim().slice(0, 70)}`
}

describe('the code blocks of README.md and docs/*.md compile', () => {
  it('has TypeScript blocks, and every fragment marker sits right before one', () => {
    expect(blocks.length).toBeGreaterThan(0)
    const stray = documents.flatMap(({ doc, lines }) =>
      lines.flatMap((text, index) =>
        text.includes('fragment of') &&
        text.trim().startsWith('<!--') &&
        !blocks.some(
          (block) =>
            block.doc === doc && block.line === index + 3 && block.fragmentOf !== undefined,
        )
          ? [`${doc}:${index + 1}: ${text.trim()}`]
          : [],
      ),
    )
    expect(stray).toEqual([])
  })

  it('under valid options, and the libraries they bring in check without skipLibCheck', () => {
    expect(
      report([
        ...program.getOptionsDiagnostics(),
        ...program.getGlobalDiagnostics(),
        ...libraries().flatMap((file) => program.getSemanticDiagnostics(file)),
      ]),
    ).toEqual([])
  })

  for (const block of blocks) {
    it(title(block), () => {
      if (block.fragmentOf === undefined) {
        expect(diagnosticsOf(block.file)).toEqual([])
        return
      }
      const example = join(root, block.fragmentOf)
      expect(missingLines(block, example), `lines not found in ${block.fragmentOf}`).toEqual([])
      expect(diagnosticsOf(example)).toEqual([])
    })
  }
})
