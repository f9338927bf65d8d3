// What kind of database failure an error is, for the database error counter. An error reaches the server's code
// in one of several wrappings (Prisma's request errors around the driver adapter's error around pg's or PGlite's,
// or pg's own Error when the pool or the socket fails first), so the whole chain is read.

export type DatabaseErrorKind = 'unavailable' | 'timeout' | 'other';

export const DATABASE_ERROR_KINDS: readonly DatabaseErrorKind[] = ['unavailable', 'timeout', 'other'];

/** Prisma's codes for a server that cannot be reached or used (authentication, missing database, TLS, connection lost). */
const PRISMA_UNAVAILABLE = new Set(['P1000', 'P1001', 'P1003', 'P1010', 'P1011', 'P1017', 'P2037']);
/** Prisma's codes for a wait that ran out: reaching the server, a socket, the pool. */
const PRISMA_TIMEOUT = new Set(['P1002', 'P1008', 'P2024']);

/** The driver adapter's kinds (`DriverAdapterError.cause.kind`) for the same two cases. */
const ADAPTER_UNAVAILABLE = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'TlsConnectionError',
  'AuthenticationFailed',
  'DatabaseDoesNotExist',
  'DatabaseAccessDenied',
  'TooManyConnections',
]);
const ADAPTER_TIMEOUT = new Set(['SocketTimeout']);

/** Node's socket error codes. */
const SOCKET_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const SOCKET_TIMEOUT = new Set(['ETIMEDOUT']);

/**
 * PostgreSQL's SQLSTATEs: class 08 (connection exception), the server shutting down or starting (57P01-57P03),
 * too many connections (53300); a statement, lock or idle-transaction timeout (57014, 55P03, 25P03).
 */
function sqlStateKind(code: string): DatabaseErrorKind {
  if (code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code)) return 'unavailable';
  if (['57014', '55P03', '25P03'].includes(code)) return 'timeout';
  return 'other';
}

/** node-postgres raises these as plain Errors, without a code. */
const PG_UNAVAILABLE_MESSAGES = [/^Connection terminated/, /connection error and is not queryable/, /Cannot use a pool after calling end/];
const PG_TIMEOUT_MESSAGES = [
  /^timeout exceeded when trying to connect/,
  /^Query read timeout/,
  /^Connection terminated due to connection timeout/,
];

const SQLSTATE = /^[0-9A-Z]{5}$/;

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  /** PrismaClientInitializationError's code. */
  errorCode?: unknown;
  message?: unknown;
  severity?: unknown;
  syscall?: unknown;
  kind?: unknown;
  originalCode?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

function isObject(value: unknown): value is ErrorLike {
  return typeof value === 'object' && value !== null;
}

/** The error and everything it wraps, outermost first (bounded: a cause chain can loop). */
function chainOf(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  const pending: unknown[] = [error];
  while (pending.length > 0 && chain.length < 10) {
    const next = pending.shift();
    if (!isObject(next) || chain.includes(next)) continue;
    chain.push(next);
    pending.push(next.meta?.driverAdapterError, next.cause);
  }
  return chain;
}

function kindOfLink(link: ErrorLike): DatabaseErrorKind | null {
  const code = typeof link.code === 'string' ? link.code : typeof link.errorCode === 'string' ? link.errorCode : undefined;
  const message = typeof link.message === 'string' ? link.message : '';
  if (code && /^P\d{4}$/.test(code)) {
    if (PRISMA_UNAVAILABLE.has(code)) return 'unavailable';
    if (PRISMA_TIMEOUT.has(code)) return 'timeout';
    return null; // a wrapper: what it wraps may say more; 'other' at worst (see databaseErrorKind)
  }
  if (typeof link.kind === 'string') {
    if (ADAPTER_UNAVAILABLE.has(link.kind)) return 'unavailable';
    if (ADAPTER_TIMEOUT.has(link.kind)) return 'timeout';
    if (typeof link.originalCode === 'string' && SQLSTATE.test(link.originalCode)) return sqlStateKind(link.originalCode);
    return null;
  }
  if (code && typeof link.syscall === 'string') {
    if (SOCKET_UNAVAILABLE.has(code)) return 'unavailable';
    if (SOCKET_TIMEOUT.has(code)) return 'timeout';
  }
  if (code && typeof link.severity === 'string' && SQLSTATE.test(code)) return sqlStateKind(code);
  if (PG_TIMEOUT_MESSAGES.some((pattern) => pattern.test(message))) return 'timeout';
  if (PG_UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return 'unavailable';
  return null;
}

/** Prisma's error classes and the driver adapter's: a database failure even when nothing inside says which. */
const DATABASE_ERROR_NAMES = new Set([
  'PrismaClientKnownRequestError',
  'PrismaClientUnknownRequestError',
  'PrismaClientRustPanicError',
  'PrismaClientInitializationError',
  'DriverAdapterError',
]);

/**
 * The kind of database failure `error` is, or null when it is not a database failure at all (a bug in the server's
 * own code, say). The most specific link of the chain decides: a connection refused inside a Prisma request error
 * is `unavailable`, a unique violation is `other`.
 */
export function databaseErrorKind(error: unknown): DatabaseErrorKind | null {
  const chain = chainOf(error);
  for (const link of chain) {
    const kind = kindOfLink(link);
    if (kind) return kind;
  }
  const fromDatabase = chain.some(
    (link) => (typeof link.name === 'string' && DATABASE_ERROR_NAMES.has(link.name)) || typeof link.kind === 'string',
  );
  return fromDatabase ? 'other' : null;
}
