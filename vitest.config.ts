import { configDefaults, defineConfig } from 'vitest/config';

// The same suite runs twice: on embedded PGlite and on the PostgreSQL server.
const onDatabase = (kind: 'pglite' | 'postgres') => ({
  extends: true as const,
  test: {
    name: kind,
    include: ['server/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'server/**/*.unit.test.ts'],
    env: { HONE_TEST_DB: kind },
  },
});

// Pure functions (chart preparation, URL controls, the routing matcher, input guards, the registry): no database, run once.
const unit = {
  extends: true as const,
  test: {
    name: 'unit',
    include: ['app/**/*.unit.test.ts', 'components/**/*.unit.test.ts', 'server/**/*.unit.test.ts', 'scripts/**/*.unit.test.ts'],
  },
};

// The dashboard in Chromium against `next start` (builds first when the build is stale).
const e2e = {
  extends: true as const,
  test: { name: 'e2e', include: ['e2e/**/*.e2e.test.ts'], testTimeout: 120_000, hookTimeout: 900_000 },
};

export default defineConfig({
  test: {
    projects: [onDatabase('pglite'), onDatabase('postgres'), unit, e2e],
    // The HTTP-face and browser tests run against `next start`: build once per run, when sources changed.
    globalSetup: ['server/testing/next-build.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
