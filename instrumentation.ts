// Runs once when the server starts: a wrong environment stops it with a message naming the variable,
// and the database is opened (the embedded one migrating itself) before the first request. A server
// that cannot reach its database is of no use, so failing here stops the process.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { envOrExit } = await import('./server/env');
  const env = envOrExit();
  const { describeTarget, targetFromEnv } = await import('./server/db/client');
  const { getPrisma } = await import('./server/db');
  const target = describeTarget(targetFromEnv(env));
  try {
    await getPrisma();
  } catch (error) {
    console.error(`Hone: cannot open ${target}: ${(error as Error).message}`);
    process.exit(1);
  }
  console.log(`Hone: serving on ${target}`);
}
