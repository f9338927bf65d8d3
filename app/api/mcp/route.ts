import { handleMcpRequest } from '@/server/mcp/handler';

export const dynamic = 'force-dynamic';

// Every method reaches the handler, which answers all but POST with 405 and `Allow`.
export {
  handleMcpRequest as GET,
  handleMcpRequest as POST,
  handleMcpRequest as PUT,
  handleMcpRequest as PATCH,
  handleMcpRequest as DELETE,
};
