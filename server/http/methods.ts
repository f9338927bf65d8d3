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
 * Set on every request from the connection itself, replacing whatever the client sent under that name: the address
 * the sign-in limit counts failures by (X-Forwarded-For is the client's to choose, so it could pin its failures on
 * somebody else's address).
 */
export const CLIENT_ADDRESS_HEADER = 'x-hone-client-address';

/**
 * What happens to a request before Next sees it: TRACE, TRACK and CONNECT are answered with 405, and the
 * connection's address is put in CLIENT_ADDRESS_HEADER. Called once at start-up (instrumentation.ts): the Node
 * server is Next's own, so its request event is the only place ahead of Next.
 */
export function guardIncomingRequests(): void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with Reflect.apply on the server it belongs to
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
      request.headers[CLIENT_ADDRESS_HEADER] = request.socket.remoteAddress ?? 'unknown';
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as typeof emit;
}
