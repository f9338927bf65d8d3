import { authenticate, authorize } from '../auth/request-auth';
import { getPrisma } from '../db';
import { HoneError } from '../errors';
import { parseToolInput } from '../tools/invoke';
import { toolsByName } from '../tools/registry';
import { inputFromQuery } from './query-input';

export const MAX_BODY_BYTES = 1024 * 1024;

export function errorResponse(error: HoneError, headers?: HeadersInit): Response {
  return Response.json({ error: { code: error.code, message: error.message, issues: error.issues } }, { status: error.status, headers });
}

function isJson(contentType: string | null): boolean {
  const mediaType = contentType?.split(';')[0]!.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || /^application\/[\w.-]+\+json$/.test(mediaType);
}

/** Reads at most MAX_BODY_BYTES: a larger body is refused as soon as it is known to be larger, not after buffering it. */
export async function readBody(request: Request): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > MAX_BODY_BYTES) throw new HoneError('PAYLOAD_TOO_LARGE', `The body is larger than ${MAX_BODY_BYTES} bytes (1 MiB)`);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new HoneError('PAYLOAD_TOO_LARGE', `The body is larger than ${MAX_BODY_BYTES} bytes (1 MiB)`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
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

/** `/tools/<name>`: POST with a JSON body for every tool, GET with query parameters for the read-only ones. */
export async function handleToolRequest(request: Request, name: string): Promise<Response> {
  try {
    const tool = toolsByName.get(name);
    if (!tool) throw new HoneError('NOT_FOUND', `No tool named "${name}"; GET /api/openapi.json lists them`);
    const allowed = tool.readOnly ? 'GET, POST' : 'POST';
    if (request.method !== 'POST' && !(tool.readOnly && request.method === 'GET')) {
      return errorResponse(
        new HoneError('METHOD_NOT_SUPPORTED', `${name} accepts ${allowed}${tool.readOnly ? '' : ' (it changes data)'}, not ${request.method}`),
        { Allow: allowed },
      );
    }
    const prisma = await getPrisma();
    // Before the body is read: a caller without the right key costs no more than its headers.
    authorize(await authenticate(prisma, request.headers), tool);
    const input = request.method === 'GET' ? inputFromQuery(tool, new URL(request.url).searchParams) : await postedInput(request);
    return Response.json(await tool.handler({ prisma }, parseToolInput(tool, input)));
  } catch (error) {
    if (error instanceof HoneError) return errorResponse(error);
    console.error(`REST /tools/${name} failed:`, error);
    return errorResponse(new HoneError('INTERNAL_SERVER_ERROR', 'Internal error; the server log has the details'));
  }
}
