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
    return await serveMcp({ request, parsedBody, prisma, auth, admissions });
  } catch (error) {
    return mcpHttpErrorResponse(asHoneError(error, 'MCP /api/mcp'));
  }
}
