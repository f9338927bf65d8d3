import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI (generate; migrate deploy where the native engine exists).
// The app itself never reads this file: see server/env.ts.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  ...(process.env.DATABASE_URL ? { datasource: { url: process.env.DATABASE_URL } } : {}),
});
