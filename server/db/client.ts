import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { HoneEnv } from '../env';
import { processWide } from '../process-wide';
import { PrismaClient } from './generated/client';
import { applyMigrations } from './schema-engine';

export type { PrismaClient };

/** What a writer needs to run SQL: the client itself, or an interactive transaction's client (several writes as one). */
export type SqlClient = Pick<PrismaClient, '$queryRaw' | '$executeRaw'>;
/**
 * How long a PostgreSQL caller waits before it is told the database is unavailable: for a connection (from the pool
 * or newly opened), and for one statement (cancelled by PostgreSQL; given up on a second later if it does not answer).
 */
export interface DatabaseDeadlines {
  connectMs: number;
  queryMs: number;
}

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; poolMax?: number; deadlines?: DatabaseDeadlines }
  | { kind: 'pglite'; dataDir?: string /* undefined: in memory */ };

export interface DatabaseConnection {
  target: DatabaseTarget;
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** The connection pool of a PostgreSQL server (PGlite is one in-process connection: none). */
  pool?: pg.Pool;
  close(): Promise<void>;
}

export function targetFromEnv(
  e: Pick<HoneEnv, 'DATABASE_URL' | 'HONE_DATA_DIR' | 'HONE_DB_POOL_MAX' | 'HONE_DB_CONNECT_TIMEOUT_MS' | 'HONE_DB_QUERY_TIMEOUT_MS'>,
): DatabaseTarget {
  return e.DATABASE_URL
    ? {
        kind: 'postgres',
        url: e.DATABASE_URL,
        poolMax: e.HONE_DB_POOL_MAX,
        deadlines: { connectMs: e.HONE_DB_CONNECT_TIMEOUT_MS, queryMs: e.HONE_DB_QUERY_TIMEOUT_MS },
      }
    : { kind: 'pglite', dataDir: path.resolve(e.HONE_DATA_DIR) };
}

/** The target migrations run on: no statement deadline, since building an index on a large table may take minutes. */
export function migrationTarget(target: DatabaseTarget): DatabaseTarget {
  return target.kind === 'postgres' ? { ...target, deadlines: undefined } : target;
}

export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'pglite') return `embedded PGlite at ${target.dataDir ?? '(memory)'}`;
  const url = new URL(target.url);
  return `PostgreSQL at ${url.host}${url.pathname}`;
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/**
 * @prisma/adapter-pg refuses PostgreSQL's internal one-byte "char" type, which the schema engine's
 * catalog queries return when it introspects a live database (as the drift check does). Its values
 * arrive as one-character strings, so the client reports them as text.
 */
class IntrospectionFriendlyClient extends pg.Client {
  // The overloads of pg's query() cannot be restated one by one here: arguments and result pass through untouched.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const relabel = (res: pg.QueryResult | undefined) => {
      for (const field of res?.fields ?? []) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
      return res;
    };
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const callback = args[last] as (error: Error | null, res?: pg.QueryResult) => void;
      args[last] = (error: Error | null, res?: pg.QueryResult) => callback(error, relabel(res));
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...(args as unknown[]));
    return result instanceof Promise ? result.then(relabel) : result;
  }
}

/**
 * @prisma/adapter-pg runs a migration script by splitting it at every ';' and sending the pieces one by one, which
 * cuts apart dollar-quoted function bodies (the rollup triggers' PL/pgSQL) and comments, and commits each piece on its
 * own. The script is sent whole instead, as psql and `prisma db execute` do: PostgreSQL runs a multi-statement
 * query as one implicit transaction, so a migration applies entirely or not at all.
 */
class WholeScriptPrismaPg extends PrismaPg {
  override async connect(): ReturnType<PrismaPg['connect']> {
    const adapter = await super.connect();
    const pool = adapter.underlyingDriver();
    adapter.executeScript = async (script: string) => {
      await pool.query(script);
    };
    return adapter;
  }
}

export async function connect(target: DatabaseTarget): Promise<DatabaseConnection> {
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolMax ?? 10,
      Client: IntrospectionFriendlyClient,
      ...poolDeadlines(target.deadlines),
    });
    // A pooled connection that breaks while idle (the database restarted) is dropped by the pool; without a
    // listener its 'error' event would end the process.
    pool.on('error', (error) => console.warn(`Hone: an idle database connection was lost (${error.message}); the pool will reconnect`));
    const adapterFactory = new WholeScriptPrismaPg(pool);
    return { target, adapterFactory, pool, close: () => pool.end() };
  }
  let release = () => {};
  if (target.dataDir) {
    await mkdir(target.dataDir, { recursive: true });
    release = lockDataDir(target.dataDir);
  }
  const pglite = new PGlite(target.dataDir);
  await pglite.waitReady;
  return {
    target,
    adapterFactory: new PrismaPGlite(pglite),
    close: async () => {
      await pglite.close();
      release();
    },
  };
}

/** A database that stops answering must not hold a request: the client gives up this long after PostgreSQL would. */
const NO_ANSWER_GRACE_MS = 1000;
/** Dead peers (a host gone without closing its connections) are found by TCP keepalive after this much silence. */
export const KEEPALIVE_AFTER_MS = 10_000;

function poolDeadlines(deadlines: DatabaseDeadlines | undefined): pg.PoolConfig {
  const keepAlive = { keepAlive: true, keepAliveInitialDelayMillis: KEEPALIVE_AFTER_MS };
  if (!deadlines) return keepAlive;
  return {
    ...keepAlive,
    connectionTimeoutMillis: deadlines.connectMs,
    statement_timeout: deadlines.queryMs,
    query_timeout: deadlines.queryMs + NO_ANSWER_GRACE_MS,
  };
}

export class DatabaseInUseError extends Error {
  override name = 'DatabaseInUseError';
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is an in-process database: two processes opening the same directory would corrupt it.
 * A pid file beside the directory makes the second one stop with a clear message instead.
 */
function lockDataDir(dataDir: string): () => void {
  const lockPath = `${dataDir}.lock`;
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockPath, 'utf8'));
      if (owner && owner !== process.pid && isRunning(owner)) {
        throw new DatabaseInUseError(
          `The embedded database at ${dataDir} is in use by process ${owner}. Stop that process first ` +
            '(e.g. the running server), or point DATABASE_URL at a PostgreSQL server.',
        );
      }
      rmSync(lockPath, { force: true }); // left behind by a process that has ended
    }
  }
  const release = () => rmSync(lockPath, { force: true });
  process.once('exit', release);
  return release;
}

async function migrateThrough(target: DatabaseTarget): Promise<void> {
  const connection = await connect(target);
  try {
    await applyMigrations(connection.adapterFactory);
  } finally {
    await connection.close();
  }
}

/**
 * Opens the database, applies pending migrations when asked (the embedded database always
 * migrates itself: it has no other operator), and returns a Prisma client over the same adapter.
 */
export async function openDatabase(
  target: DatabaseTarget,
  { migrate = target.kind === 'pglite' }: { migrate?: boolean } = {},
): Promise<{ prisma: PrismaClient; connection: DatabaseConnection; close(): Promise<void> }> {
  if (migrate && target.kind === 'postgres') await migrateThrough(migrationTarget(target));
  const connection = await connect(target);
  // The embedded database has one connection, so it migrates through it.
  if (migrate && target.kind === 'pglite') await applyMigrations(connection.adapterFactory);
  const prisma = new PrismaClient({ adapter: connection.adapterFactory });
  const closeHooks: (() => Promise<void> | void)[] = [];
  openedDatabases().set(prisma, { target, onClose: (release) => void closeHooks.push(release) });
  return {
    prisma,
    connection,
    close: async () => {
      openedDatabases().delete(prisma);
      await Promise.all(closeHooks.splice(0).map(async (release) => release()));
      await prisma.$disconnect();
      await connection.close();
    },
  };
}

/** What a service that keeps a resource of its own per database (a LISTEN connection) needs to know of a client. */
export interface OpenedDatabase {
  target: DatabaseTarget;
  /** `release` runs when the database is closed, before its connections end. */
  onClose(release: () => Promise<void> | void): void;
}

// Process-wide: the client is opened by whichever bundle first asks (server/db/index.ts), and read by all of them.
const openedDatabases = () => processWide('openedDatabases', () => new WeakMap<PrismaClient, OpenedDatabase>());

/** The database a client was opened on by `openDatabase`; undefined once it is closed (or for a client made elsewhere). */
export function openedDatabase(prisma: PrismaClient): OpenedDatabase | undefined {
  return openedDatabases().get(prisma);
}
