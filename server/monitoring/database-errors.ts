// What kind of database failure an error is, for the database error counter. Whether the database cannot be used
// (and why) is server/db/unavailable.ts's to say, as it is for the 503; this adds the rest of the database's failures
// (a statement refused, a constraint violated) as `other`, and tells them from errors that are no database's.
import { databaseUnavailability } from '../db/unavailable';

export type DatabaseErrorKind = 'unavailable' | 'timeout' | 'other';

export const DATABASE_ERROR_KINDS: readonly DatabaseErrorKind[] = ['unavailable', 'timeout', 'other'];

/** Prisma's error classes and the driver adapter's. */
const DATABASE_ERROR_NAMES = new Set([
  'PrismaClientKnownRequestError',
  'PrismaClientUnknownRequestError',
  'PrismaClientRustPanicError',
  'PrismaClientInitializationError',
  'DriverAdapterError',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  severity?: unknown;
  kind?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/** A database's own failure: Prisma's or the driver adapter's error, or PostgreSQL's (a SQLSTATE with a severity). */
function isDatabaseFailure(link: ErrorLike): boolean {
  return (
    (typeof link.name === 'string' && DATABASE_ERROR_NAMES.has(link.name)) ||
    typeof link.kind === 'string' ||
    (typeof link.code === 'string' && typeof link.severity === 'string' && /^[0-9A-Z]{5}$/.test(link.code))
  );
}

/** The error and everything it wraps (bounded: a cause chain can loop). */
function chainOf(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  const pending: unknown[] = [error];
  while (pending.length > 0 && chain.length < 10) {
    const next = pending.shift();
    if (typeof next !== 'object' || next === null || chain.includes(next)) continue;
    const link = next as ErrorLike;
    chain.push(link);
    pending.push(link.meta?.driverAdapterError, link.cause);
  }
  return chain;
}

/**
 * The kind of database failure `error` is, or null when it is not a database failure at all (a bug in the server's
 * own code, say): `unavailable` and `timeout` as the 503 says them, any other failure of the database `other`.
 */
export function databaseErrorKind(error: unknown): DatabaseErrorKind | null {
  const unavailability = databaseUnavailability(error);
  if (unavailability) return unavailability === 'timeout' ? 'timeout' : 'unavailable';
  return chainOf(error).some(isDatabaseFailure) ? 'other' : null;
}
