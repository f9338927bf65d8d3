// Where a HoneError becomes each face's wire form, and where an unexpected error becomes a HoneError: every
// face and every HTTP route answers failures through this module and nowhere else.
import { TRPCError } from '@trpc/server';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { databaseUnavailability, type DatabaseUnavailability } from './db/unavailable';
import { DATABASE_UNAVAILABLE_MESSAGE, HoneError, HTTP_STATUS, type HoneErrorCode } from './errors';
import { countDatabaseError } from './monitoring/metrics';

export const INTERNAL_ERROR_MESSAGE = 'Internal error; the server log has the details';

const DATABASE_UNAVAILABLE_REASONS: Record<DatabaseUnavailability, string> = {
  unreachable: 'it cannot be reached, or it dropped the connection',
  timeout: 'it did not answer in time',
};

// During an outage every request fails the same way: the log says so once per interval, with a count, not per request.
const OUTAGE_LOG_INTERVAL_MS = 5_000;
const outageLog = { lastAt: 0, unreported: 0 };

function logDatabaseUnavailable(where: string, error: unknown): void {
  const now = Date.now();
  if (now - outageLog.lastAt < OUTAGE_LOG_INTERVAL_MS) {
    outageLog.unreported += 1;
    return;
  }
  const more = outageLog.unreported ? ` (and ${outageLog.unreported} more failures since the last report)` : '';
  const detail = error instanceof Error ? error.message.trim().split('\n').at(-1) : String(error);
  console.warn(`Hone: ${where}: ${DATABASE_UNAVAILABLE_MESSAGE.toLowerCase()}: ${detail}${more}`);
  outageLog.lastAt = now;
  outageLog.unreported = 0;
}

/**
 * A HoneError passes through. A database failure is counted by kind (server/monitoring/metrics.ts). A database that
 * cannot be used (down, restarting, unreachable, too slow) is the one 503 every face answers, whatever shape the
 * driver reported it in. Anything else is a fault of the server: logged here, once, under `where` (the tool or route
 * that failed), and answered with a message that leaks nothing of the database or the code.
 */
export function asHoneError(error: unknown, where: string): HoneError {
  if (error instanceof HoneError) return error;
  countDatabaseError(error);
  const unavailability = databaseUnavailability(error);
  if (unavailability) {
    logDatabaseUnavailable(where, error);
    const unavailable = HoneError.databaseUnavailable(DATABASE_UNAVAILABLE_REASONS[unavailability]);
    unavailable.cause = error;
    return unavailable;
  }
  console.error(`${where} failed:`, error);
  const internal = new HoneError('INTERNAL_SERVER_ERROR', INTERNAL_ERROR_MESSAGE);
  internal.cause = error;
  return internal;
}

/** The body every HTTP route (REST, the download route, OpenAPI's Error schema) answers a failure with. */
export function errorBody(error: HoneError) {
  return {
    error: {
      code: error.code,
      message: error.message,
      issues: error.issues,
      ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
    },
  };
}

/** `Retry-After` for a refusal that passes (429, 503), beside whatever else the response carries. */
export function retryAfterHeaders(error: HoneError, headers?: HeadersInit): Headers {
  const merged = new Headers(headers);
  if (error.retryAfterSeconds !== undefined) merged.set('Retry-After', String(error.retryAfterSeconds));
  return merged;
}

/**
 * A plain HTTP answer before it is written: a Response (route handlers), or a Node response the front door writes
 * without making a fetch Response. The body is JSON text; the headers include its Content-Type.
 */
export interface HttpAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** A JSON answer, as Response.json makes it (a value JSON cannot hold throws the same TypeError). */
export function jsonAnswer(status: number, value: unknown, headers?: Headers): HttpAnswer {
  const body = JSON.stringify(value) as string | undefined;
  if (body === undefined) throw new TypeError('Value is not JSON serializable');
  return { status, body, headers: { 'content-type': 'application/json', ...(headers && Object.fromEntries(headers)) } };
}

/** REST's and every other plain HTTP route's failure: `{"error":{"code","message","issues"}}` with the error's status. */
export function httpErrorAnswer(error: HoneError, headers?: HeadersInit): HttpAnswer {
  return jsonAnswer(error.status, errorBody(error), retryAfterHeaders(error, headers));
}

/** httpErrorAnswer as a Response. */
export function httpErrorResponse(error: HoneError, headers?: HeadersInit): Response {
  const answer = httpErrorAnswer(error, headers);
  return new Response(answer.body, answer);
}

// MCP's authorization spec: 401 asks for a bearer token, 403 names the missing scope.
const MCP_CHALLENGES: Partial<Record<HoneError['code'], string>> = {
  UNAUTHORIZED: 'Bearer realm="hone"',
  FORBIDDEN: 'Bearer realm="hone", error="insufficient_scope", scope="write"',
};

const JSON_RPC_PARSE_ERROR = -32700;
const JSON_RPC_INVALID_REQUEST = -32600;

/**
 * MCP's refusal before any message is handled (host, key, scope, body): a JSON-RPC error at the HTTP status.
 * `insufficientScope` marks a 403 caused by the key's scope (as opposed to a refused host), which MCP clients
 * are told in WWW-Authenticate.
 */
export function mcpHttpErrorResponse(
  error: HoneError,
  { insufficientScope = false, allow }: { insufficientScope?: boolean; allow?: string } = {},
): Response {
  const headers = retryAfterHeaders(error);
  const challenge =
    error.code === 'UNAUTHORIZED' || (error.code === 'FORBIDDEN' && insufficientScope) ? MCP_CHALLENGES[error.code] : undefined;
  if (challenge) headers.set('WWW-Authenticate', challenge);
  if (allow) headers.set('Allow', allow);
  return Response.json(
    { jsonrpc: '2.0', error: { code: JSON_RPC_INVALID_REQUEST, message: error.message, data: errorBody(error).error }, id: null },
    { status: error.status, headers },
  );
}

export function mcpParseErrorResponse(): Response {
  return Response.json(
    { jsonrpc: '2.0', error: { code: JSON_RPC_PARSE_ERROR, message: 'Parse error: the body is not valid JSON' }, id: null },
    { status: 400 },
  );
}

/** An MCP tool call's failure: an `isError` result the agent reads, with the same code and issues as JSON. */
export function mcpErrorResult(error: HoneError) {
  return {
    content: [{ type: 'text' as const, text: error.message }],
    structuredContent: errorBody(error),
    isError: true,
  };
}

/** tRPC's error for a HoneError: its code names are tRPC's, so the HTTP status follows. */
export function trpcErrorOf(error: HoneError): TRPCError {
  return new TRPCError({ code: error.code, message: error.message, cause: error });
}

/** What tRPC's error formatter shows: a HoneError's message and issues, never the text of an unexpected error. */
export function trpcErrorPresentation(error: TRPCError): { message: string; issues: HoneError['issues'] | null } {
  const cause = error.cause;
  if (cause instanceof HoneError) return { message: cause.message, issues: cause.issues.length ? cause.issues : null };
  if (error.code === 'INTERNAL_SERVER_ERROR') return { message: INTERNAL_ERROR_MESSAGE, issues: null };
  return { message: error.message, issues: null };
}

/**
 * A tRPC failure as a HoneError: the pipeline's own (its cause), or one tRPC made itself (no such procedure, a wrong
 * method, input it could not read) under the same code, or an unexpected one (the context failing) as asHoneError
 * makes it.
 */
export function honeErrorOfTrpc(error: TRPCError, where: string): HoneError {
  if (error.cause instanceof HoneError) return error.cause;
  if (error.code === 'INTERNAL_SERVER_ERROR') return asHoneError(error.cause ?? error, where);
  if (error.code === 'PARSE_ERROR') return new HoneError('BAD_REQUEST', error.message);
  if (Object.hasOwn(HTTP_STATUS, error.code)) return new HoneError(error.code as HoneErrorCode, error.message);
  return asHoneError(error, where);
}

/**
 * A refusal of a whole tRPC HTTP request (host, body size, batch size) before tRPC runs, in tRPC's own error
 * envelope, so the typed client reports it like any other error (`error.data.httpStatus`, `error.data.issues`).
 */
export function trpcHttpErrorResponse(error: HoneError): Response {
  const data = { code: error.code, httpStatus: error.status, issues: error.issues.length ? error.issues : null };
  return Response.json(
    { error: { message: error.message, code: TRPC_ERROR_CODES_BY_KEY[error.code], data } },
    { status: error.status, headers: retryAfterHeaders(error) },
  );
}

/**
 * `Retry-After` for a tRPC answer whose calls were refused for a while (429, 503): the longest wait any of them asks.
 * tRPC's errors carry the HoneError as their cause.
 */
export function trpcRetryAfterHeaders(errors: readonly TRPCError[]): Record<string, string> {
  const waits = errors.flatMap((error) => (error.cause instanceof HoneError && error.cause.retryAfterSeconds) || []);
  return waits.length ? { 'Retry-After': String(Math.max(...waits)) } : {};
}
