import type { z } from 'zod';
import {
  createMcpHandler,
  isLegacyRequest,
  McpServer,
  WebStandardStreamableHTTPServerTransport,
  type CallToolResult,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { RequestAuth } from '../auth/request-auth';
import type { PrismaClient } from '../db/client';
import { mcpErrorResult } from '../error-mapping';
import { HoneError } from '../errors';
import type { CallOrigin } from '../monitoring/metrics';
import { toolText, type AnyTool } from '../tools/define';
import { invokeTool, type Admission } from '../tools/pipeline';
import { tools } from '../tools/registry';

const SERVER_INFO = { name: 'hone', version: '1.0.0' };

/** JSON as the wire carries it (dates as ISO strings); MCP wants an object, so a list comes wrapped. */
function structured(output: unknown): Record<string, unknown> {
  const json: unknown = JSON.parse(JSON.stringify(output ?? null));
  return json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : { result: json };
}

/**
 * What the SDK is given as a tool's input schema: the tool's own JSON Schema for `tools/list`, and a validation
 * that lets every input through, because the pipeline parses it (one place, one error shape on every face).
 */
function schemaParsedByPipeline(tool: AnyTool) {
  const own = (tool.input as z.ZodType)['~standard'] as unknown as {
    jsonSchema: { input: (options: unknown) => Record<string, unknown>; output: (options: unknown) => Record<string, unknown> };
  };
  return {
    '~standard': {
      version: 1 as const,
      vendor: 'hone',
      validate: (value: unknown) => ({ value }),
      jsonSchema: own.jsonSchema,
    },
  };
}

interface McpCaller {
  prisma: PrismaClient;
  auth: RequestAuth;
  /** The pipeline's admissions, made at the HTTP level for each tool the request calls. */
  admissions: ReadonlyMap<string, Admission>;
  /** Each call's arguments as sent, by JSON-RPC id: what the pipeline parses (the SDK's copy drops `__proto__` keys). */
  sentArguments: ReadonlyMap<string | number, unknown>;
  origin: CallOrigin;
}

async function callTool(tool: AnyTool, { prisma, auth, admissions, origin }: McpCaller, input: unknown): Promise<CallToolResult> {
  try {
    const output: unknown = await invokeTool({ tool, prisma, access: admissions.get(tool.name) ?? auth, readInput: () => input, origin });
    return { content: [{ type: 'text', text: toolText(tool, output) }], structuredContent: structured(output) };
  } catch (error) {
    // invokeTool answers every failure as a HoneError (an unexpected one already logged).
    if (error instanceof HoneError) return mcpErrorResult(error);
    throw error;
  }
}

/** One MCP server per request (stateless): every registry tool, its JSON Schema made by the SDK from the zod input. */
export function createHoneMcpServer(caller: McpCaller): McpServer {
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
        inputSchema: schemaParsedByPipeline(tool),
        annotations: { readOnlyHint: tool.readOnly, destructiveHint: tool.destructive ?? false, openWorldHint: false },
      },
      (input: unknown, ctx: ServerContext) =>
        callTool(tool, caller, caller.sentArguments.has(ctx.mcpReq.id) ? caller.sentArguments.get(ctx.mcpReq.id) : input),
    );
  }
  return server;
}

interface McpRequest extends McpCaller {
  request: Request;
  parsedBody: unknown;
}

const AUTH_EXTRA = 'honeRequest';

// The 2026-07-28 protocol (a per-request envelope) is served by the SDK's handler; it hands each request's
// authInfo to the factory, which is where our prisma/auth ride along.
const modernHandler = createMcpHandler(
  (ctx) => {
    return createHoneMcpServer(ctx.authInfo?.extra?.[AUTH_EXTRA] as McpCaller);
  },
  { legacy: 'reject', responseMode: 'json' },
);

/**
 * Serves one MCP POST. 2025-era clients (most agents today) get a fresh server over the SDK's web-standard
 * Streamable HTTP transport, stateless and answering in JSON rather than SSE.
 */
export async function serveMcp({ request, parsedBody, ...caller }: McpRequest): Promise<Response> {
  const { auth } = caller;
  if (await isLegacyRequest(request, parsedBody)) {
    const server = createHoneMcpServer(caller);
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
    authInfo: {
      token: '',
      clientId: auth.principal?.name ?? 'anonymous',
      scopes: auth.principal ? [auth.principal.scope] : [],
      extra: { [AUTH_EXTRA]: caller },
    },
  });
}
