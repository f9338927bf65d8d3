// A real Hone server (`next start`) on a free port, for tests of the HTTP faces, the browser tests and the
// HTTP benchmarks. The build itself is made by next-build.ts (Vitest's global setup).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type DatabaseTarget, type PrismaClient } from '../db/client';
import { createScratchDatabase } from './scratch-database';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const STARTUP_TIMEOUT_MS = 60_000;

export interface HoneServer {
  url: string;
  port: number;
  /** Everything the server printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
  /** A crash: SIGKILL to the whole process group at once (no shutdown of any kind); resolves once it has exited. */
  kill(): Promise<void>;
}

export interface ServerDatabase {
  /** The environment that points a server at this database. */
  env: Record<string, string>;
  /** Opens it from the test process (only while no server holds an embedded one) to prepare or inspect data. */
  withPrisma<T>(work: (prisma: PrismaClient) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

/** A fresh migrated database a server process can open: an embedded PGlite directory, or a PostgreSQL database. */
export async function createServerDatabase(kind: 'pglite' | 'postgres'): Promise<ServerDatabase> {
  if (kind === 'postgres') {
    const scratch = await createScratchDatabase('postgres');
    return {
      env: { DATABASE_URL: scratch.url! },
      withPrisma: (work) => work(scratch.prisma),
      drop: () => scratch.drop(),
    };
  }
  const directory = mkdtempSync(path.join(os.tmpdir(), 'hone-server-'));
  const target: DatabaseTarget = { kind: 'pglite', dataDir: path.join(directory, 'pgdata') };
  const withPrisma = async <T>(work: (prisma: PrismaClient) => Promise<T>): Promise<T> => {
    const db = await openDatabase(target, { migrate: true });
    try {
      return await work(db.prisma);
    } finally {
      await db.close();
    }
  };
  await withPrisma(async () => {});
  return { env: { HONE_DATA_DIR: target.dataDir! }, withPrisma, drop: async () => rmSync(directory, { recursive: true, force: true }) };
}

/** A TCP port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function stopProcessGroup(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // A server that ignores SIGTERM for 5 s is killed. (After an exit by signal exitCode stays null: hence clearing.)
    const unresponsive = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 5_000).unref();
    child.once('exit', () => {
      clearTimeout(unresponsive);
      resolve();
    });
    // next start runs the server in a child process (next-server): signal the whole group.
    process.kill(-child.pid!, signal);
  });
}

/**
 * Starts `next start` on the given database and resolves once the server has opened it. `port` (default: a free one)
 * lets a test start a server again where a stopped or killed one was, so clients pointed at it find it back.
 */
export async function startHoneServer({ env, port: wantedPort }: { env: Record<string, string>; port?: number }): Promise<HoneServer> {
  const port = wantedPort ?? (await freePort());
  let output = '';
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'node_modules/next/dist/bin/next'), 'start', '-p', String(port), '-H', '127.0.0.1'],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Open (HONE_AUTH=off) unless the test asks for keys, and without a rate limit unless it asks for one: load
      // tests and benchmarks measure the server, not the limit (rate-limit.test.ts sets one).
      env: {
        ...process.env,
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        DATABASE_URL: '',
        HONE_DATA_DIR: '',
        HONE_AUTH: 'off',
        HONE_RATE_LIMIT_PER_SECOND: '0',
        // Adaptive parameters change when a test recomputes them (recompute_routing_policies), not by the clock.
        HONE_ADAPTIVE_RECOMPUTE_SECONDS: '3600',
        ...env,
        PORT: String(port),
      },
    },
  );
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the server did not start within ${STARTUP_TIMEOUT_MS} ms:\n${output}`)),
      STARTUP_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Hone: serving on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before it was ready:\n${output}`));
    });
  });
  try {
    await ready;
  } catch (error) {
    await stopProcessGroup(child);
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    output: () => output,
    stop: () => stopProcessGroup(child),
    kill: () => stopProcessGroup(child, 'SIGKILL'),
  };
}
