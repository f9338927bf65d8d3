import http from 'node:http';
import type { TLSSocket } from 'node:tls';
import { createHeaders, createRequestListener } from '@remix-run/node-fetch-server';
import { asHoneError, errorBody, httpErrorAnswer, httpErrorResponse, type HttpAnswer } from '../error-mapping';
import { HoneError } from '../errors';
import { answerToolRequest, type RestRequest } from '../rest/handler';
import { apiHandlerFor, toolNameFor } from './api-routes';
import { CLIENT_ADDRESS_HEADER, methodNotAllowed, SERVED_METHODS } from './methods';
import { readNodeBody } from './read-body';

// The fetch API refuses to even build a Request for these methods, and Next builds one before any of our code
// runs: without this they end in a 500 with a stack trace in the log.
const UNREPRESENTABLE_METHODS = new Set(['TRACE', 'TRACK', 'CONNECT']);

const pathOf = (url: string | undefined) => (url ?? '').split('?', 1)[0]!;

/** An API request as a fetch Request, answered by its face's handler (HEAD as GET: Node sends no body for HEAD). */
async function answerApiRequest(request: Request): Promise<Response> {
  const url = new URL(request.url);
  try {
    const handler = apiHandlerFor(url.pathname)!;
    return await handler(request.method === 'HEAD' ? new Request(request, { method: 'GET' }) : request);
  } catch (error) {
    return httpErrorResponse(asHoneError(error, `${request.method} ${url.pathname}`));
  }
}

const cannotBeRead = (error: unknown) => new HoneError('BAD_REQUEST', `The request cannot be read: ${(error as Error).message}`);

function writeAnswer(response: http.ServerResponse, { status, headers, body }: HttpAnswer): void {
  if (response.destroyed || response.writableEnded) return;
  response.writeHead(status, headers);
  response.end(body); // nothing is sent for HEAD
}

/**
 * A REST call (`/tools/<name>`), answered straight from the Node request: the same answer as its route's handler
 * (handleToolRequest) without making a fetch Request and Response of it, which cost a single call more CPU than the
 * rest of its way through Hone. The URL is made as for a fetch Request (the connection's scheme, the Host header).
 */
function serveToolRequest(request: http.IncomingMessage, response: http.ServerResponse, name: string): void {
  let restRequest: RestRequest;
  try {
    const headers = createHeaders(request);
    const scheme = (request.socket as Partial<TLSSocket>).encrypted ? 'https:' : 'http:';
    restRequest = {
      method: request.method === 'HEAD' ? 'GET' : (request.method ?? 'GET'),
      url: `${scheme}//${headers.get('host') ?? 'localhost'}${request.url}`,
      headers,
      text: () => readNodeBody(request),
    };
  } catch (error) {
    return writeAnswer(response, httpErrorAnswer(cannotBeRead(error)));
  }
  answerToolRequest(restRequest, name).then(
    (answer) => writeAnswer(response, answer),
    (error: unknown) => writeAnswer(response, httpErrorAnswer(asHoneError(error, `${restRequest.method} ${pathOf(request.url)}`))),
  );
}

/**
 * What happens to a request before Next.js sees it, installed once at start-up (instrumentation.ts): the Node server
 * is Next's own, so its request event is the only place ahead of Next.
 * - TRACE, TRACK and CONNECT are answered with 405.
 * - The connection's address is put in CLIENT_ADDRESS_HEADER, replacing whatever the client sent under that name.
 * - In production, the API faces (server/http/api-routes.ts) are answered here, by the handlers their App Router
 *   route files export, and never reach Next: its routing, request wrapping and response streaming cost more than
 *   the whole tool call a request carries. `next dev` leaves them to the route files, which it reloads on change.
 */
export function serveAheadOfNext(): void {
  const answersApi = process.env.NODE_ENV === 'production';
  const serveApi = createRequestListener(answerApiRequest, {
    // Only a request that cannot be made into a fetch Request gets here (answerApiRequest answers every failure).
    onError: (error) => httpErrorResponse(cannotBeRead(error)),
  });
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
      const path = pathOf(request.url);
      if (answersApi && apiHandlerFor(path)) {
        // A handler may answer without reading the whole body (413 by Content-Length). Node discards such a rest for
        // Next's requests, but not once a body has been read from: without this, it would be read as the next
        // request on the connection.
        response.once('finish', () => {
          if (request.complete) return;
          request.removeAllListeners('data');
          request.resume();
        });
        const tool = toolNameFor(path);
        if (tool !== undefined && request.httpVersionMajor === 1) serveToolRequest(request, response, tool);
        else serveApi(request, response);
        return true;
      }
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as typeof emit;
}
