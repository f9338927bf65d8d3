import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey, verifyApiKey } from '../services/api-keys';
import { testDatabaseKind } from './database';
import { createServerDatabase, type ServerDatabase } from '../testing/hone-server';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

let db: ServerDatabase;
beforeAll(async () => {
  db = await createServerDatabase(testDatabaseKind);
});
afterAll(async () => {
  await db?.drop();
});

async function apikey(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'scripts/apikey.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', HONE_DATA_DIR: '', ...db.env },
  }).catch((error: { stdout: string; stderr: string; code: number }) => error);
}

describe(`npm run apikey (${testDatabaseKind})`, () => {
  it('creates a key shown once, stores only its hash, lists and revokes it', async () => {
    const created = await apikey('create', '--name', 'gateway', '--scope', 'write');
    const key = created.stdout.trim().split('\n').at(-1)!;
    expect(key).toMatch(/^hone_[A-Za-z0-9_-]{43}$/);

    const keyId = await db.withPrisma(async (prisma) => {
      const [stored] = await prisma.$queryRaw<Record<string, unknown>[]>`SELECT * FROM api_keys WHERE key_hash = ${hashApiKey(key)}`;
      expect(stored).toBeDefined();
      expect(JSON.stringify(stored)).not.toContain(key);
      expect(await verifyApiKey(prisma, key)).toMatchObject({ name: 'gateway', scope: 'write' });
      return Number(stored!.id);
    });

    const listed = await apikey('list');
    expect(listed.stdout).toContain('gateway');
    expect(listed.stdout).not.toContain(key);
    expect(listed.stdout).toContain(key.slice(0, 11));

    await apikey('revoke', String(keyId));
    await db.withPrisma(async (prisma) => expect(await verifyApiKey(prisma, key)).toBeNull());
  });

  it('refuses a wrong scope or a missing name with the usage, creating nothing', async () => {
    const keysBefore = await db.withPrisma((prisma) => prisma.apiKey.count());
    const wrongScope = (await apikey('create', '--name', 'x', '--scope', 'admin')) as { stderr: string; code?: number };
    expect(wrongScope.stderr).toContain('--scope read or --scope write');
    expect(wrongScope.code).toBe(1);
    const noName = (await apikey('create', '--scope', 'read')) as { stderr: string };
    expect(noName.stderr).toContain('--name');
    await db.withPrisma(async (prisma) => expect(await prisma.apiKey.count()).toBe(keysBefore));
  });
});
