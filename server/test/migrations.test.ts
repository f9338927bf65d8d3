import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyMigrations, MIGRATIONS_DIR, NO_FILTER, openSchemaEngine, readMigrationList, readSchemaFiles } from '../db/schema-engine';
import { useTestDatabase } from './database';

const t = useTestDatabase();

/** What the schema engine would have to run to take the live database to schema.prisma. */
async function driftFromSchema(): Promise<string> {
  const engine = await openSchemaEngine(t.db.connection.adapterFactory);
  try {
    const files = await readSchemaFiles();
    const { stdout } = await engine.diff({
      from: { tag: 'schemaDatasource', files, configDir: process.cwd() },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: true,
      filters: NO_FILTER,
    });
    return (stdout ?? '').replace('-- This is an empty migration.', '').trim();
  } finally {
    engine.free();
  }
}

describe('migrations', () => {
  it('leave the database exactly as schema.prisma describes it: every table, column, type and index', async () => {
    expect(await driftFromSchema()).toBe('');
  });

  it('detects drift when the database differs (so the check above can fail)', async () => {
    await t.db.prisma.$executeRawUnsafe('DROP INDEX "bug_patterns_last_seen_idx"');
    await t.db.prisma.$executeRawUnsafe('ALTER TABLE "model_performance" ALTER COLUMN "avg_cost" TYPE numeric(10,4)');
    const drift = await driftFromSchema();
    expect(drift).toContain('bug_patterns_last_seen_idx');
    expect(drift).toContain('avg_cost');
    await t.db.prisma.$executeRawUnsafe('CREATE INDEX "bug_patterns_last_seen_idx" ON "bug_patterns"("last_seen" DESC)');
    await t.db.prisma.$executeRawUnsafe('ALTER TABLE "model_performance" ALTER COLUMN "avg_cost" TYPE DOUBLE PRECISION');
    expect(await driftFromSchema()).toBe('');
  });

  it('are recorded as prisma migrate deploy records them, and are not applied twice', async () => {
    const { migrationDirectories } = await readMigrationList();
    const rows = await t.db.prisma.$queryRaw<
      { migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }[]
    >`
      SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name`;
    expect(rows.map((r) => r.migration_name)).toEqual(migrationDirectories.map((d) => d.path));
    for (const row of rows) {
      const sql = await readFile(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
    }
    expect(await applyMigrations(t.db.connection.adapterFactory)).toEqual([]);
  });

  it('match schema.prisma: a new migration generated now would be empty', async () => {
    const engine = await openSchemaEngine(t.db.connection.adapterFactory);
    try {
      const { stdout } = await engine.diff({
        from: { tag: 'schemaDatasource', files: await readSchemaFiles(), configDir: process.cwd() },
        to: { tag: 'schemaDatamodel', files: await readSchemaFiles() },
        script: false,
        exitCode: true,
        filters: NO_FILTER,
      });
      expect(stdout?.trim() ?? '').toMatch(/^(No difference detected\.)?$/);
    } finally {
      engine.free();
    }
  });
});
