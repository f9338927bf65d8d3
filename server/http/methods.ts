import { httpErrorResponse } from '../error-mapping';
import { HoneError } from '../errors';

/** Every method some route of this server answers. */
export const SERVED_METHODS = 'GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE';

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
