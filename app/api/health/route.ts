import { handleHealthRequest } from '@/server/http/health';

export const dynamic = 'force-dynamic';

// Every method reaches the handler, which answers all but GET and HEAD with 405 and `Allow`.
export {
  handleHealthRequest as GET,
  handleHealthRequest as HEAD,
  handleHealthRequest as POST,
  handleHealthRequest as PUT,
  handleHealthRequest as PATCH,
  handleHealthRequest as DELETE,
};
