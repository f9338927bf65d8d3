// Which failures mean "the database cannot be used right now" (down, restarting, unreachable, saturated, too slow),
// as opposed to a fault of the query or the data. server/error-mapping.ts turns them into one 503; nothing else
// needs to know the many shapes they arrive in: pg's own errors, pg-pool's, PostgreSQL's SQLSTATEs, and Prisma's
// wrappings of them (a known request error with a P1xxx code, or a driver adapter error kind).

export type DatabaseUnavailability = 'unreachable' | 'timeout';

// Prisma's codes: P1001 cannot reach, P1002 / P1008 timed out, P1017 the server closed the connection, P2024 no pooled
// connection in time.
const PRISMA_CODES: Record<string, DatabaseUnavailability> = {
  P1001: 'unreachable',
  P1002: 'timeout',
  P1008: 'timeout',
  P1017: 'unreachable',
  P2024: 'timeout',
};

// @prisma/driver-adapter-utils' error kinds for a connection that cannot be had or was lost.
const ADAPTER_KINDS: Record<string, DatabaseUnavailability> = {
  DatabaseNotReachable: 'unreachable',
  ConnectionClosed: 'unreachable',
  SocketTimeout: 'timeout',
  TooManyConnections: 'unreachable',
  DatabaseDoesNotExist: 'unreachable',
  DatabaseAccessDenied: 'unreachable',
  AuthenticationFailed: 'unreachable',
  TlsConnectionError: 'unreachable',
};

// Node's socket errors on the way to the database.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

// pg and pg-pool say these in words only (no code).
const DRIVER_MESSAGES: [RegExp, DatabaseUnavailability][] = [
  [/^Connection terminated/, 'unreachable'],
  [/^Client has encountered a connection error and is not queryable/, 'unreachable'],
  [/^Client was closed and is not queryable/, 'unreachable'],
  [/^timeout exceeded when trying to connect/, 'timeout'],
  [/^Query read timeout/, 'timeout'],
];

/**
 * PostgreSQL's SQLSTATEs: class 08 connection exceptions, class 53 insufficient resources (too many connections, out
 * of memory or disk), 57P01-57P03 shutting down, restarting or not yet accepting connections, and 57014 a statement
 * cancelled by statement_timeout (Hone never cancels a statement otherwise).
 */
function sqlStateUnavailability(code: string): DatabaseUnavailability | null {
  if (code === '57014') return 'timeout';
  if (/^(08|53)[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code)) return 'unreachable';
  return null;
}

interface ErrorLike {
  code?: unknown;
  kind?: unknown;
  message?: unknown;
  syscall?: unknown;
  severity?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

function ownUnavailability(error: ErrorLike): DatabaseUnavailability | null {
  const code = typeof error.code === 'string' ? error.code : undefined;
  if (code && PRISMA_CODES[code]) return PRISMA_CODES[code];
  if (typeof error.kind === 'string') {
    if (ADAPTER_KINDS[error.kind]) return ADAPTER_KINDS[error.kind]!;
    // The adapter's kind for any other PostgreSQL error keeps its SQLSTATE in `code`.
    if (error.kind === 'postgres' && code) return sqlStateUnavailability(code);
  }
  if (code && typeof error.syscall === 'string' && SOCKET_CODES.has(code)) return 'unreachable';
  if (code && typeof error.severity === 'string') return sqlStateUnavailability(code); // pg's own DatabaseError
  if (typeof error.message === 'string') {
    for (const [pattern, kind] of DRIVER_MESSAGES) if (pattern.test(error.message)) return kind;
  }
  return null;
}

/** Why the database cannot be used, when that is what `error` (or anything it wraps) says; null for any other error. */
export function databaseUnavailability(error: unknown): DatabaseUnavailability | null {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length) {
    const current = pending.pop();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const candidate = current as ErrorLike;
    const found = ownUnavailability(candidate);
    if (found) return found;
    pending.push(candidate.cause, candidate.meta?.driverAdapterError);
  }
  return null;
}
