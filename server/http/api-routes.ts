import { handleMcpRequest } from '../mcp/handler';
import { handleToolRequest } from '../rest/handler';
import { handleOpenApiRequest } from '../rest/openapi';
import { handleTrpcRequest, TRPC_ENDPOINT } from '../trpc/http';
import {
  handleRoutingEventsRequest,
  handleRoutingSnapshotRequest,
  ROUTING_EVENTS_ENDPOINT,
  ROUTING_SNAPSHOT_ENDPOINT,
} from './routing-sync';

export type ApiHandler = (request: Request) => Response | Promise<Response>;

/** The segment after `prefix` when it is the path's last one (`/tools/<name>`), else undefined. */
function lastSegmentAfter(prefix: string, pathname: string): string | undefined {
  if (!pathname.startsWith(prefix)) return undefined;
  const segment = pathname.slice(prefix.length);
  return segment && !segment.includes('/') ? segment : undefined;
}

function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // not percent-encoding: no tool has such a name, so the handler answers 404
  }
}

/**
 * The API faces answered ahead of Next (server/http/front-door.ts), each with the handler its route file under app/
 * exports: REST `/tools/<name>`, tRPC `/api/trpc/<procedures>`, MCP `/api/mcp`, the OpenAPI document, and the routing
 * snapshot and its event stream (what gateways' local routers sync from). Every method
 * reaches the handler, which answers those it does not serve with 405 and `Allow`. Other paths (the dashboard,
 * `/tests/download`, other `/api/` routes) are Next's.
 */
export function apiHandlerFor(pathname: string): ApiHandler | undefined {
  if (pathname === '/api/mcp') return handleMcpRequest;
  if (pathname === '/api/openapi.json') return handleOpenApiRequest;
  if (pathname === ROUTING_SNAPSHOT_ENDPOINT) return handleRoutingSnapshotRequest;
  if (pathname === ROUTING_EVENTS_ENDPOINT) return handleRoutingEventsRequest;
  if (lastSegmentAfter(`${TRPC_ENDPOINT}/`, pathname) !== undefined) return handleTrpcRequest;
  const tool = toolNameFor(pathname);
  if (tool !== undefined) return (request) => handleToolRequest(request, tool);
  return undefined;
}

/** The tool a REST path names (`/tools/<name>`, percent-decoded), or undefined for any other path. */
export function toolNameFor(pathname: string): string | undefined {
  const tool = lastSegmentAfter('/tools/', pathname);
  return tool === undefined ? undefined : decodedSegment(tool);
}
