import type { IncomingMessage } from 'node:http';
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

/**
 * readBody for a Node request (the front door's REST calls, read without a fetch Request): the same limit, refused the
 * same way. A request cut off before its end fails as a fetch Request's body would.
 */
export function readNodeBody(request: IncomingMessage): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > MAX_BODY_BYTES) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error: Error | null) => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
      if (error) reject(error);
      else resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      // The rest is left unread (the front door discards it once the answer is sent).
      request.pause();
      settle(tooLarge());
    };
    const onEnd = () => settle(null);
    const onError = (error: Error) => settle(error);
    const onClose = () => settle(new Error('The request was aborted before its body was read'));
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onError);
    request.once('close', onClose);
  });
}
