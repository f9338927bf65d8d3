import { env } from '../env';
import { openDatabase, targetFromEnv, type PrismaClient } from './client';

// One client per server process. Kept on globalThis so that Next's dev-mode module reloading
// does not open a second PGlite on the same data directory.
const holder = globalThis as typeof globalThis & { honePrisma?: Promise<PrismaClient> };

export function getPrisma(): Promise<PrismaClient> {
  holder.honePrisma ??= openDatabase(targetFromEnv(env())).then((db) => db.prisma);
  holder.honePrisma.catch(() => (holder.honePrisma = undefined));
  return holder.honePrisma;
}
