// npm run db:seed: fills the configured database with a few weeks of demo history.
// It refuses a database that already holds data unless given --reset (which empties it first).
import { describeTarget, openDatabase, targetFromEnv } from '../server/db/client';
import { applyMigrations } from '../server/db/schema-engine';
import { isDatabaseEmpty, seedDemoData } from '../server/demo/seed';
import { envOrExit } from '../server/env';

const reset = process.argv.includes('--reset');
const target = targetFromEnv(envOrExit());
const db = await openDatabase(target);
try {
  if (target.kind === 'postgres') await applyMigrations(db.connection.adapterFactory);
  if (!(await isDatabaseEmpty(db.prisma))) {
    if (!reset) {
      console.error(`${describeTarget(target)} already holds data; run "npm run db:seed -- --reset" to replace it with demo data.`);
      process.exitCode = 1;
    } else {
      const tables = await db.prisma.$queryRaw<{ tablename: string }[]>`
        SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`;
      await db.prisma.$executeRawUnsafe(`TRUNCATE ${tables.map((t) => `"${t.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`);
    }
  }
  if (process.exitCode !== 1) {
    const started = Date.now();
    const summary = await seedDemoData(db.prisma);
    console.log(
      `Seeded ${describeTarget(target)} with ${summary.days} days of demo history in ${((Date.now() - started) / 1000).toFixed(1)}s: ` +
        `${summary.modelCalls} model calls, ${summary.routingDecisions} routing decisions, ${summary.bugOccurrences} bug reports, ${summary.metrics} metric values.`,
    );
  }
} finally {
  await db.close();
}
