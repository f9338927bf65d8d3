import { getPrisma } from './db';
import { describeTarget, targetFromEnv } from './db/client';
import { envOrExit } from './env';

/**
 * Runs once as the server starts: a wrong environment stops it with a message naming the variable,
 * and the database is opened (the embedded one migrating itself) before the first request. A server
 * that cannot open its database is of no use, so that stops the process too.
 */
export async function startServer(): Promise<void> {
  const target = describeTarget(targetFromEnv(envOrExit()));
  try {
    await getPrisma();
  } catch (error) {
    console.error(`Hone: cannot open ${target}: ${(error as Error).message}`);
    process.exit(1);
  }
  console.log(`Hone: serving on ${target}`);
}
