// A PostgreSQL cluster of the test's own, in a temporary directory on a free port, for tests that stop, kill or
// restart the database (the shared server at 127.0.0.1:5432 serves every other suite and is never touched).
// Runs the cluster as the `postgres` user when the test runs as root (PostgreSQL refuses to run as root; CI is root).
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './hone-server';

const run = promisify(execFile);

const CLUSTER_OWNER = 'postgres';

/** The newest installed server's binaries (Debian's layout), or those on PATH. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((entry) => existsSync(path.join(root, entry, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return path.join(root, versions[0]!, 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir && existsSync(path.join(dir, 'initdb'))) return dir;
  return null;
}

/** Why a private cluster cannot be made here, or null when it can. */
export function privatePostgresUnavailable(): string | null {
  if (!postgresBinDir()) return 'PostgreSQL server binaries (initdb, pg_ctl) are not installed';
  if (process.getuid?.() === 0 && !existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')) {
    return 'running as root without runuser to start PostgreSQL as the postgres user';
  }
  return null;
}

export interface PrivatePostgres {
  port: number;
  /** A URL for the given database on this cluster (user postgres, trust authentication over TCP on 127.0.0.1). */
  url(database?: string): string;
  /** `pg_ctl start`, waiting until it accepts connections. */
  start(): Promise<void>;
  /** `pg_ctl stop`; `immediate` is a crash for the clients: every connection is cut at once. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /**
   * Freezes every process of the cluster (SIGSTOP): connections stay open and nothing answers, as when the database
   * host hangs or the network drops packets. `thaw` resumes it.
   */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /** The server's own log, for failure messages. */
  log(): string;
  /** Stops the cluster (if running) and deletes its directory. */
  destroy(): Promise<void>;
}

/** Creates (initdb) and starts a cluster on a free port. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) are not installed');
  const asRoot = process.getuid?.() === 0;
  const directory = mkdtempSync(path.join(os.tmpdir(), 'hone-pg-'));
  if (asRoot) {
    const { stdout } = await run('id', ['-u', CLUSTER_OWNER]);
    const { stdout: group } = await run('id', ['-g', CLUSTER_OWNER]);
    chownSync(directory, Number(stdout.trim()), Number(group.trim()));
  }
  const dataDir = path.join(directory, 'data');
  const logFile = path.join(directory, 'server.log');
  const tool = (name: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', CLUSTER_OWNER, '--', path.join(bin, name), ...args]) : run(path.join(bin, name), args);

  await tool('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const options = `-p ${port} -k ${directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  let running = false;
  let frozen: number[] = [];
  const clusterProcesses = async () => {
    const postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const { stdout } = await run('pgrep', ['-P', String(postmaster)]);
    return [postmaster, ...stdout.split('\n').filter(Boolean).map(Number)];
  };
  const cluster: PrivatePostgres = {
    port,
    url: (database = 'postgres') => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      await tool('pg_ctl', ['start', '-w', '-t', '60', '-D', dataDir, '-l', logFile, '-o', options]);
      running = true;
    },
    async stop(mode = 'fast') {
      try {
        await tool('pg_ctl', ['stop', '-w', '-t', '60', '-D', dataDir, '-m', mode]);
      } catch (error) {
        // pg_ctl may read the pid file while the server is emptying it on its way out ("the PID file is empty"):
        // what matters is whether the server is gone, which `pg_ctl status` tells (exit code 3: not running).
        const status = await tool('pg_ctl', ['status', '-D', dataDir]).then(
          () => 0,
          (failure: { code?: number }) => failure.code ?? 1,
        );
        if (status !== 3) throw error;
      }
      running = false;
    },
    async freeze() {
      frozen = await clusterProcesses();
      for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    },
    async thaw() {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
      frozen = [];
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async destroy() {
      await cluster.thaw(); // a stopped process would not act on the shutdown signal
      if (running) await cluster.stop('immediate');
      rmSync(directory, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  return cluster;
}
