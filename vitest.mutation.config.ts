/**
 * The tests Stryker runs against each mutant (`npm run mutation`): those of the dense logic it
 * mutates (route matching, the circuit's state machine, activity matching), without coverage,
 * type tests or the secret-hygiene scan, which have nothing to say about a mutant.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

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
    include: [
      'tests/router/http.test.ts',
      'tests/router/trie.fuzz.test.ts',
      'tests/router/samples.test.ts',
      'tests/circuit/machine.test.ts',
      'tests/circuit/machine.fuzz.test.ts',
      'tests/circuit/breaker.test.ts',
      'tests/auth/activity.fuzz.test.ts',
      'tests/auth/pdp.test.ts',
    ],
    testTimeout: 20_000,
  },
})
