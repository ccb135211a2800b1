/**
 * The parts of README.md the suite runs as a user would copy them: the install line of the Quick
 * start's peers, the Middy type shim, the Quick start itself and the deploy recipe.
 */
import { readFileSync } from 'node:fs'
import { basename, extname, join } from 'node:path'
import { REPO } from './commands.ts'

/** The README as it is now. */
export const readme = (): string => readFileSync(join(REPO, 'README.md'), 'utf8')

/** Where the first line that `after` matches is, and the body of the next `language` block. */
const block = (text: string, after: RegExp, language: string) => {
  const lines = text.split('\n')
  const start = lines.findIndex((line) => after.test(line))
  if (start < 0) throw new Error(`README.md has no line matching ${after}`)
  const open = lines.findIndex(
    (line, index) => index > start && line.trim() === `\`\`\`${language}`,
  )
  if (open < 0) throw new Error(`README.md has no \`\`\`${language} block after ${after}`)
  const close = lines.findIndex((line, index) => index > open && line.trim() === '```')
  if (close < 0) throw new Error(`README.md's \`\`\`${language} block after ${after} is not closed`)
  return { start, open, close, lines, body: lines.slice(open + 1, close).join('\n') }
}

/** The body of the first fenced block of `language` after the first line that `after` matches. */
export const blockAfter = (text: string, after: RegExp, language: string): string =>
  block(text, after, language).body

/** The commands of a shell block: backslash-continued lines joined, blank lines dropped. */
export const commandsOf = (body: string): string[] =>
  body
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))

/** The TypeScript of the "Quick start" section. */
export const quickStart = (): string => blockAfter(readme(), /^## Quick start\s*$/, 'ts')

/** A package the README tells a user to install. */
export interface Peer {
  readonly name: string
  readonly dev: boolean
}

/** The packages of the `npm install` lines that follow "The Quick start below needs". */
export const quickStartPeers = (): Peer[] =>
  commandsOf(blockAfter(readme(), /The Quick start below needs/, 'sh')).flatMap((command) => {
    const words = command.split(/\s+/)
    if (words[0] !== 'npm' || (words[1] !== 'install' && words[1] !== 'i')) {
      throw new Error(`not an npm install line: ${command}`)
    }
    const dev = words.some((word) => word === '-D' || word === '--save-dev')
    return words
      .slice(2)
      .filter((word) => !word.startsWith('-'))
      .map((name) => ({ name, dev }))
  })

/**
 * The file the README tells a user with `skipLibCheck: false` to add for Middy's types (its path
 * and text), or undefined when the README asks for none.
 */
export const middyTypeShim = (): { path: string; text: string } | undefined => {
  const text = readme()
  const asked = /add this file to your\s+project, e\.g\. `([^`]+\.d\.ts)`/.exec(text)
  if (asked?.[1] === undefined) return undefined
  return { path: asked[1], text: `${blockAfter(text, /e\.g\. `[^`]+\.d\.ts`/, 'ts')}\n` }
}

/** Splits a command line into shell words, keeping each word's quotes as written. */
const words = (line: string): string[] => line.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? []

/** The README's esbuild command, read into its parts so that variants of it can be made. */
export class Recipe {
  /** The words of the command as written. */
  readonly words: readonly string[]

  constructor(command: string) {
    this.words = words(command)
    if (this.words[0] !== 'npx' || this.words[1] !== 'esbuild') {
      throw new Error(`the deploy recipe is not an npx esbuild command: ${command}`)
    }
  }

  /** The command line. */
  get command(): string {
    return this.words.join(' ')
  }

  /** The entry point (the one word after `esbuild` that is not a flag). */
  get entry(): string {
    const entries = this.words.slice(2).filter((word) => !word.startsWith('-'))
    if (entries.length !== 1) throw new Error(`the recipe has entries ${entries.join(', ')}`)
    return entries[0] as string
  }

  private flag(name: string): string | undefined {
    const prefix = `${name}=`
    return this.words.find((word) => word.startsWith(prefix))?.slice(prefix.length)
  }

  /** The directory to zip: `--outdir`, or the directory of `--outfile`. */
  get outDir(): string {
    const outdir = this.flag('--outdir')
    if (outdir !== undefined) return outdir
    const outfile = this.flag('--outfile')
    if (outfile === undefined) throw new Error('the recipe has neither --outdir nor --outfile')
    return outfile.includes('/') ? outfile.slice(0, outfile.lastIndexOf('/')) : '.'
  }

  /** The handler's file in the output directory. */
  get mainFile(): string {
    const outfile = this.flag('--outfile')
    if (outfile !== undefined) return outfile
    const extension = this.flag('--out-extension:.js') ?? '.js'
    return `${this.outDir}/${basename(this.entry, extname(this.entry))}${extension}`
  }

  /** The Lambda handler setting for the bundle's `handler` export: `<file name>.handler`. */
  get handler(): string {
    return `${basename(this.mainFile, extname(this.mainFile))}.handler`
  }

  /** True when the recipe gives the bundle a `require` through a banner. */
  get hasBanner(): boolean {
    return this.words.some((word) => word.startsWith('--banner:js='))
  }

  /** The same command with another entry point, output directory, or without the banner. */
  variant(changes: { entry?: string; outDir?: string; banner?: false }): Recipe {
    const entry = this.entry
    const outDir = this.outDir
    const changed = this.words.flatMap((word) => {
      if (changes.banner === false && word.startsWith('--banner:js=')) return []
      if (word === entry && changes.entry !== undefined) return [changes.entry]
      if (changes.outDir !== undefined && /^--out(dir|file)=/.test(word)) {
        const [flag, value = ''] = word.split('=', 2) as [string, string?]
        const rest = flag === '--outdir' ? '' : value.slice(outDir.length)
        return [`${flag}=${changes.outDir}${rest}`]
      }
      return [word]
    })
    return new Recipe(changed.join(' '))
  }
}

/** The deploy recipe: the one command of the first sh block after `<!-- deploy-recipe -->`. */
export const deployRecipe = (): Recipe => {
  const found = block(readme(), /^<!-- deploy-recipe -->\s*$/, 'sh')
  const between = found.lines.slice(found.start + 1, found.open)
  if (between.some((line) => line.trim() !== '')) {
    throw new Error('text stands between <!-- deploy-recipe --> and its sh block in README.md')
  }
  const commands = commandsOf(found.body)
  if (commands.length !== 1) throw new Error(`the deploy recipe is ${commands.length} commands`)
  return new Recipe(commands[0] as string)
}

/** The handler setting the README's deploy section names (`handler \`x.handler\``). */
export const documentedHandler = (): string | undefined => {
  const text = readme()
  const section = text.slice(text.indexOf('<!-- deploy-recipe -->'))
  return /handler\s+`([\w-]+\.handler)`/.exec(section)?.[1]
}
