// npm run db:migrate: applies prisma/migrations to the configured database (embedded PGlite
// unless DATABASE_URL is set), recording them in _prisma_migrations as `prisma migrate deploy` does.
import { connect, describeTarget, migrationTarget, targetFromEnv } from '../server/db/client';
import { applyMigrations } from '../server/db/schema-engine';
import { env } from '../server/env';
import { runCli } from './cli';

await runCli(async () => {
  const target = targetFromEnv(env());
  const connection = await connect(migrationTarget(target));
  try {
    const applied = await applyMigrations(connection.adapterFactory);
    console.log(
      applied.length
        ? `Applied ${applied.length} migration(s) to ${describeTarget(target)}: ${applied.join(', ')}`
        : `${describeTarget(target)} is up to date.`,
    );
  } finally {
    await connection.close();
  }
});
