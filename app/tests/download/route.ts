import { methodNotAllowedResponse } from '@/server/http/methods';
import { handleRegressionTestDownload } from '@/server/rest/regression-test-download';

export const dynamic = 'force-dynamic';

function notServed(request: Request): Response {
  return methodNotAllowedResponse(request, 'GET', '/tests/download');
}

export { handleRegressionTestDownload as GET, notServed as POST, notServed as PUT, notServed as PATCH, notServed as DELETE };
