import { handleOpenApiRequest } from '@/server/rest/openapi';

export const dynamic = 'force-dynamic';

// Every method reaches the handler, which answers all but GET with 405 and `Allow`.
export {
  handleOpenApiRequest as GET,
  handleOpenApiRequest as POST,
  handleOpenApiRequest as PUT,
  handleOpenApiRequest as PATCH,
  handleOpenApiRequest as DELETE,
};
