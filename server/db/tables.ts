import type { PrismaClient } from './client';

/** Access control, not history: replacing the data with demo data leaves the keys people were given alone. */
const CREDENTIAL_TABLES = ['api_keys'];

/** Empties every table but the migration history (and, with keepCredentials, the API keys). */
export async function emptyAllTables(prisma: PrismaClient, { keepCredentials = false } = {}): Promise<void> {
  const kept = new Set(['_prisma_migrations', ...(keepCredentials ? CREDENTIAL_TABLES : [])]);
  const tables = (await prisma.$queryRaw<{ tablename: string }[]>`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`).filter(
    (t) => !kept.has(t.tablename),
  );
  await prisma.$executeRawUnsafe(`TRUNCATE ${tables.map((t) => `"${t.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`);
}
