// npm run db:seed: fills the configured database with a few weeks of demo history.
// It refuses a database that already holds data unless given --reset (which empties it first).
import { describeTarget, openDatabase, targetFromEnv } from '../server/db/client';
import { emptyAllTables } from '../server/db/tables';
import { isDatabaseEmpty, seedDemoData } from '../server/demo/seed';
import { env } from '../server/env';
import { runCli } from './cli';

await runCli(async () => {
  const reset = process.argv.includes('--reset');
  const target = targetFromEnv(env());
  const db = await openDatabase(target, { migrate: true });
  try {
    if (!(await isDatabaseEmpty(db.prisma))) {
      if (!reset) {
        console.error(`${describeTarget(target)} already holds data; run "npm run db:seed -- --reset" to replace it with demo data.`);
        process.exitCode = 1;
        return;
      }
      await emptyAllTables(db.prisma, { keepCredentials: true });
    }
    const started = Date.now();
    const summary = await seedDemoData(db.prisma);
    console.log(
      `Seeded ${describeTarget(target)} with ${summary.days} days of demo history in ${((Date.now() - started) / 1000).toFixed(1)}s: ` +
        `${summary.modelCalls} model calls, ${summary.routingDecisions} routing decisions, ${summary.bugOccurrences} bug reports, ${summary.metrics} metric values.`,
    );
  } finally {
    await db.close();
  }
});
