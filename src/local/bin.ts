#!/usr/bin/env node
/**
 * The `metis-app` executable (package.json `bin`): runs {@link main} on the process's arguments.
 * A separate file, so that no entry-point check is needed: npm's bin link is a symlink, and
 * `process.argv[1]` names the link, not this file.
 * @module
 */
import { main } from './cli.ts'

const outcome = await main(process.argv.slice(2))
if (typeof outcome === 'number') process.exitCode = outcome
else {
  const stop = () => void outcome.close().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
