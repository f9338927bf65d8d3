import { TRPCClientError } from '@trpc/client';
import type { FieldIssue, HoneErrorShape, HoneRouter } from './router.js';

/** Codes the server answers with (its HoneError codes, tRPC's names). */
export type HoneServerErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_SUPPORTED'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'TOO_MANY_REQUESTS'
  | 'INTERNAL_SERVER_ERROR'
  | 'SERVICE_UNAVAILABLE';

/** Failures that happen on the way, before or without an answer from Hone. */
export type HoneTransportErrorCode =
  /** Hone could not be reached (connection refused, DNS, reset). */
  | 'NETWORK_ERROR'
  /** No answer within `timeoutMs`. */
  | 'TIMEOUT'
  /** The caller's AbortSignal fired. */
  | 'ABORTED'
  /** The server speaks another major API version than this client. */
  | 'VERSION_MISMATCH'
  /** Something answered, but not with a tRPC response (e.g. a proxy's HTML error page). */
  | 'BAD_RESPONSE';

// `string & {}`: a newer server may send a code this client does not know yet; it still arrives intact.
export type HoneClientErrorCode = HoneServerErrorCode | HoneTransportErrorCode | (string & {});

export interface HoneClientErrorDetails {
  code: HoneClientErrorCode;
  /** The HTTP status of Hone's answer; null when there was none (network, timeout, abort). */
  status: number | null;
  issues?: FieldIssue[] | undefined;
  /** The procedure called, e.g. `modelPerformance.update`. */
  path?: string | undefined;
  /** For VERSION_MISMATCH: the API version the server speaks. */
  serverApiVersion?: string | undefined;
  /** How long the answer asked the caller to wait before trying again (its `Retry-After` header), if it said. */
  retryAfterMs?: number | undefined;
  cause?: unknown;
  shape?: HoneErrorShape | undefined;
}

/**
 * Every failure of a Hone call is one of these: `code` says what happened, `status` the HTTP status if Hone
 * answered, `issues` which input fields were refused. It is also a TRPCClientError, so code written against
 * tRPC's error keeps working.
 */
export class HoneClientError extends TRPCClientError<HoneRouter> {
  readonly code: HoneClientErrorCode;
  readonly status: number | null;
  readonly issues: FieldIssue[];
  readonly path: string | undefined;
  readonly serverApiVersion: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, details: HoneClientErrorDetails) {
    super(message, {
      cause: details.cause instanceof Error ? details.cause : undefined,
      result: details.shape ? { error: details.shape } : undefined,
    });
    // TRPCClientError resets the prototype to its own; restore ours so `instanceof HoneClientError` holds.
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = 'HoneClientError';
    this.code = details.code;
    this.status = details.status;
    this.issues = details.issues ?? [];
    this.path = details.path;
    this.serverApiVersion = details.serverApiVersion;
    this.retryAfterMs = details.retryAfterMs;
  }
}

export function isHoneClientError(error: unknown): error is HoneClientError {
  return error instanceof HoneClientError;
}

/** A `Retry-After` header in milliseconds: delay-seconds or an HTTP date (RFC 9110 10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
