import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/**
 * The browser suite (`npm run test:browser`, not part of `npm test`): the example service on the
 * local server, its API page at /docs driven in headless Chromium (Debian's `chromium`, or
 * `CHROMIUM_PATH`). Screenshots go to `artifacts/` (gitignored).
 */
export default defineConfig({
  resolve: {
    alias: [
      {
        find: /^metis-app\/(.*)$/,
        replacement: fileURLToPath(new URL('./src/$1/index.ts', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['tests/**/*.browser.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
