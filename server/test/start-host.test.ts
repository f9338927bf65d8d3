// `npm start` with authentication off (the embedded default) must not be reachable from the network.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDatabaseKind } from './database';
import { ROOT } from '../testing/hone-server';

/** Whether a TCP connection to host:port is accepted. */
const accepts = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });

const networkAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((address) => address && !address.internal && address.family === 'IPv4')?.address;

// One database kind is enough: this is about the listening socket, and it needs the embedded default.
describe.skipIf(testDatabaseKind !== 'pglite')('npm start with authentication off', () => {
  it('listens on 127.0.0.1 only, and says so in one line', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'hone-start-'));
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    let output = '';
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/start.ts'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DATABASE_URL: '', HONE_AUTH: '', HOST: '', HONE_DATA_DIR: path.join(directory, 'pgdata'), PORT: String(port) },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "serving on" within 90 s:\n${output}`)), 90_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          if (!output.includes('Hone: serving on')) return;
          clearTimeout(timer);
          resolve();
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`npm start exited (${code}):\n${output}`))));
      });
      expect(output).toContain(`Hone: listening on http://127.0.0.1:${port} (authentication is off, so only this machine may connect`);
      const page = await fetch(`http://127.0.0.1:${port}/api/openapi.json`);
      expect(page.status).toBe(200);
      if (networkAddress) expect(await accepts(networkAddress, port)).toBe(false);
    } finally {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        process.kill(-child.pid!, 'SIGTERM');
        setTimeout(() => child.exitCode === null && process.kill(-child.pid!, 'SIGKILL'), 5_000).unref();
      });
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
