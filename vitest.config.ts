import { defineConfig } from 'vitest/config';

// The same suite runs twice: on embedded PGlite and on the PostgreSQL server.
const onDatabase = (kind: 'pglite' | 'postgres') => ({
  extends: true as const,
  test: {
    name: kind,
    include: ['server/**/*.test.ts'],
    env: { HONE_TEST_DB: kind },
  },
});

export default defineConfig({
  test: {
    projects: [onDatabase('pglite'), onDatabase('postgres')],
    // Tests of the HTTP faces run against `next start`: build once per run, when sources changed.
    globalSetup: ['server/test/harness/next-build.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
