// Preloaded with `node --import` by tests/package/isolation.test.ts: records every module the
// process resolves and prints the list as JSON on exit, so a test can tell what importing one
// subpath of metis-app actually loads.
import { registerHooks } from 'node:module'

const loaded = new Set()
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context)
    loaded.add(resolved.url)
    return resolved
  },
})
process.on('exit', () => {
  process.stdout.write(`\n${JSON.stringify([...loaded])}\n`)
})
