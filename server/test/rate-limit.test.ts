// The per-caller rate limit on every face of a real server: past the burst, REST and MCP answer 429 with
// Retry-After and tRPC TOO_MANY_REQUESTS (each call of a batch counted), other keys go on, and nothing refused is
// written. The limit is set tiny here (HONE_RATE_LIMIT_BURST=5, one token back every 1,000 s) so it holds for the
// whole file however slow the machine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHoneClient, HoneClientError } from '../hone-client';
import { createApiKey } from '../services/api-keys';
import { createServerDatabase, startHoneServer, type HoneServer, type ServerDatabase } from '../testing/hone-server';
import { testDatabaseKind } from './database';

const BURST = 5;
const LIMIT_ENV = { HONE_RATE_LIMIT_PER_SECOND: '0.001', HONE_RATE_LIMIT_BURST: String(BURST) };
const FACES = ['rest', 'trpc', 'mcp', 'other', 'reader'] as const;

const databases: ServerDatabase[] = [];
let keyed: HoneServer;
let open: HoneServer;
const keys = {} as Record<(typeof FACES)[number], string>;

beforeAll(async () => {
  const [keyedDb, openDb] = await Promise.all([createServerDatabase(testDatabaseKind), createServerDatabase(testDatabaseKind)]);
  databases.push(keyedDb, openDb);
  await keyedDb.withPrisma(async (prisma) => {
    for (const face of FACES) keys[face] = (await createApiKey(prisma, { name: face, scope: 'write' })).key;
  });
  [keyed, open] = await Promise.all([
    startHoneServer({ env: { ...keyedDb.env, ...LIMIT_ENV, HONE_AUTH: 'required' } }),
    startHoneServer({ env: { ...openDb.env, ...LIMIT_ENV, HONE_AUTH: 'off' } }),
  ]);
});

afterAll(async () => {
  await Promise.all([keyed?.stop(), open?.stop()]);
  await Promise.all(databases.map((db) => db.drop()));
});

const bearer = (key: string | undefined): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});
const metric = (name: string) => ({ name, value: 1, unit: 'ms' });

async function rest(server: HoneServer, key: string | undefined, name: string) {
  const response = await fetch(`${server.url}/tools/record_metric`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(key) },
    body: JSON.stringify(metric(name)),
  });
  const body = (await response.json()) as { error?: { code: string; message: string; retryAfterSeconds?: number } };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), error: body.error };
}

async function mcp(key: string, name: string) {
  const response = await fetch(`${keyed.url}/api/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...bearer(key) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'record_metric', arguments: metric(name) } }),
  });
  const body = (await response.json()) as { result?: { isError?: boolean }; error?: { message: string; data: { code: string } } };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

/** The metric names stored, read with a key of its own (each test reads once: well within that key's burst). */
async function storedMetricNames(): Promise<string[]> {
  const response = await fetch(`${keyed.url}/tools/list_metric_names`, { headers: bearer(keys.reader) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { name: string }[]).map((entry) => entry.name);
}

function expectRetryAfter(value: string | null) {
  // The next token is 1,000 s away (0.001 a second); the wait is said in whole seconds.
  expect(Number(value)).toBeGreaterThan(900);
  expect(Number(value)).toBeLessThanOrEqual(1000);
}

describe(`the rate limit per API key (${testDatabaseKind})`, () => {
  it('lets a key make its burst of REST calls, then answers 429 with Retry-After', async () => {
    for (let call = 1; call <= BURST; call++) expect((await rest(keyed, keys.rest, `rl_rest_${call}`)).status).toBe(200);
    const refused = await rest(keyed, keys.rest, 'rl_rest_refused');
    expect(refused.status).toBe(429);
    expectRetryAfter(refused.retryAfter);
    expect(refused.error).toMatchObject({ code: 'TOO_MANY_REQUESTS', retryAfterSeconds: Number(refused.retryAfter) });
    expect(refused.error!.message).toMatch(/^Too many calls: at most 0.001 per second \(5 at once\) per API key; retry in \d+ s$/);

    // Another key goes on; the refused call wrote nothing.
    expect((await rest(keyed, keys.other, 'rl_other')).status).toBe(200);
    const names = await storedMetricNames();
    expect(names).toEqual(expect.arrayContaining(['rl_rest_1', 'rl_rest_5', 'rl_other']));
    expect(names).not.toContain('rl_rest_refused');
  });

  it('counts each call of a tRPC batch: a batch of 7 has 5 calls done and 2 refused with TOO_MANY_REQUESTS', async () => {
    const hone = createHoneClient({ url: keyed.url, apiKey: keys.trpc });
    const settled = await Promise.allSettled(
      Array.from({ length: 7 }, (_, call) => hone.metrics.record.mutate(metric(`rl_trpc_${call + 1}`))),
    );
    expect(settled.filter((result) => result.status === 'fulfilled')).toHaveLength(BURST);
    const refusals = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    expect(refusals).toHaveLength(2);
    for (const refusal of refusals) {
      expect(refusal).toBeInstanceOf(HoneClientError);
      expect(refusal).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429 });
    }
    // The raw answer says when to retry, as REST's does.
    const raw = await fetch(`${keyed.url}/api/trpc/metrics.record`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(keys.trpc) },
      body: JSON.stringify(metric('rl_trpc_raw')),
    });
    expect(raw.status).toBe(429);
    expectRetryAfter(raw.headers.get('retry-after'));
    expect(((await raw.json()) as { error: { data: { code: string } } }).error.data.code).toBe('TOO_MANY_REQUESTS');

    const names = await storedMetricNames();
    expect(names.filter((name) => name.startsWith('rl_trpc_'))).toHaveLength(BURST);
    expect(names).not.toContain('rl_trpc_raw');
  });

  it('answers MCP past the burst with HTTP 429, Retry-After and a JSON-RPC error', async () => {
    for (let call = 1; call <= BURST; call++) {
      const done = await mcp(keys.mcp, `rl_mcp_${call}`);
      expect(done.status).toBe(200);
      expect(done.body.result?.isError).toBeFalsy();
    }
    const refused = await mcp(keys.mcp, 'rl_mcp_refused');
    expect(refused.status).toBe(429);
    expectRetryAfter(refused.retryAfter);
    expect(refused.body.error).toMatchObject({ message: expect.stringMatching(/^Too many calls/), data: { code: 'TOO_MANY_REQUESTS' } });

    const names = await storedMetricNames();
    expect(names).toEqual(expect.arrayContaining(['rl_mcp_1', 'rl_mcp_5']));
    expect(names).not.toContain('rl_mcp_refused');
  });
});

describe(`the rate limit with authentication off (${testDatabaseKind})`, () => {
  it('counts calls per client address, and never limits the health check', async () => {
    for (let call = 1; call <= BURST; call++) expect((await rest(open, undefined, `rl_open_${call}`)).status).toBe(200);
    const refused = await rest(open, undefined, 'rl_open_refused');
    expect(refused.status).toBe(429);
    expect(refused.error!.message).toContain('per client address');
    for (let probe = 0; probe < BURST + 2; probe++) {
      const health = await fetch(`${open.url}/api/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', database: 'up', databaseLatencyMs: expect.any(Number) });
    }
    const posted = await fetch(`${open.url}/api/health`, { method: 'POST' });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD');
  });
});
