import { handleRoutingEventsRequest } from '@/server/http/routing-sync';

export const dynamic = 'force-dynamic';

// Every method reaches the handler, which answers all but GET and HEAD with 405 and `Allow`.
export {
  handleRoutingEventsRequest as GET,
  handleRoutingEventsRequest as HEAD,
  handleRoutingEventsRequest as POST,
  handleRoutingEventsRequest as PUT,
  handleRoutingEventsRequest as PATCH,
  handleRoutingEventsRequest as DELETE,
};
