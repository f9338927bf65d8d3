import { authenticate } from '../auth/request-auth';
import { getPrisma } from '../db';
import { asHoneError, httpErrorResponse } from '../error-mapping';
import { HoneError } from '../errors';
import { checkHostAndOrigin } from '../http/host-origin';
import { readBody } from '../http/read-body';
import { callOrigin, observeRefusal } from '../monitoring/metrics';
import type { AnyTool } from '../tools/define';
import { invokeTool } from '../tools/pipeline';
import { toolsByName } from '../tools/registry';
import { inputFromQuery } from './query-input';

function isJson(contentType: string | null): boolean {
  const mediaType = contentType?.split(';')[0]!.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || /^application\/[\w.-]+\+json$/.test(mediaType);
}

async function postedInput(request: Request): Promise<unknown> {
  const body = await readBody(request);
  if (body.trim() === '') return {};
  if (!isJson(request.headers.get('content-type'))) {
    throw new HoneError('UNSUPPORTED_MEDIA_TYPE', 'The body must be JSON: send Content-Type: application/json');
  }
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new HoneError('BAD_REQUEST', `The body is not valid JSON: ${(error as Error).message}`);
  }
}

function restInput(tool: AnyTool, request: Request): Promise<unknown> {
  return request.method === 'GET' ? Promise.resolve(inputFromQuery(tool, new URL(request.url).searchParams)) : postedInput(request);
}

/**
 * `/tools/<name>`: POST with a JSON body for every tool, GET with query parameters for the read-only ones. A refusal
 * before the pipeline runs (host, unknown tool, method, the database) is counted here, under the tool when the name
 * is one; the pipeline counts the rest.
 */
export async function handleToolRequest(request: Request, name: string): Promise<Response> {
  const origin = callOrigin('rest');
  const tool = toolsByName.get(name);
  try {
    checkHostAndOrigin(request);
    if (!tool) throw new HoneError('NOT_FOUND', `No tool named "${name}"; GET /api/openapi.json lists them`);
    const allowed = tool.readOnly ? 'GET, POST' : 'POST';
    if (request.method !== 'POST' && !(tool.readOnly && request.method === 'GET')) {
      const refusal = new HoneError(
        'METHOD_NOT_SUPPORTED',
        `${name} accepts ${allowed}${tool.readOnly ? '' : ' (it changes data)'}, not ${request.method}`,
      );
      observeRefusal(origin, tool, refusal);
      return httpErrorResponse(refusal, { Allow: allowed });
    }
    const prisma = await getPrisma();
    const auth = await authenticate(prisma, request.headers);
    return Response.json(await invokeTool({ tool, prisma, access: auth, readInput: () => restInput(tool, request), origin }));
  } catch (error) {
    const failure = asHoneError(error, `REST /tools/${name}`);
    observeRefusal(origin, tool, failure);
    return httpErrorResponse(failure);
  }
}
