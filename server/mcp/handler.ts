import { authenticate } from '../auth/request-auth';
import { getPrisma } from '../db';
import { asHoneError, mcpHttpErrorResponse, mcpParseErrorResponse } from '../error-mapping';
import { HoneError } from '../errors';
import { checkHostAndOrigin } from '../http/host-origin';
import { methodNotAllowed } from '../http/methods';
import { readBody } from '../http/read-body';
import { callOrigin, observeRefusal, type CallOrigin } from '../monitoring/metrics';
import { admit, admitReader, admitToolless, type Admission } from '../tools/pipeline';
import { toolsByName } from '../tools/registry';
import { serveMcp } from './server';

/** Tools a JSON-RPC message (or batch) would call, so that each call is admitted before the SDK sees the message. */
function calledTools(body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  return messages.flatMap((message) => {
    const m = message as { method?: unknown; params?: { name?: unknown } } | null;
    return m?.method === 'tools/call' && typeof m.params?.name === 'string' ? [m.params.name] : [];
  });
}

/**
 * Each tools/call's arguments exactly as the client sent them, by JSON-RPC id. The SDK hands a tool a copy made by its
 * own request schema, which drops a `__proto__` key; the pipeline reads these instead, so the raw-input guard refuses
 * such a key by name here as on every other face. An id two calls of one request share is left out (the SDK's copy
 * is used for those).
 */
function sentArguments(body: unknown): Map<string | number, unknown> {
  const byId = new Map<string | number, unknown>();
  const shared = new Set<string | number>();
  for (const message of Array.isArray(body) ? body : [body]) {
    const m = message as { id?: unknown; method?: unknown; params?: { arguments?: unknown } } | null;
    if (m?.method !== 'tools/call' || (typeof m.id !== 'string' && typeof m.id !== 'number') || !m.params || !('arguments' in m.params))
      continue;
    if (byId.has(m.id)) shared.add(m.id);
    byId.set(m.id, m.params.arguments);
  }
  for (const id of shared) byId.delete(id);
  return byId;
}

/**
 * The pipeline's admission of every tool call the message makes (each one counted by the rate limit), made here so that a read key calling a writing tool
 * is refused at the HTTP level (403, insufficient_scope), as MCP's authorization spec asks; each call then runs
 * with its admission and is not authorized again.
 */
function admitCalls(auth: Awaited<ReturnType<typeof authenticate>>, body: unknown, origin: CallOrigin): Map<string, Admission> {
  const admissions = new Map<string, Admission>();
  for (const name of calledTools(body)) {
    const tool = toolsByName.get(name);
    if (!tool) {
      // The SDK answers it (no such tool); counted here, where the name is still known to be nobody's.
      observeRefusal(origin, undefined, new HoneError('NOT_FOUND', 'No tool of this name'));
      continue;
    }
    try {
      admissions.set(tool.name, admit(auth, tool));
    } catch (error) {
      const refusal = asHoneError(error, 'MCP /api/mcp');
      observeRefusal(origin, tool, refusal);
      throw refusal;
    }
  }
  return admissions;
}

/**
 * `/api/mcp`: Streamable HTTP, stateless, JSON responses; bearer keys only. Each tool call is counted by the
 * pipeline; a request refused before its calls are made is counted here (under the tool whose admission failed).
 */
export async function handleMcpRequest(request: Request): Promise<Response> {
  const origin = callOrigin('mcp');
  try {
    checkHostAndOrigin(request);
    if (request.method !== 'POST') {
      // Not counted: MCP clients ask with GET for a stream this stateless server does not keep, and 405 is the answer
      // the protocol expects there, not a refusal of anything a client meant to call.
      return mcpHttpErrorResponse(methodNotAllowed(request.method, 'POST', 'This stateless MCP server (send JSON-RPC as POST)'), {
        allow: 'POST',
      });
    }
    const prisma = await getPrisma();
    const auth = await authenticate(prisma, request.headers, { acceptSession: false });
    // Whatever it is asked, MCP reads at least: no valid key (when required) is a 401 before the body is read.
    admitReader(auth, 'MCP');
    const text = await readBody(request);
    let parsedBody: unknown;
    try {
      parsedBody = JSON.parse(text);
    } catch {
      observeRefusal(origin, undefined, new HoneError('BAD_REQUEST', 'The body is not valid JSON'));
      return mcpParseErrorResponse();
    }
    let admissions: Map<string, Admission>;
    try {
      admissions = admitCalls(auth, parsedBody, origin);
    } catch (error) {
      // A HoneError, counted under its tool by admitCalls.
      const refusal = error as HoneError;
      return mcpHttpErrorResponse(refusal, { insufficientScope: refusal.code === 'FORBIDDEN' });
    }
    if (admissions.size === 0) admitToolless(auth);
    return await serveMcp({ request, parsedBody, prisma, auth, admissions, sentArguments: sentArguments(parsedBody), origin });
  } catch (error) {
    const refusal = asHoneError(error, 'MCP /api/mcp');
    observeRefusal(origin, undefined, refusal);
    return mcpHttpErrorResponse(refusal);
  }
}
