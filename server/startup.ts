import { getPrisma } from './db';
import { describeTarget, targetFromEnv } from './db/client';
import { authMode, envOrExit } from './env';

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
  if (authMode() === 'off') {
    console.warn(
      'Hone: authentication is off: anyone who can reach this port can read and change data. ' +
        'Set HONE_AUTH=required and create keys with `npm run apikey -- create --name <name> --scope read|write`.',
    );
  } else {
    console.log('Hone: API keys required (Authorization: Bearer <key>; the dashboard asks for one at /sign-in).');
  }
}
