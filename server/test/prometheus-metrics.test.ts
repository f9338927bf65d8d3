import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHoneClient } from '../hone-client';
import { createServerDatabase, startHoneServer, type HoneServer, type ServerDatabase } from '../testing/hone-server';
import { labelValues, parseExposition, sampleSum, type Sample } from '../testing/prometheus-text';
import { tools } from '../tools/registry';
import { testDatabaseKind } from './database';

let db: ServerDatabase;
let server: HoneServer;

beforeAll(async () => {
  db = await createServerDatabase(testDatabaseKind);
  server = await startHoneServer({ env: db.env });
});

afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

async function scrape(): Promise<{ samples: Sample[]; text: string }> {
  const response = await fetch(`${server.url}/api/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  return { samples: parseExposition(text), text };
}

/** How much each series grew between two scrapes. */
function growth(before: Sample[], after: Sample[], name: string, labels: Record<string, string>): number {
  return sampleSum(after, name, labels) - sampleSum(before, name, labels);
}

const callsOf = (before: Sample[], after: Sample[], labels: Record<string, string>) => growth(before, after, 'hone_requests_total', labels);
const timedCallsOf = (before: Sample[], after: Sample[], labels: Record<string, string>) =>
  growth(before, after, 'hone_request_duration_seconds_count', labels);

async function rest(name: string, body: unknown, init: RequestInit = {}): Promise<number> {
  const response = await fetch(`${server.url}/tools/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...init,
  });
  await response.arrayBuffer();
  return response.status;
}

async function mcpClient(): Promise<Client> {
  const client = new Client({ name: 'metrics-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/api/mcp', server.url)));
  return client;
}

const metric = (name: string) => ({ name, value: 1.5, unit: 'ms' });

describe(`GET /api/metrics (${testDatabaseKind})`, () => {
  it('counts every call on every face exactly once, with its latency, under its tool and outcome', async () => {
    const { samples: before } = await scrape();

    expect(await rest('record_metric', metric('rest_probe'))).toBe(200);
    expect(await rest('record_metric', metric('rest_probe'))).toBe(200);
    expect(await rest('record_metric', { name: 'rest_probe', value: 'not a number', unit: 'ms' })).toBe(400);
    expect((await fetch(`${server.url}/tools/get_bug_patterns?limit=5`)).status).toBe(200);
    expect(await rest('record_metric', metric('rest_probe'), { method: 'PUT' })).toBe(405);

    const gateway = createHoneClient({ url: server.url });
    await Promise.all([1, 2, 3].map(() => gateway.metrics.record.mutate(metric('trpc_probe')))); // one HTTP batch
    await gateway.bugPatterns.list.query({});
    await expect(gateway.metrics.record.mutate({ ...metric('trpc_probe'), value: Number.NaN })).rejects.toThrow();

    const dashboard = await fetch(`${server.url}/api/trpc/bugPatterns.list?input=${encodeURIComponent('{}')}`, {
      headers: { 'x-trpc-source': 'dashboard' },
    });
    expect(dashboard.status).toBe(200);

    const agent = await mcpClient();
    expect((await agent.callTool({ name: 'record_metric', arguments: metric('mcp_probe') })).isError).toBeFalsy();
    expect((await agent.callTool({ name: 'record_metric', arguments: { name: 'mcp_probe' } })).isError).toBe(true);
    await agent.close();

    const { samples: after } = await scrape();
    const expected: [Record<string, string>, number][] = [
      [{ face: 'rest', tool: 'record_metric', outcome: 'ok', status_class: '2xx' }, 2],
      [{ face: 'rest', tool: 'record_metric', outcome: 'bad_request', status_class: '4xx' }, 1],
      [{ face: 'rest', tool: 'record_metric', outcome: 'method_not_supported', status_class: '4xx' }, 1],
      [{ face: 'rest', tool: 'get_bug_patterns', outcome: 'ok' }, 1],
      [{ face: 'trpc', tool: 'record_metric', outcome: 'ok' }, 3],
      [{ face: 'trpc', tool: 'record_metric', outcome: 'bad_request' }, 1],
      [{ face: 'trpc', tool: 'get_bug_patterns', outcome: 'ok' }, 1],
      [{ face: 'dashboard', tool: 'get_bug_patterns', outcome: 'ok' }, 1],
      [{ face: 'mcp', tool: 'record_metric', outcome: 'ok' }, 1],
      [{ face: 'mcp', tool: 'record_metric', outcome: 'bad_request' }, 1],
      [{}, 13],
    ];
    for (const [labels, count] of expected) expect(callsOf(before, after, labels), JSON.stringify(labels)).toBe(count);
    expect(timedCallsOf(before, after, { face: 'rest', tool: 'record_metric', status_class: '2xx' })).toBe(2);
    expect(timedCallsOf(before, after, { face: 'trpc', tool: 'record_metric', status_class: '2xx' })).toBe(3);
    expect(timedCallsOf(before, after, { face: 'mcp', tool: 'record_metric', status_class: '4xx' })).toBe(1);
    expect(timedCallsOf(before, after, {})).toBe(13);
    expect(growth(before, after, 'hone_request_duration_seconds_sum', {})).toBeGreaterThan(0);
  });

  it('counts the dashboard pages’ calls under the dashboard face', async () => {
    const { samples: before } = await scrape();
    expect((await fetch(`${server.url}/bugs`)).status).toBe(200);
    const { samples: after } = await scrape();
    expect(callsOf(before, after, { face: 'dashboard', outcome: 'ok' })).toBeGreaterThan(0);
    expect(callsOf(before, after, { face: 'trpc' })).toBe(0);
  });

  it('never makes a label of a name a caller sent: unknown tools count as "unknown" on every face', async () => {
    const { samples: before } = await scrape();
    const evil = 'evil_tool_5f3a';
    expect(await rest(evil, {})).toBe(404);
    expect(await rest(`${evil}%22%7D%201%0Ahone_x%7Bface%3D%22rest`, {})).toBe(404);
    expect((await fetch(`${server.url}/tools/__proto__`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/trpc/${evil}.list?input=%7B%7D`)).status).toBe(404);
    const agent = await mcpClient();
    const call = await agent.callTool({ name: evil, arguments: {} }).catch((error: unknown) => ({ isError: true, error }));
    expect(call.isError).toBe(true);
    await agent.close();

    const { samples: after, text } = await scrape();
    expect(text).not.toContain('evil');
    expect(text).not.toContain('__proto__');
    expect(text).not.toContain('hone_x');
    expect(callsOf(before, after, { face: 'rest', tool: 'unknown', outcome: 'not_found' })).toBe(3);
    expect(callsOf(before, after, { face: 'trpc', tool: 'unknown', outcome: 'not_found' })).toBe(1);
    expect(callsOf(before, after, { face: 'mcp', tool: 'unknown', outcome: 'not_found' })).toBe(1);
    const known = new Set([...tools.map((tool) => tool.name), 'download_regression_tests', 'unknown']);
    for (const tool of labelValues(after, 'hone_', 'tool')) expect(known, tool).toContain(tool);
    for (const face of labelValues(after, 'hone_', 'face')) expect(['rest', 'mcp', 'trpc', 'dashboard']).toContain(face);
  });

  it('counts requests refused whole before a tool is known, once each', async () => {
    const { samples: before } = await scrape();
    const tooMany = await fetch(`${server.url}/api/trpc/${Array(101).fill('bugPatterns.list').join(',')}?batch=1`);
    expect(tooMany.status).toBe(400);
    const hugeBody = await fetch(`${server.url}/api/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { padding: 'x'.repeat(2 * 1024 * 1024) } }),
    });
    expect(hugeBody.status).toBe(413);
    const notJson = await fetch(`${server.url}/api/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{"jsonrpc": "2.0",',
    });
    expect(notJson.status).toBe(400);
    const { samples: after } = await scrape();
    expect(callsOf(before, after, { face: 'trpc', tool: 'unknown', outcome: 'bad_request', status_class: '4xx' })).toBe(1);
    expect(callsOf(before, after, { face: 'mcp', tool: 'unknown', outcome: 'payload_too_large', status_class: '4xx' })).toBe(1);
    expect(callsOf(before, after, { face: 'mcp', tool: 'unknown', outcome: 'bad_request' })).toBe(1);
    expect(callsOf(before, after, {})).toBe(3);
  });

  it('counts routing decisions per layer as hits, misses and nothing for dry runs', async () => {
    expect(await rest('update_routing_heuristic', { pattern: '^prometheus probe$', preferredLayer: 'deep' })).toBe(200);
    const { samples: before } = await scrape();
    expect(await rest('resolve_route', { input: 'prometheus probe', taskType: 'coding' })).toBe(200);
    expect(await rest('resolve_route', { input: 'prometheus probe' })).toBe(200);
    expect(await rest('resolve_route', { input: 'no rule matches this' })).toBe(200);
    expect(await rest('resolve_route', { input: 'prometheus probe', dryRun: true })).toBe(200);
    expect(await rest('preview_route', { input: 'prometheus probe' })).toBe(200);
    const { samples: after } = await scrape();
    const decisions = (labels: Record<string, string>) => growth(before, after, 'hone_routing_decisions_total', labels);
    expect(decisions({ layer: 'deep', outcome: 'rule_hit' })).toBe(2);
    expect(decisions({ layer: 'balanced', outcome: 'no_match' })).toBe(1);
    expect(decisions({})).toBe(3);
  });

  it("counts ingested items by kind and outcome as the batches' answers report them, a retried batch's duplicates included", async () => {
    const { samples: before } = await scrape();
    const batch = {
      modelCalls: [
        { eventId: 'metrics-call-1', modelId: 'claude-sonnet-4', taskType: 'coding', success: true, latencyMs: 900, cost: 0.01 },
        { eventId: 'metrics-call-2', modelId: 'claude-sonnet-4', taskType: 'coding', success: true, latencyMs: -1, cost: 0.01 },
      ],
      metrics: [{ eventId: 'metrics-value-1', metricName: 'ingest_probe', metricValue: 2, metricUnit: 'ms' }],
      bugReports: [{ category: 'timeout', pattern: 'metrics probe timeout', severity: 'low' as const }],
    };
    const viaRest = await fetch(`${server.url}/tools/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batch),
    });
    expect(viaRest.status).toBe(200);
    const first = (await viaRest.json()) as { stored: number; duplicates: number; rejected: number };
    const retried = await createHoneClient({ url: server.url }).ingest.batch.mutate(batch);
    expect([first.stored, first.duplicates, first.rejected]).toEqual([3, 0, 1]);
    expect([retried.stored, retried.duplicates, retried.rejected]).toEqual([1, 2, 1]); // the bug report has no eventId

    const { samples: after } = await scrape();
    const items = (kind: string, outcome: string) => growth(before, after, 'hone_ingest_items_total', { kind, outcome });
    expect({
      modelCallsStored: items('model_call', 'stored'),
      modelCallsDuplicate: items('model_call', 'duplicate'),
      modelCallsRejected: items('model_call', 'rejected'),
      metricsStored: items('metric', 'stored'),
      metricsDuplicate: items('metric', 'duplicate'),
      bugReportsStored: items('bug_report', 'stored'),
    }).toEqual({
      modelCallsStored: 1,
      modelCallsDuplicate: 1,
      modelCallsRejected: 2,
      metricsStored: 1,
      metricsDuplicate: 1,
      bugReportsStored: 2,
    });
    expect(growth(before, after, 'hone_ingest_items_total', {})).toBe(8);
    expect(callsOf(before, after, { tool: 'ingest', outcome: 'ok' })).toBe(2);
  });

  it('reports the connection pool on PostgreSQL (none on PGlite) and the process metrics with the hone_ prefix', async () => {
    const { samples } = await scrape();
    const pool = samples.filter((s) => s.name === 'hone_db_pool_clients');
    if (testDatabaseKind === 'postgres') {
      expect(sampleSum(pool, 'hone_db_pool_clients', { state: 'max' })).toBe(10);
      expect(sampleSum(pool, 'hone_db_pool_clients', { state: 'total' })).toBeGreaterThanOrEqual(1);
      expect(sampleSum(pool, 'hone_db_pool_clients', { state: 'waiting' })).toBeGreaterThanOrEqual(0);
    } else {
      expect(pool).toEqual([]);
    }
    for (const name of ['hone_nodejs_eventloop_lag_p99_seconds', 'hone_process_resident_memory_bytes', 'hone_nodejs_heap_size_used_bytes'])
      expect(
        samples.some((s) => s.name === name),
        name,
      ).toBe(true);
  });

  it.skipIf(testDatabaseKind === 'pglite')(
    'counts a database failure by kind and the call it failed as a 5xx (PostgreSQL: the test renames a table under the server; PGlite is held by the server alone)',
    async () => {
      const { samples: before } = await scrape();
      await db.withPrisma((prisma) => prisma.$executeRawUnsafe('ALTER TABLE performance_metrics RENAME TO performance_metrics_away'));
      try {
        expect(await rest('record_metric', metric('while_away'))).toBe(500);
      } finally {
        await db.withPrisma((prisma) => prisma.$executeRawUnsafe('ALTER TABLE performance_metrics_away RENAME TO performance_metrics'));
      }
      expect(await rest('record_metric', metric('back'))).toBe(200);
      const { samples: after } = await scrape();
      expect(growth(before, after, 'hone_database_errors_total', { kind: 'other' })).toBe(1);
      expect(growth(before, after, 'hone_database_errors_total', {})).toBe(1);
      expect(callsOf(before, after, { face: 'rest', tool: 'record_metric', outcome: 'internal_server_error', status_class: '5xx' })).toBe(
        1,
      );
    },
  );
});
