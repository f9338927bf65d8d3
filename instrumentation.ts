// Runs once when the server starts: a wrong environment stops it with a message naming the variable,
// and the database is opened (the embedded one migrating itself) before the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { envOrExit } = await import('./server/env');
  const env = envOrExit();
  const { describeTarget, targetFromEnv } = await import('./server/db/client');
  const { getPrisma } = await import('./server/db');
  await getPrisma();
  console.log(`Hone: serving on ${describeTarget(targetFromEnv(env))}`);
}
