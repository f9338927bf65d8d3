import { HoneError } from '../errors';

/** The one body limit of every face that takes a body (REST, MCP, tRPC). */
export const MAX_BODY_BYTES = 1024 * 1024;

const tooLarge = () => new HoneError('PAYLOAD_TOO_LARGE', `The body is larger than ${MAX_BODY_BYTES} bytes (1 MiB)`);

/** Reads at most MAX_BODY_BYTES: a larger body is refused as soon as it is known to be larger, not after buffering it. */
export async function readBody(request: Request): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
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
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
