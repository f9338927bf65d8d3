import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect, DatabaseInUseError } from '../db/client';
import { testDatabaseKind } from './database';

// The lock only concerns the embedded database; run it once, in the PGlite project.
describe.runIf(testDatabaseKind === 'pglite')('embedded database lock', () => {
  it('refuses a data directory held by another live process, and takes over a stale lock', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hone-lock-'));
    const dataDir = path.join(dir, 'pgdata');
    try {
      await writeFile(`${dataDir}.lock`, String(process.ppid)); // a live process that is not us
      await expect(connect({ kind: 'pglite', dataDir })).rejects.toBeInstanceOf(DatabaseInUseError);

      await writeFile(`${dataDir}.lock`, '2147483646'); // no such process
      const connection = await connect({ kind: 'pglite', dataDir });
      expect(await readFile(`${dataDir}.lock`, 'utf8')).toBe(String(process.pid));
      await connection.close();
      expect(existsSync(`${dataDir}.lock`)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
