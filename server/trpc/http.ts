import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { API_VERSION_HEADER, HONE_API_VERSION } from '../api-version';
import { asHoneError, honeErrorOfTrpc, trpcHttpErrorResponse, trpcRetryAfterHeaders } from '../error-mapping';
import { HoneError } from '../errors';
import { checkHostAndOrigin } from '../http/host-origin';
import { methodNotAllowed } from '../http/methods';
import { readBody } from '../http/read-body';
import { observeRefusal, type CallOrigin } from '../monitoring/metrics';
import { faceOfTrpcRequest } from '../monitoring/trpc-source';
import { toolsByProcedurePath } from '../tools/registry';
import { createContext } from './context';
import { appRouter } from './routers/_app';

export const TRPC_ENDPOINT = '/api/trpc';

/** Procedures one HTTP request may call (GET or POST). The typed client batches at most 50 (server/hone-client.ts). */
export const MAX_TRPC_BATCH = 100;

/** Procedures the request names, counted as tRPC will read them: after decoding (`%2C` is a comma to tRPC too). */
function batchSize(url: URL): number {
  if (url.searchParams.get('batch') !== '1') return 1;
  const paths = url.pathname.slice(TRPC_ENDPOINT.length + 1);
  let decoded: string;
  try {
    decoded = decodeURIComponent(paths);
  } catch {
    throw new HoneError('BAD_REQUEST', 'The procedure path is not valid percent-encoding', [
      { path: ['path'], message: 'is not valid percent-encoding' },
    ]);
  }
  return decoded.split(',').length;
}

/**
 * The same limits as the other faces, checked before tRPC reads anything: the host/origin rule, at most
 * MAX_TRPC_BATCH procedures, a body of at most 1 MiB. The body is read here, within the limit, and handed on.
 */
async function admittedRequest(request: Request): Promise<Request> {
  checkHostAndOrigin(request);
  if (request.method !== 'GET' && request.method !== 'POST') {
    throw methodNotAllowed(request.method, 'GET, POST', `${TRPC_ENDPOINT} (GET for queries, POST for mutations)`);
  }
  const procedures = batchSize(new URL(request.url));
  if (procedures > MAX_TRPC_BATCH) {
    throw new HoneError('BAD_REQUEST', `A batch may call at most ${MAX_TRPC_BATCH} procedures; this one calls ${procedures}`, [
      { path: ['batch'], message: `at most ${MAX_TRPC_BATCH} procedures per request` },
    ]);
  }
  if (request.method === 'GET') return request;
  return new Request(request.url, { method: request.method, headers: request.headers, body: await readBody(request) });
}

/**
 * `/api/trpc`: authenticates once per HTTP request (the batch shares one context); each procedure runs the pipeline,
 * which counts it. What fails outside the pipeline (the request refused whole, a procedure no tool has, the context)
 * is counted here.
 */
export async function handleTrpcRequest(request: Request): Promise<Response> {
  const origin: CallOrigin = { face: faceOfTrpcRequest(request.headers), receivedAt: performance.now() };
  let admitted: Request;
  try {
    admitted = await admittedRequest(request);
  } catch (error) {
    const refusal = asHoneError(error, `tRPC ${TRPC_ENDPOINT}`);
    observeRefusal(origin, undefined, refusal);
    const response = trpcHttpErrorResponse(refusal);
    if (refusal.code === 'METHOD_NOT_SUPPORTED') response.headers.set('Allow', 'GET, POST');
    response.headers.set(API_VERSION_HEADER, HONE_API_VERSION);
    return response;
  }
  return fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req: admitted,
    router: appRouter,
    createContext: () => createContext({ headers: admitted.headers, origin }),
    // Every answer, errors included, says which API it speaks: the client refuses another major version.
    // A refusal that passes (429, 503) says when to try again, as on the other faces.
    responseMeta: ({ errors }) => ({ headers: { [API_VERSION_HEADER]: HONE_API_VERSION, ...trpcRetryAfterHeaders(errors) } }),
    onError({ error, path }) {
      // A tool call's failure was logged and counted by the pipeline; this handles the rest (an unexpected one is
      // logged by asHoneError).
      const tool = path === undefined ? undefined : toolsByProcedurePath.get(path);
      observeRefusal(origin, tool, honeErrorOfTrpc(error, `tRPC ${path ?? '(unknown)'}`));
    },
  });
}
