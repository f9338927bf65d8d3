import {
  createMcpHandler,
  isLegacyRequest,
  McpServer,
  WebStandardStreamableHTTPServerTransport,
  type CallToolResult,
} from '@modelcontextprotocol/server';
import type { RequestAuth } from '../auth/request-auth';
import type { PrismaClient } from '../db/client';
import { HoneError } from '../errors';
import { toolText, type AnyTool } from '../tools/define';
import { runTool } from '../tools/invoke';
import { tools } from '../tools/registry';

const SERVER_INFO = { name: 'hone', version: '1.0.0' };

/** JSON as the wire carries it (dates as ISO strings); MCP wants an object, so a list comes wrapped. */
function structured(output: unknown): Record<string, unknown> {
  const json: unknown = JSON.parse(JSON.stringify(output ?? null));
  return json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : { result: json };
}

function errorResult(error: HoneError): CallToolResult {
  return {
    content: [{ type: 'text', text: error.message }],
    structuredContent: { error: { code: error.code, message: error.message, issues: error.issues } },
    isError: true,
  };
}

async function callTool(tool: AnyTool, prisma: PrismaClient, auth: RequestAuth, input: unknown): Promise<CallToolResult> {
  try {
    const output = await runTool(tool, { prisma, auth }, input);
    return { content: [{ type: 'text', text: toolText(tool, output) }], structuredContent: structured(output) };
  } catch (error) {
    if (error instanceof HoneError) return errorResult(error);
    console.error(`MCP ${tool.name} failed:`, error);
    return errorResult(new HoneError('INTERNAL_SERVER_ERROR', 'Internal error; the server log has the details'));
  }
}

/** One MCP server per request (stateless): every registry tool, its JSON Schema made by the SDK from the zod input. */
export function createHoneMcpServer(prisma: PrismaClient, auth: RequestAuth): McpServer {
  const server = new McpServer(SERVER_INFO, {
    instructions:
      'Hone is the self-improvement store of an LLM gateway: model performance per task type, routing rules, bug patterns, ' +
      'regression tests and system metrics. Read-only tools are annotated readOnlyHint.',
  });
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        description: tool.description,
        inputSchema: tool.input,
        annotations: { readOnlyHint: tool.readOnly, destructiveHint: tool.destructive ?? false, openWorldHint: false },
      },
      (input: unknown) => callTool(tool, prisma, auth, input),
    );
  }
  return server;
}

interface McpRequest {
  request: Request;
  parsedBody: unknown;
  prisma: PrismaClient;
  auth: RequestAuth;
}

const AUTH_EXTRA = 'honeRequest';

// The 2026-07-28 protocol (a per-request envelope) is served by the SDK's handler; it hands each request's
// authInfo to the factory, which is where our prisma/auth ride along.
const modernHandler = createMcpHandler(
  (ctx) => {
    const honeRequest = ctx.authInfo?.extra?.[AUTH_EXTRA] as Pick<McpRequest, 'prisma' | 'auth'>;
    return createHoneMcpServer(honeRequest.prisma, honeRequest.auth);
  },
  { legacy: 'reject', responseMode: 'json' },
);

/**
 * Serves one MCP POST. 2025-era clients (most agents today) get a fresh server over the SDK's web-standard
 * Streamable HTTP transport, stateless and answering in JSON rather than SSE.
 */
export async function serveMcp({ request, parsedBody, prisma, auth }: McpRequest): Promise<Response> {
  if (await isLegacyRequest(request, parsedBody)) {
    const server = createHoneMcpServer(prisma, auth);
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request, { parsedBody });
    } finally {
      await server.close();
    }
  }
  return modernHandler.fetch(request, {
    parsedBody,
    authInfo: { token: '', clientId: auth.principal?.name ?? 'anonymous', scopes: auth.principal ? [auth.principal.scope] : [], extra: { [AUTH_EXTRA]: { prisma, auth } } },
  });
}
