import type pg from 'pg';
import { env } from '../env';
import { openDatabase, targetFromEnv, type PrismaClient } from './client';

// One client per server process. Kept on globalThis so that Next's dev-mode module reloading
// does not open a second PGlite on the same data directory.
const holder = globalThis as typeof globalThis & { honePrisma?: Promise<PrismaClient>; honePool?: pg.Pool };

export function getPrisma(): Promise<PrismaClient> {
  if (!holder.honePrisma) {
    const opening = openDatabase(targetFromEnv(env())).then((db) => {
      holder.honePool = db.connection.pool;
      return db.prisma;
    });
    // A failed opening is forgotten, so the next request tries again (once per opening, not once per request).
    opening.catch(() => holder.honePrisma === opening && (holder.honePrisma = undefined));
    holder.honePrisma = opening;
  }
  return holder.honePrisma;
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
  const pool = holder.honePool;
  if (!pool) return null;
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? 10 };
}
