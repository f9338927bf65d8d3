import { getPrisma } from '../db';
import { env } from '../env';
import { asHoneError } from '../error-mapping';
import { checkHealth } from '../services/health';
import { methodNotAllowedResponse } from './methods';

/**
 * `/api/health` for load balancers and orchestrators: 200 `{"status":"ok","database":"up",…}`, or 503 with
 * `"degraded"`/`"down"` when the database cannot be used, within HONE_HEALTH_TIMEOUT_MS even when it hangs. No key
 * and no host rule (a probe addresses the server by whatever address it has); it reveals nothing but up or down.
 */
export async function handleHealthRequest(request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowedResponse(request, 'GET, HEAD', '/api/health');
  const health = await checkHealth(getPrisma, {
    timeoutMs: env().HONE_HEALTH_TIMEOUT_MS,
    // Logged as any request's failure is: an outage once per interval, an unexpected error in full.
    onFailure: (error) => asHoneError(error, 'GET /api/health'),
  });
  return Response.json(health, { status: health.database === 'up' ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}
