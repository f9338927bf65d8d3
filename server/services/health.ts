// What `GET /api/health` reports: whether this server can use its database now. About the server, not an operation
// on Hone's data, so it is not a tool; load balancers call it without a key, so it says nothing more than up or down.
import type { PrismaClient } from '../db/client';
import { HoneError } from '../errors';

export interface Health {
  status: 'ok' | 'degraded';
  database: 'up' | 'down';
  /** How long the database took to answer the probe; null when it did not. */
  databaseLatencyMs: number | null;
}

/**
 * Asks the database a trivial query, giving it `timeoutMs` to answer: a database that hangs is reported down in that
 * time, whatever the driver's own deadlines. A failure is handed to `onFailure` (to be logged) and reported as down.
 */
export async function checkHealth(
  database: () => Promise<PrismaClient>,
  { timeoutMs, onFailure }: { timeoutMs: number; onFailure: (error: unknown) => void },
): Promise<Health> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(HoneError.databaseUnavailable(`it did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // A probe that loses the race still ends, bounded by the pool's own deadlines; the race has handled its outcome.
    await Promise.race([database().then((prisma) => prisma.$queryRaw`SELECT 1`), deadline]);
    return { status: 'ok', database: 'up', databaseLatencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    onFailure(error);
    return { status: 'degraded', database: 'down', databaseLatencyMs: null };
  } finally {
    clearTimeout(timer);
  }
}
