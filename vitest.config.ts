import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const fleetOnly = process.env.METIS_FLEET === 'only'

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
    // The e2e suite has its own script and config (npm run test:e2e). Fleets (many processes on
    // one dynalite) run on their own, one file at a time: `npm run reliability` runs them after
    // the other reliability tests with METIS_FLEET=only.
    include: fleetOnly
      ? ['tests/reliability/*.fleet.test.ts']
      : ['tests/**/*.test.ts', 'examples/**/*.test.ts'],
    exclude: [
      '**/*.soak.test.ts',
      'tests/e2e/**',
      'node_modules/**',
      ...(fleetOnly ? [] : ['**/*.fleet.test.ts']),
    ],
    fileParallelism: !fleetOnly,
    // Secret hygiene: every worker's output is kept and scanned for secrets when the run ends.
    setupFiles: ['tests/reliability/hygiene.setup.ts'],
    globalSetup: ['tests/reliability/hygiene.global.ts'],
    // Source type errors are the job of `tsc --noEmit` (run first by `npm test`); here only the
    // type tests' own assertions count.
    typecheck: { enabled: true, include: ['tests/**/*.test-d.ts'], ignoreSourceErrors: true },
    testTimeout: 20_000,
    hookTimeout: 30_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // The executable runs in its own process (tests/local/bin.test.ts and the e2e suite).
      exclude: ['src/local/bin.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 95, branches: 95, functions: 95, statements: 95 },
    },
  },
})
