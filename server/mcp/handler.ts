import { authenticate } from '../auth/request-auth';
import { getPrisma } from '../db';
import { asHoneError, mcpHttpErrorResponse, mcpParseErrorResponse } from '../error-mapping';
import { HoneError } from '../errors';
import { checkHostAndOrigin } from '../http/host-origin';
import { methodNotAllowed } from '../http/methods';
import { readBody } from '../http/read-body';
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
function admitCalls(auth: Awaited<ReturnType<typeof authenticate>>, body: unknown): Map<string, Admission> {
  const admissions = new Map<string, Admission>();
  for (const tool of calledTools(body).flatMap((name) => toolsByName.get(name) ?? [])) admissions.set(tool.name, admit(auth, tool));
  return admissions;
}

/** `/api/mcp`: Streamable HTTP, stateless, JSON responses; bearer keys only. */
export async function handleMcpRequest(request: Request): Promise<Response> {
  try {
    checkHostAndOrigin(request);
    if (request.method !== 'POST') {
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
      return mcpParseErrorResponse();
    }
    let admissions: Map<string, Admission>;
    try {
      admissions = admitCalls(auth, parsedBody);
    } catch (error) {
      if (error instanceof HoneError && error.code === 'FORBIDDEN') return mcpHttpErrorResponse(error, { insufficientScope: true });
      throw error;
    }
    if (admissions.size === 0) admitToolless(auth);
    return await serveMcp({ request, parsedBody, prisma, auth, admissions, sentArguments: sentArguments(parsedBody) });
  } catch (error) {
    return mcpHttpErrorResponse(asHoneError(error, 'MCP /api/mcp'));
  }
}
