import { authenticate } from '../auth/request-auth';
import { getPrisma } from '../db';
import { authMode } from '../env';
import { asHoneError, httpErrorResponse } from '../error-mapping';
import { checkHostAndOrigin } from '../http/host-origin';
import { admitReader } from '../tools/pipeline';
import { metricsExposition } from './metrics';

export const METRICS_ENDPOINT = '/api/metrics';

/**
 * `GET /api/metrics`: the Prometheus exposition. The host rule of every face, and with keys required a read key
 * (bearer only: a scraper has no session); with auth off it is open like the rest and does not touch the database,
 * so it answers while the database is down.
 */
export async function handleMetricsRequest(request: Request): Promise<Response> {
  try {
    checkHostAndOrigin(request);
    if (authMode() !== 'off') {
      admitReader(await authenticate(await getPrisma(), request.headers, { acceptSession: false }), `GET ${METRICS_ENDPOINT}`);
    }
    const { contentType, body } = await metricsExposition();
    return new Response(body, { headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
  } catch (error) {
    return httpErrorResponse(asHoneError(error, `GET ${METRICS_ENDPOINT}`));
  }
}
