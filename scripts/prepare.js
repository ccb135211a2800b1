// npm runs `prepare` after `npm install` / `npm ci` here and when a user installs metis-app from
// git or a folder: it builds dist/ then. On `npm pack` and `npm publish` npm runs `prepack` too,
// which builds it already, so this step leaves it to that one instead of building twice.
import { execSync } from 'node:child_process'

if (!['pack', 'publish'].includes(process.env.npm_command ?? '')) {
  execSync('npm run build', { stdio: 'inherit' })
}
