// The one error type services throw. Each face's wire form of it is made in one module: server/error-mapping.ts.

export const HTTP_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_SUPPORTED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export const DATABASE_UNAVAILABLE_MESSAGE = 'The database is unavailable';

export type HoneErrorCode = keyof typeof HTTP_STATUS;

export interface FieldIssue {
  path: (string | number)[];
  message: string;
}

export class HoneError extends Error {
  override name = 'HoneError';

  /** When to try again, in whole seconds (`Retry-After`): set on refusals that pass (429, 503). */
  retryAfterSeconds?: number;

  constructor(
    readonly code: HoneErrorCode,
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }

  /** A refusal that passes by itself: the caller may try again after `seconds`. */
  static retryLater(code: 'TOO_MANY_REQUESTS' | 'SERVICE_UNAVAILABLE', message: string, seconds: number): HoneError {
    const error = new HoneError(code, message);
    error.retryAfterSeconds = Math.max(1, Math.ceil(seconds));
    return error;
  }

  get status(): number {
    return HTTP_STATUS[this.code];
  }

  /** Input that failed its schema: the message names every bad field. */
  static fromZod(error: ZodLikeError): HoneError {
    return HoneError.invalidInput(fieldIssuesOf(error));
  }

  /** Input refused at the given fields: the message names every one. */
  static invalidInput(issues: FieldIssue[]): HoneError {
    return new HoneError('BAD_REQUEST', describeIssues(issues), issues);
  }

  /** The database cannot be used now (down, restarting, unreachable, too slow): 503, try again in a second. */
  static databaseUnavailable(reason: string): HoneError {
    return HoneError.retryLater('SERVICE_UNAVAILABLE', `${DATABASE_UNAVAILABLE_MESSAGE} (${reason}); try again shortly`, 1);
  }

  /** A bad value in one input field: the message names the field. */
  static invalidField(field: string, message: string): HoneError {
    return new HoneError('BAD_REQUEST', `${field}: ${message}`, [{ path: [field], message }]);
  }
}

/** The shape of a zod error this module reads (errors.ts stays free of imports: the schemas use it too). */
export interface ZodLikeError {
  issues: readonly { path: readonly PropertyKey[]; message: string; code?: string; keys?: readonly string[] }[];
}

/** A schema's issues as field issues: a misspelt field is reported at that field, so its path names it like any other. */
export function fieldIssuesOf(error: ZodLikeError): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map((key) => (typeof key === 'number' ? key : String(key)));
    if (issue.code === 'unrecognized_keys' && issue.keys?.length) {
      return issue.keys.map((key) => ({ path: [...path, key], message: 'is not a known field' }));
    }
    return [{ path, message: issue.message }];
  });
}

export function describeIssues(issues: FieldIssue[]): string {
  return issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`).join('; ');
}
