import { Prisma } from './generated/client';
import { describe, expect, it } from 'vitest';
import { asHoneError, errorBody } from '../error-mapping';
import { databaseUnavailability } from './unavailable';

/** What Prisma throws for a failure its driver adapter reported (the shape observed from @prisma/adapter-pg). */
function prismaAdapterError(code: string, cause: Record<string, unknown>) {
  return new Prisma.PrismaClientKnownRequestError('Invalid `prisma.x()` invocation', {
    code,
    clientVersion: '7',
    meta: { driverAdapterError: Object.assign(new Error('adapter'), { name: 'DriverAdapterError', cause }) },
  });
}

const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: 'connect', errno: -111 });
const postgresError = (code: string) => Object.assign(new Error('from the server'), { code, severity: 'FATAL' });

describe('which failures mean the database cannot be used', () => {
  it.each([
    ['Prisma P1001 (cannot reach)', prismaAdapterError('P1001', { kind: 'DatabaseNotReachable', host: 'h', port: 1 }), 'unreachable'],
    [
      'Prisma P1017 (connection closed)',
      new Prisma.PrismaClientKnownRequestError('closed', { code: 'P1017', clientVersion: '7' }),
      'unreachable',
    ],
    ['a raw query whose adapter error is a lost connection', prismaAdapterError('P2010', { kind: 'ConnectionClosed' }), 'unreachable'],
    ['administrator shutdown (57P01)', prismaAdapterError('P2010', { kind: 'postgres', code: '57P01' }), 'unreachable'],
    ['the database starting up (57P03)', prismaAdapterError('P2010', { kind: 'postgres', code: '57P03' }), 'unreachable'],
    ['a connection exception (08006)', prismaAdapterError('P2010', { kind: 'postgres', code: '08006' }), 'unreachable'],
    ['too many connections', prismaAdapterError('P2037', { kind: 'TooManyConnections', cause: 'x' }), 'unreachable'],
    ['statement_timeout (57014)', prismaAdapterError('P2010', { kind: 'postgres', code: '57014' }), 'timeout'],
    ["pg's lost connection", new Error('Connection terminated unexpectedly'), 'unreachable'],
    ["pg-pool's wait for a connection", new Error('timeout exceeded when trying to connect'), 'timeout'],
    ["pg's query_timeout", new Error('Query read timeout'), 'timeout'],
    ['a refused socket', socketError('ECONNREFUSED'), 'unreachable'],
    ["pg's own error for a shutdown", postgresError('57P01'), 'unreachable'],
    ['a wrapped cause', new Error('outer', { cause: new Error('Connection terminated due to connection timeout') }), 'unreachable'],
  ])('%s', (_, error, expected) => {
    expect(databaseUnavailability(error)).toBe(expected);
  });

  it.each([
    ['a unique violation', prismaAdapterError('P2002', { kind: 'UniqueConstraintViolation' })],
    ['a syntax error', prismaAdapterError('P2010', { kind: 'postgres', code: '42601' })],
    ['a deadlock (retried by the caller, not an outage)', prismaAdapterError('P2034', { kind: 'TransactionWriteConflict' })],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a message that merely mentions a connection', new Error('Parsing failed: Connection terminated unexpectedly')],
    ['nothing', undefined],
  ])('not %s', (_, error) => {
    expect(databaseUnavailability(error)).toBeNull();
  });

  it('becomes one 503 that says the database is unavailable, asks to retry in a second and leaks no host', () => {
    const mapped = asHoneError(prismaAdapterError('P1001', { kind: 'DatabaseNotReachable', host: 'db.internal', port: 5432 }), 'test');
    expect(mapped).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503, retryAfterSeconds: 1 });
    expect(mapped.message).toMatch(/^The database is unavailable \(/);
    expect(mapped.message).not.toContain('db.internal');
    expect(errorBody(mapped).error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1 });
    expect(asHoneError(new Error('Query read timeout'), 'test').message).toContain('did not answer in time');
  });
});
