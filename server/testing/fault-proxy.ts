// An HTTP proxy in front of a real Hone server that a test can make misbehave the way networks and load balancers
// do: refuse connections, answer 503 itself, or forward a request and lose Hone's answer (so the work was done but
// the client never hears of it and sends it again).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProxyMode =
  /** Forward to Hone and back. */
  | 'pass'
  /** Drop the connection without an answer (a network error for the client). */
  | 'reset'
  /** Answer 503 with an HTML page, as a load balancer with no healthy backend does; Hone never sees the request. */
  | 'unavailable'
  /** Forward to Hone (which does the work), then answer the client 502 instead of Hone's answer. */
  | 'lose-answer';

export interface FaultProxy {
  url: string;
  /** How every request is treated from now on (after any queued with `next`). */
  setMode(mode: ProxyMode): void;
  /** Treat the next `count` requests this way, then go back to the steady mode. */
  next(mode: ProxyMode, count: number): void;
  /** How many requests were treated each way so far. */
  counts(): Record<ProxyMode, number>;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  let steady: ProxyMode = 'pass';
  const queued: ProxyMode[] = [];
  const counts: Record<ProxyMode, number> = { pass: 0, reset: 0, unavailable: 0, 'lose-answer': 0 };

  const server = createServer((request, response) => {
    const mode = queued.shift() ?? steady;
    counts[mode]++;
    if (mode === 'reset') {
      request.socket.destroy();
      return;
    }
    if (mode === 'unavailable') {
      response.writeHead(503, { 'content-type': 'text/html' }).end('<html>503 Service Unavailable</html>');
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = Object.entries(request.headers).flatMap(([name, value]) =>
        HOP_BY_HOP.has(name) || value === undefined ? [] : [[name, String(value)] as [string, string]],
      );
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      fetch(new URL(request.url ?? '/', upstream), { method: request.method, headers, body })
        .then(async (answer) => {
          const text = await answer.text();
          if (mode === 'lose-answer') {
            response.writeHead(502, { 'content-type': 'text/html' }).end('<html>502 Bad Gateway</html>');
            return;
          }
          const answerHeaders = [...answer.headers].filter(([name]) => !HOP_BY_HOP.has(name) && name !== 'content-encoding');
          response.writeHead(answer.status, Object.fromEntries(answerHeaders)).end(text);
        })
        .catch(() => request.socket.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setMode: (mode) => (steady = mode),
    next: (mode, count) => queued.push(...Array.from({ length: count }, () => mode)),
    counts: () => ({ ...counts }),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
