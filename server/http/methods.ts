import http from 'node:http';
import { errorBody, httpErrorResponse } from '../error-mapping';
import { HoneError } from '../errors';

/** Every method some route of this server answers. */
export const SERVED_METHODS = 'GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE';

// The fetch API refuses to even build a Request for these methods, and Next builds one before any of our code
// runs: without this they end in a 500 with a stack trace in the log.
const UNREPRESENTABLE_METHODS = new Set(['TRACE', 'TRACK', 'CONNECT']);

export function methodNotAllowed(method: string, allowed: string, what: string): HoneError {
  return new HoneError('METHOD_NOT_SUPPORTED', `${what} accepts ${allowed}, not ${method}`);
}

/** A route's answer to a method it does not serve: 405 with `Allow` and the JSON error shape. */
export function methodNotAllowedResponse(request: Request, allowed: string, what: string): Response {
  return httpErrorResponse(methodNotAllowed(request.method, allowed, what), { Allow: allowed });
}

/**
 * Answers TRACE, TRACK and CONNECT with 405 before Next sees them. Called once at start-up (instrumentation.ts):
 * the Node server is Next's own, so its request event is the only place ahead of Next.
 */
export function refuseUnrepresentableMethods(): void {
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (this: http.Server, event: string, ...args: unknown[]) {
    if (event === 'request') {
      const [request, response] = args as [http.IncomingMessage, http.ServerResponse];
      if (UNREPRESENTABLE_METHODS.has(request.method ?? '')) {
        const error = methodNotAllowed(request.method!, SERVED_METHODS, 'This server');
        response.writeHead(error.status, { 'content-type': 'application/json', allow: SERVED_METHODS });
        response.end(JSON.stringify(errorBody(error)));
        return true;
      }
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as typeof emit;
}
