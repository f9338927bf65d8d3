import type pg from 'pg';
import { env } from '../env';
import { processWide } from '../process-wide';
import { openDatabase, targetFromEnv, type PrismaClient } from './client';

// One client per server process (process-wide.ts): every bundle, and every reload under `next dev`, shares it, so
// no second PGlite opens on the same data directory.
const holder = () => processWide('database', (): { opening?: Promise<PrismaClient>; pool?: pg.Pool } => ({}));

export function getPrisma(): Promise<PrismaClient> {
  const database = holder();
  if (!database.opening) {
    const opening = openDatabase(targetFromEnv(env())).then((db) => {
      database.pool = db.connection.pool;
      return db.prisma;
    });
    // A failed opening is forgotten, so the next request tries again (once per opening, not once per request).
    opening.catch(() => database.opening === opening && (database.opening = undefined));
    database.opening = opening;
  }
  return database.opening;
}

export interface PoolUsage {
  /** Connections open, busy or idle. */
  total: number;
  idle: number;
  /** Queries waiting for a connection because all are busy. */
  waiting: number;
  max: number;
}

/** The server process's PostgreSQL pool right now; null on the embedded database (no pool) or before it is opened. */
export function databasePoolUsage(): PoolUsage | null {
  const pool = holder().pool;
  if (!pool) return null;
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? 10 };
}
