import { asHoneError, httpErrorResponse } from '@/server/error-mapping';
import { checkHostAndOrigin } from '@/server/http/host-origin';
import { methodNotAllowedResponse } from '@/server/http/methods';
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

function notServed(request: Request): Response {
  return methodNotAllowedResponse(request, 'GET', '/api/openapi.json');
}

export { notServed as POST, notServed as PUT, notServed as PATCH, notServed as DELETE };
