import { getPrisma } from './db';
import { describeTarget, targetFromEnv } from './db/client';
import type { PrismaClient } from './db/client';
import { authMode, env, envOrExit } from './env';
import { scheduleExperimentGuard } from './services/experiments/experiments';
import { scheduleAdaptiveRecompute } from './services/adaptive/recompute';
import { schedulePendingModelCallFold } from './services/model-performance';
import { describeRetention, retentionConfig, scheduleRetention } from './services/retention';
import { flushAllRouteDecisions } from './services/routing/decision-recorder';

/** Retention first runs a minute after start (not in the way of a starting server), then hourly. */
const RETENTION_FIRST_RUN_DELAY_MS = 60_000;
const RETENTION_INTERVAL_MS = 3_600_000;
const PENDING_FOLD_INTERVAL_MS = 10_000;

/**
 * Runs once as the server starts: a wrong environment stops it with a message naming the variable,
 * and the database is opened (the embedded one migrating itself) before the first request. A server
 * that cannot open its database is of no use, so that stops the process too.
 */
export async function startServer(): Promise<void> {
  const target = describeTarget(targetFromEnv(envOrExit()));
  let prisma: PrismaClient;
  try {
    prisma = await getPrisma();
  } catch (error) {
    console.error(`Hone: cannot open ${target}: ${(error as Error).message}`);
    process.exit(1);
  }
  console.log(`Hone: serving on ${target}`);
  const retention = retentionConfig(env());
  scheduleRetention(prisma, retention, { firstDelayMs: RETENTION_FIRST_RUN_DELAY_MS, intervalMs: RETENTION_INTERVAL_MS });
  console.log(`Hone: retention keeps ${describeRetention(retention)}; checked hourly`);
  // Batches count their own calls; this counts what a server that died mid-batch left (every server, any may fold).
  schedulePendingModelCallFold(prisma, { intervalMs: PENDING_FOLD_INTERVAL_MS });
  // Experiments' guard also runs on every get_experiment / list_experiments; this covers experiments nobody looks at.
  scheduleExperimentGuard(prisma);
  // Adaptive policies' parameters follow their outcomes: every server recomputes (one at a time, under a lock).
  scheduleAdaptiveRecompute(prisma, { intervalMs: env().HONE_ADAPTIVE_RECOMPUTE_SECONDS * 1000 });
  // Next's own handlers end the process once open requests are answered; the decisions counted in memory are written
  // meanwhile (a write takes milliseconds). A crash or SIGKILL loses at most the last flush interval's counts.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      // Without Next's handlers (NEXT_MANUAL_SIG_HANDLE), the signal is raised again once written: it still ends the process.
      const othersHandle = process.listenerCount(signal) > 0;
      void flushAllRouteDecisions().finally(() => othersHandle || process.kill(process.pid, signal));
    });
  }
  if (authMode() === 'off') {
    console.warn(
      'Hone: authentication is off: anyone who can reach this port can read and change data. ' +
        'Set HONE_AUTH=required and create keys with `npm run apikey -- create --name <name> --scope read|write`.',
    );
  } else {
    console.log('Hone: API keys required (Authorization: Bearer <key>; the dashboard asks for one at /sign-in).');
  }
}
