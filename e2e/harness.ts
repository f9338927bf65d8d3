import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../server/db/client';
import { seedDemoData } from '../server/demo/seed';

// A production Hone server (`next build` + `next start`) for tests that drive it over HTTP:
// browser tests here, and any other suite that needs a running server.

export const ROOT = path.resolve(import.meta.dirname, '..');
const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);

/** Folders whose sources end up in the build. */
const BUILD_INPUTS = ['app', 'components', 'server', 'next.config.mjs', 'package.json'];

function newestMtime(target: string): number {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) {
    // Tests and generated code do not change what is built (the Prisma client follows schema.prisma).
    if (entry === 'node_modules' || entry === 'generated' || entry === 'test' || entry.endsWith('.test.ts')) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

/** Runs `next build` when there is no build or a source is newer than it. */
export function ensureBuilt(): void {
  const buildId = path.join(ROOT, '.next', 'BUILD_ID');
  if (existsSync(buildId)) {
    const built = statSync(buildId).mtimeMs;
    if (BUILD_INPUTS.every((p) => !existsSync(path.join(ROOT, p)) || newestMtime(path.join(ROOT, p)) <= built)) return;
  }
  const result = spawnSync(bin('next'), ['build'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (result.status !== 0) throw new Error(`next build failed with status ${result.status}`);
}

/** A new embedded database in a temporary directory, filled with the demo history. */
export async function seededDataDir(): Promise<{ dataDir: string; remove(): void }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hone-e2e-'));
  const db = await openDatabase({ kind: 'pglite', dataDir }, { migrate: true });
  try {
    await seedDemoData(db.prisma);
  } finally {
    await db.close();
  }
  return { dataDir, remove: () => rmSync(dataDir, { recursive: true, force: true }) };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface HoneServer {
  url: string;
  /** Everything the server printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

async function waitUntilServing(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/api/trpc/routing.listHeuristics`);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Hone did not answer at ${url} within ${timeoutMs} ms:\n${output()}`);
}

/**
 * Starts `next start` on a free port against the given embedded data directory or PostgreSQL URL
 * (HONE_AUTH=off unless env says otherwise), and waits until it answers. The server runs in its own
 * process group so stop() ends next-server and anything it started.
 */
export async function startHoneServer(options: { dataDir?: string; databaseUrl?: string; env?: Record<string, string> } = {}): Promise<HoneServer> {
  ensureBuilt();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', HONE_AUTH: 'off', PORT: String(port), ...options.env };
  delete env.DATABASE_URL;
  delete env.HONE_TEST_DB;
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  if (options.dataDir) env.HONE_DATA_DIR = options.dataDir;
  const child = spawn(bin('next'), ['start', '-p', String(port), '-H', '127.0.0.1'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let printed = '';
  child.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(-child.pid!, 'SIGTERM');
    const killer = setTimeout(() => child.exitCode === null && process.kill(-child.pid!, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };
  try {
    await waitUntilServing(url, child, () => printed, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, output: () => printed, stop };
}
