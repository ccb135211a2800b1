/**
 * Secret hygiene: every line the test suite writes is kept, and scanned at the end for the client
 * secrets and bearer tokens the tests used.
 *
 * - `hygiene.setup.ts` (a vitest setup file) tees each worker's `process.stdout` / `process.stderr`
 *   writes and `console` calls into a file of {@link HYGIENE_DIR_ENV}'s directory.
 * - Tests call {@link registerSecret} with each secret and token they use; without the directory
 *   (a test run outside the suite) it does nothing.
 * - `hygiene.global.ts` (a vitest global setup) makes the directory and, at teardown,
 *   {@link scanLogs}: a hit is any registered secret, any signed JWT, a test identity provider's
 *   client secret, or a Basic credential of its client, anywhere in the written output.
 */
import { appendFileSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { threadId } from 'node:worker_threads'

/** The environment variable that names the directory of the captured output and secrets. */
export const HYGIENE_DIR_ENV = 'METIS_HYGIENE_DIR'

const dir = (): string | undefined => {
  const value = process.env[HYGIENE_DIR_ENV]
  return value === undefined || value === '' ? undefined : value
}

/** Registers secrets (client secrets, bearer tokens) that must never be written anywhere. */
export const registerSecret = (...secrets: readonly string[]): void => {
  const target = dir()
  if (target === undefined) return
  const kept = secrets.filter((secret) => secret.length >= 8)
  if (kept.length === 0) return
  appendFileSync(join(target, `secrets-${process.pid}-${threadId}.txt`), `${kept.join('\n')}\n`)
}

/** Appends written output to this worker's capture file. */
export const keepOutput = (text: string): void => {
  const target = dir()
  if (target === undefined) return
  appendFileSync(join(target, `out-${process.pid}-${threadId}.log`), text)
}

// Secrets nobody registered still have a recognisable form:
const PATTERNS: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  // a signed JWT (an HS256 signature is 43 characters, RS256 342)
  { name: 'signed JWT', pattern: /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{43,}/ },
  // the client secret tests/support/oidc.ts makes
  {
    name: 'test identity provider client secret',
    pattern: /secret-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/,
  },
  // client_secret_basic of its client: base64 of "metis-test-client:" followed by the secret
  {
    name: 'Basic credential of the test client',
    pattern: new RegExp(Buffer.from('metis-test-client:').toString('base64')),
  },
]

/** One secret found in the output: where, and which (masked). */
export interface Hit {
  readonly file: string
  readonly what: string
}

/** What the scan read and found. */
export interface ScanReport {
  readonly files: number
  readonly lines: number
  readonly bytes: number
  readonly secrets: number
  readonly hits: readonly Hit[]
}

/** A secret as it may be printed: its first characters and its length. */
export const mask = (secret: string): string => `${secret.slice(0, 6)}... (${secret.length} chars)`

/** Scans every capture file of `directory` (plus `extra` texts) for the registered secrets and the patterns. */
export const scanLogs = (
  directory: string,
  extra: readonly { name: string; text: string }[] = [],
): ScanReport => {
  const names = readdirSync(directory)
  const secrets = new Set<string>()
  for (const name of names.filter((n) => n.startsWith('secrets-'))) {
    for (const line of readFileSync(join(directory, name), 'utf8').split('\n')) {
      if (line !== '') secrets.add(line)
    }
  }
  const outputs = [
    ...names
      .filter((n) => n.startsWith('out-'))
      .map((name) => ({ name, text: readFileSync(join(directory, name), 'utf8') })),
    ...extra,
  ]
  const hits: Hit[] = []
  let lines = 0
  let bytes = 0
  for (const { name, text } of outputs) {
    lines += text.split('\n').length - 1
    bytes += Buffer.byteLength(text)
    for (const secret of secrets) {
      if (text.includes(secret))
        hits.push({ file: name, what: `registered secret ${mask(secret)}` })
    }
    for (const { name: kind, pattern } of PATTERNS) {
      const found = pattern.exec(text)
      if (found !== null) hits.push({ file: name, what: `${kind} ${mask(found[0])}` })
    }
  }
  return { files: outputs.length, lines, bytes, secrets: secrets.size, hits }
}
