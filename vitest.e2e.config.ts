import { defineConfig } from 'vitest/config'

/**
 * The end-to-end suite (`npm run test:e2e`): packs the package, installs it in a fresh app outside
 * the repository, type-checks and bundles that app as the README says, and runs the bundle under
 * AWS's runtime interface client and through the `metis-app` command. One file, one step after
 * the other; the steps run npm, tsc and esbuild, hence the long timeouts.
 */
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.test.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    sequence: { concurrent: false, shuffle: false },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
