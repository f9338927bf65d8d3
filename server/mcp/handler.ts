import { authenticate, authorize } from '../auth/request-auth';
import { getPrisma } from '../db';
import { HoneError } from '../errors';
import { readBody } from '../rest/handler';
import { toolsByName } from '../tools/registry';
import { checkHostAndOrigin } from './allowed-hosts';
import { serveMcp } from './server';

function jsonRpcError(status: number, code: number, message: string, headers?: HeadersInit): Response {
  return Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status, headers });
}

// MCP's authorization spec: 401 asks for a bearer token, 403 names the missing scope.
const ASK_FOR_KEY = { 'WWW-Authenticate': 'Bearer realm="hone"' };
const ASK_FOR_WRITE_SCOPE = { 'WWW-Authenticate': 'Bearer realm="hone", error="insufficient_scope", scope="write"' };

function httpError(error: HoneError, headers?: HeadersInit): Response {
  return jsonRpcError(error.status, -32600, error.message, headers ?? (error.code === 'UNAUTHORIZED' ? ASK_FOR_KEY : undefined));
}

/** Tools a JSON-RPC message (or batch) would call, so a read key is stopped at the door with an HTTP 403. */
function calledTools(body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  return messages.flatMap((message) => {
    const m = message as { method?: unknown; params?: { name?: unknown } } | null;
    return m?.method === 'tools/call' && typeof m.params?.name === 'string' ? [m.params.name] : [];
  });
}

/** `/api/mcp`: Streamable HTTP, stateless, JSON responses. */
export async function handleMcpRequest(request: Request): Promise<Response> {
  try {
    checkHostAndOrigin(request.headers);
    if (request.method !== 'POST') {
      return jsonRpcError(405, -32000, 'Method not allowed: this MCP server is stateless; send JSON-RPC as POST', { Allow: 'POST' });
    }
    const prisma = await getPrisma();
    // Origins passed the allow-list above, so they count as the server's own for the write rule.
    const auth = { ...(await authenticate(prisma, request.headers)), crossOrigin: false };
    // Any MCP exchange reads at least: no valid key (when required) is a 401 before the body is read.
    authorize(auth, { name: 'MCP', readOnly: true });
    const text = await readBody(request);
    let parsedBody: unknown;
    try {
      parsedBody = JSON.parse(text);
    } catch {
      return jsonRpcError(400, -32700, 'Parse error: the body is not valid JSON');
    }
    // A read key calling a writing tool is refused at the HTTP level, as MCP's auth spec asks.
    for (const tool of calledTools(parsedBody).flatMap((name) => toolsByName.get(name) ?? [])) {
      try {
        authorize(auth, tool);
      } catch (error) {
        if (error instanceof HoneError && error.code === 'FORBIDDEN') return httpError(error, ASK_FOR_WRITE_SCOPE);
        throw error;
      }
    }
    return await serveMcp({ request, parsedBody, prisma, auth });
  } catch (error) {
    if (error instanceof HoneError) return httpError(error);
    throw error;
  }
}
