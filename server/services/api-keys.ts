import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../db/client';
import { HoneError } from '../errors';

export type ApiKeyScope = 'read' | 'write';
export const API_KEY_SCOPES: readonly ApiKeyScope[] = ['read', 'write'];

/** Who is calling: the key's id, its name (for logs) and what it may do. */
export interface Principal {
  keyId: number;
  name: string;
  scope: ApiKeyScope;
}

export interface ApiKeySummary {
  id: number;
  name: string;
  scope: ApiKeyScope;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const KEY_PREFIX = 'hone_';
const SHOWN_PREFIX_LENGTH = KEY_PREFIX.length + 6;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Creates a key and returns it in full: the only time it exists outside the caller's hands. */
export async function createApiKey(
  prisma: PrismaClient,
  { name, scope }: { name: string; scope: ApiKeyScope },
): Promise<{ key: string; apiKey: ApiKeySummary }> {
  const trimmed = name.trim();
  if (!trimmed) throw HoneError.invalidField('name', 'must not be empty');
  if (!API_KEY_SCOPES.includes(scope)) throw HoneError.invalidField('scope', 'must be "read" or "write"');
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  const apiKey = await prisma.apiKey.create({
    data: { name: trimmed, scope, keyHash: hashApiKey(key), prefix: key.slice(0, SHOWN_PREFIX_LENGTH) },
    omit: { keyHash: true },
  });
  return { key, apiKey };
}

export async function listApiKeys(prisma: PrismaClient): Promise<ApiKeySummary[]> {
  return prisma.apiKey.findMany({ orderBy: { id: 'asc' }, omit: { keyHash: true } });
}

export async function revokeApiKey(prisma: PrismaClient, id: number): Promise<ApiKeySummary> {
  const found = await prisma.apiKey.findUnique({ where: { id }, omit: { keyHash: true } });
  if (!found) throw new HoneError('NOT_FOUND', `No API key with id ${id}`);
  if (found.revokedAt) return found;
  return prisma.apiKey.update({ where: { id }, data: { revokedAt: new Date() }, omit: { keyHash: true } });
}

const LAST_USED_RESOLUTION_MS = 60_000;

/** The principal a presented key stands for, or null when it is unknown or revoked. */
export async function verifyApiKey(prisma: PrismaClient, key: string): Promise<Principal | null> {
  if (!key.startsWith(KEY_PREFIX)) return null;
  const found = await prisma.apiKey.findUnique({ where: { keyHash: hashApiKey(key) } });
  if (!found || found.revokedAt) return null;
  // Recorded to the minute so a busy gateway does not write a row per call.
  if (!found.lastUsedAt || Date.now() - found.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await prisma.apiKey.update({ where: { id: found.id }, data: { lastUsedAt: new Date() } });
  }
  return { keyId: found.id, name: found.name, scope: found.scope };
}

/** A dashboard session names a key by id: it holds only while that key is not revoked. */
export async function principalForKeyId(prisma: PrismaClient, keyId: number): Promise<Principal | null> {
  const found = await prisma.apiKey.findUnique({ where: { id: keyId } });
  if (!found || found.revokedAt) return null;
  return { keyId: found.id, name: found.name, scope: found.scope };
}
