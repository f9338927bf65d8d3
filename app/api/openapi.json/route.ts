import { asHoneError, httpErrorResponse } from '@/server/error-mapping';
import { checkHostAndOrigin } from '@/server/http/host-origin';
import { openApiDocumentJson } from '@/server/rest/openapi';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Response {
  try {
    checkHostAndOrigin(request);
    return new Response(openApiDocumentJson(), { headers: { 'content-type': 'application/json' } });
  } catch (error) {
    return httpErrorResponse(asHoneError(error, 'GET /api/openapi.json'));
  }
}
