import { authenticate } from '../auth/request-auth';
import { getPrisma } from '../db';
import { asHoneError, httpErrorAnswer, jsonAnswer, type HttpAnswer } from '../error-mapping';
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

/**
 * What the REST face reads of a request, whichever server hands it over: a route file's fetch Request (restRequest),
 * or the Node request the front door answers without making a fetch Request of it (server/http/front-door.ts).
 */
export interface RestRequest {
  method: string;
  /** The full URL: a GET's query is its input, and its scheme counts in the origin check. */
  url: string;
  headers: Headers;
  /** The body as text, read only when the call is admitted; refused past MAX_BODY_BYTES (413). */
  text(): Promise<string>;
}

const restRequest = (request: Request): RestRequest => ({
  method: request.method,
  url: request.url,
  headers: request.headers,
  text: () => readBody(request),
});

async function postedInput(request: RestRequest): Promise<unknown> {
  const body = await request.text();
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

function restInput(tool: AnyTool, request: RestRequest): Promise<unknown> {
  return request.method === 'GET' ? Promise.resolve(inputFromQuery(tool, new URL(request.url).searchParams)) : postedInput(request);
}

/**
 * `/tools/<name>`: POST with a JSON body for every tool, GET with query parameters for the read-only ones. A refusal
 * before the pipeline runs (host, unknown tool, method, the database) is counted here, under the tool when the name
 * is one; the pipeline counts the rest.
 */
export async function handleToolRequest(request: Request, name: string): Promise<Response> {
  const answer = await answerToolRequest(restRequest(request), name);
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** handleToolRequest's answer, for any server's request: never throws. */
export async function answerToolRequest(request: RestRequest, name: string): Promise<HttpAnswer> {
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
      return httpErrorAnswer(refusal, { Allow: allowed });
    }
    const prisma = await getPrisma();
    const auth = await authenticate(prisma, request.headers);
    return jsonAnswer(200, await invokeTool({ tool, prisma, access: auth, readInput: () => restInput(tool, request), origin }));
  } catch (error) {
    const failure = asHoneError(error, `REST /tools/${name}`);
    observeRefusal(origin, tool, failure);
    return httpErrorAnswer(failure);
  }
}
