import { handleToolRequest } from '@/server/rest/handler';

export const dynamic = 'force-dynamic';

function handler(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return params.then(({ name }) => handleToolRequest(request, name));
}

export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE };
