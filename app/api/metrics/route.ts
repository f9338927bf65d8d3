import { methodNotAllowedResponse } from '@/server/http/methods';
import { handleMetricsRequest, METRICS_ENDPOINT } from '@/server/monitoring/endpoint';

export const dynamic = 'force-dynamic';

function notServed(request: Request): Response {
  return methodNotAllowedResponse(request, 'GET', METRICS_ENDPOINT);
}

export { handleMetricsRequest as GET, notServed as POST, notServed as PUT, notServed as PATCH, notServed as DELETE };
