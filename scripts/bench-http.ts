// npm run bench -- http: the three HTTP faces against a real `next start`, on an embedded PGlite
// directory and on the PostgreSQL server, with auth off and with API keys required. Prints figures only.
import { performance } from 'node:perf_hooks';
import { createHoneClient } from '../server/hone-client';
import { createApiKey } from '../server/services/api-keys';
import { createServerDatabase, startHoneServer } from '../server/testing/hone-server';
import buildOnce from '../server/testing/next-build';

const CALL = { modelId: 'bench-model', taskType: 'coding', success: true, latencyMs: 1200, cost: 0.01 };
const CONCURRENCY = 16;

async function measure(label: string, total: number, call: () => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < total) {
        const t = performance.now();
        await call();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
  console.log(`  ${label.padEnd(52)} ${String(Math.round(total / seconds)).padStart(6)} calls/s  p50 ${p(0.5)} ms  p99 ${p(0.99)} ms`);
}

async function expectOk(response: Response): Promise<void> {
  if (!response.ok) throw new Error(`${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
}

async function benchFaces(kind: 'pglite' | 'postgres', auth: 'off' | 'required') {
  const db = await createServerDatabase(kind);
  const apiKey = await db.withPrisma(async (prisma) => (await createApiKey(prisma, { name: 'bench', scope: 'write' })).key);
  const server = await startHoneServer({ env: { ...db.env, HONE_AUTH: auth } });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
  const mcpHeaders = { ...headers, accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' };
  const hone = createHoneClient({ url: server.url, apiKey });
  console.log(`${kind}, auth ${auth} (concurrency ${CONCURRENCY}):`);
  try {
    await measure('REST POST /tools/update_model_performance', 2000, async () =>
      expectOk(await fetch(`${server.url}/tools/update_model_performance`, { method: 'POST', headers, body: JSON.stringify(CALL) })),
    );
    await measure('tRPC modelPerformance.update (typed client, batched)', 2000, () => hone.modelPerformance.update.mutate(CALL));
    let id = 0;
    await measure('MCP tools/call update_model_performance', 1000, async () =>
      expectOk(
        await fetch(`${server.url}/api/mcp`, {
          method: 'POST',
          headers: mcpHeaders,
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: ++id,
            method: 'tools/call',
            params: { name: 'update_model_performance', arguments: CALL },
          }),
        }),
      ),
    );
    await measure('REST GET /tools/get_routing_heuristics', 2000, async () =>
      expectOk(await fetch(`${server.url}/tools/get_routing_heuristics?activeOnly=true`, { headers })),
    );
    // A static answer (built once per process) should cost no more than the cheapest read tool above.
    await measure('GET /api/openapi.json', 2000, async () => expectOk(await fetch(`${server.url}/api/openapi.json`, { headers })));
  } finally {
    await server.stop();
    await db.drop();
  }
}

export async function run(): Promise<void> {
  buildOnce();
  for (const kind of ['pglite', 'postgres'] as const) {
    try {
      await benchFaces(kind, 'off');
      await benchFaces(kind, 'required');
    } catch (error) {
      console.log(`${kind}: skipped (${(error as Error).message.split('\n')[0]})`);
    }
  }
}
