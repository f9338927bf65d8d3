import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSession } from '../auth/session';
import { createHoneClient } from '../hone-client';
import { createApiKey, revokeApiKey } from '../services/api-keys';
import { createServerDatabase, startHoneServer, type HoneServer, type ServerDatabase } from '../testing/hone-server';
import { parseExposition, sampleSum } from '../testing/prometheus-text';
import { plainExample } from '../testing/tool-examples';
import { recordBugPatternTool } from '../tools/bug-patterns';
import { toolsByName } from '../tools/registry';
import { testDatabaseKind } from './database';

const SESSION_SECRET = 'a-test-secret-that-is-at-least-32-characters-long';
process.env.HONE_SESSION_SECRET = SESSION_SECRET;

/** How long the server under test trusts a key it has checked before reading api_keys again. */
const AUTH_CACHE_MS = 500;

let db: ServerDatabase;
let server: HoneServer;
const keys = { read: '', write: '', revoked: '', readId: 0, writeId: 0, revokedId: 0 };

beforeAll(async () => {
  db = await createServerDatabase(testDatabaseKind);
  await db.withPrisma(async (prisma) => {
    const read = await createApiKey(prisma, { name: 'dashboard-viewer', scope: 'read' });
    const write = await createApiKey(prisma, { name: 'gateway', scope: 'write' });
    const revoked = await createApiKey(prisma, { name: 'old-gateway', scope: 'write' });
    await revokeApiKey(prisma, revoked.apiKey.id);
    Object.assign(keys, {
      read: read.key,
      write: write.key,
      revoked: revoked.key,
      readId: read.apiKey.id,
      writeId: write.apiKey.id,
      revokedId: revoked.apiKey.id,
    });
  });
  server = await startHoneServer({
    env: { ...db.env, HONE_AUTH: 'required', HONE_SESSION_SECRET: SESSION_SECRET, HONE_AUTH_CACHE_MS: String(AUTH_CACHE_MS) },
  });
});

afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

const WRONG_KEYS = () => ({ none: undefined, unknown: 'hone_not-a-key-at-all', malformed: 'Basic abc', revoked: keys.revoked });

function authHeader(key: string | undefined): Record<string, string> {
  if (!key) return {};
  return { authorization: key.startsWith('Basic ') ? key : `Bearer ${key}` };
}

async function rest(name: string, key: string | undefined, body: unknown = plainExample(toolsByName.get(name)!)) {
  const response = await fetch(`${server.url}/tools/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeader(key) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** What a write key sees: proof that refused calls wrote nothing. */
async function bugPatternCount(): Promise<number> {
  return (await rest('get_bug_patterns', keys.write, {})).body.items.length;
}

/** The spec's bug report under a pattern of the test's own, so what it finds stored is its own doing. */
const bugReport = (pattern: string) => ({ ...plainExample(recordBugPatternTool), pattern });

describe(`auth on REST (${testDatabaseKind})`, () => {
  it('answers 401 without a valid key, 403 for a read key on a writing tool, and writes nothing', async () => {
    const before = await bugPatternCount();
    for (const [label, key] of Object.entries(WRONG_KEYS())) {
      const refused = await rest('record_bug_pattern', key, bugReport('via rest'));
      expect(refused.status, label).toBe(401);
      expect(refused.body.error.message).toMatch(/API key/);
      expect((await rest('get_bug_patterns', key, {})).status, label).toBe(401);
    }
    const forbidden = await rest('record_bug_pattern', keys.read, bugReport('via rest'));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.message).toContain('write key');
    expect(await bugPatternCount()).toBe(before);

    expect((await rest('get_bug_patterns', keys.read, {})).status).toBe(200);
    expect((await rest('record_bug_pattern', keys.write, bugReport('via rest'))).status).toBe(200);
    expect(await bugPatternCount()).toBe(before + 1);
  });

  // The embedded database belongs to the server while it runs: keys are revoked there with the server stopped.
  it.skipIf(testDatabaseKind === 'pglite')('refuses a key revoked while the server runs, once HONE_AUTH_CACHE_MS has passed', async () => {
    const { key, apiKey } = await db.withPrisma((prisma) => createApiKey(prisma, { name: 'soon-revoked', scope: 'read' }));
    expect((await rest('get_bug_patterns', key, {})).status).toBe(200);
    await db.withPrisma((prisma) => revokeApiKey(prisma, apiKey.id));
    await new Promise((resolve) => setTimeout(resolve, AUTH_CACHE_MS + 100));
    const refused = await rest('get_bug_patterns', key, {});
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/not valid/);
  });
});

describe(`auth on tRPC (${testDatabaseKind})`, () => {
  it('answers 401 and 403 as the other faces do, writing nothing', async () => {
    for (const [label, key] of Object.entries(WRONG_KEYS())) {
      const hone = createHoneClient({ url: server.url, apiKey: key?.startsWith('Basic') ? undefined : key });
      const error = await hone.metrics.record.mutate({ name: 'auth_probe', value: 1, unit: 'ms' }).catch((e: any) => e);
      expect(error.data?.httpStatus, label).toBe(401);
    }
    const readOnly = createHoneClient({ url: server.url, apiKey: keys.read });
    const forbidden = await readOnly.routing.updateHeuristic.mutate({ pattern: 'forbidden', preferredLayer: 'fast' }).catch((e: any) => e);
    expect(forbidden.data?.httpStatus).toBe(403);
    expect((await readOnly.routing.listHeuristics.query({ activeOnly: false })).map((r) => r.pattern)).not.toContain('forbidden');

    const writer = createHoneClient({ url: server.url, apiKey: keys.write });
    await writer.routing.updateHeuristic.mutate({ pattern: 'allowed', preferredLayer: 'fast' });
    expect((await readOnly.routing.listHeuristics.query({ activeOnly: false })).map((r) => r.pattern)).toContain('allowed');
  });
});

describe(`auth on MCP (${testDatabaseKind})`, () => {
  async function connect(key: string | undefined): Promise<Client> {
    const client = new Client({ name: 'auth-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL('/api/mcp', server.url), { requestInit: { headers: authHeader(key) } }));
    return client;
  }

  it('answers 401 at the HTTP level without a valid key', async () => {
    for (const [label, key] of Object.entries(WRONG_KEYS())) {
      await expect(connect(key), label).rejects.toThrow(/401|Unauthorized|API key/i);
      const raw = await fetch(`${server.url}/api/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...authHeader(key) },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(raw.status, label).toBe(401);
      expect(raw.headers.get('www-authenticate')).toContain('Bearer');
    }
  });

  it('answers 403 for a read key calling a writing tool, and writes nothing', async () => {
    const before = await bugPatternCount();
    const reader = await connect(keys.read);
    expect((await reader.listTools()).tools.length).toBeGreaterThan(0);
    const read = await reader.callTool({ name: 'get_bug_patterns', arguments: {} });
    expect(read.isError).toBeFalsy();
    await expect(reader.callTool({ name: 'record_bug_pattern', arguments: bugReport('via mcp') })).rejects.toThrow(
      /insufficient scope|403|write key/i,
    );
    await reader.close();
    expect(await bugPatternCount()).toBe(before);

    const writer = await connect(keys.write);
    const written = await writer.callTool({ name: 'record_bug_pattern', arguments: bugReport('via mcp') });
    expect(written.isError).toBeFalsy();
    await writer.close();
    expect(await bugPatternCount()).toBe(before + 1);
  });
});

describe(`the dashboard's session (${testDatabaseKind})`, () => {
  async function cookieFor(keyId: number, scope: 'read' | 'write') {
    return `hone_session=${await signSession({ keyId, scope, name: scope })}`;
  }

  async function trpcWrite(cookie: string, origin: string) {
    return fetch(`${server.url}/api/trpc/routing.updateHeuristic`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin },
      body: JSON.stringify({ pattern: `session-${origin.length}-${cookie.length}`, preferredLayer: 'deep' }),
    });
  }

  it('sends a visitor without a session to the sign-in page', async () => {
    const page = await fetch(`${server.url}/`, { redirect: 'manual' });
    expect(page.status).toBe(307);
    expect(page.headers.get('location')).toContain('/sign-in?next=%2F');
    const signIn = await fetch(`${server.url}/sign-in`);
    expect(signIn.status).toBe(200);
    expect(await signIn.text()).toContain('API key');
    const forged = await fetch(`${server.url}/`, {
      redirect: 'manual',
      headers: { cookie: 'hone_session=eyJhbGciOiJIUzI1NiJ9.e30.forged' },
    });
    expect(forged.status).toBe(307);
  });

  it('lets a read session browse but not edit, and a write session edit from its own origin only', async () => {
    const readCookie = await cookieFor(keys.readId, 'read');
    const writeCookie = await cookieFor(keys.writeId, 'write');
    expect((await fetch(`${server.url}/`, { headers: { cookie: readCookie }, redirect: 'manual' })).status).toBe(200);
    const list = await fetch(`${server.url}/api/trpc/routing.listHeuristics`, { headers: { cookie: readCookie } });
    expect(list.status).toBe(200);

    expect((await trpcWrite(readCookie, server.url)).status).toBe(403);
    expect((await trpcWrite(writeCookie, 'https://evil.example')).status).toBe(403);
    const patterns = async () =>
      (
        (await (await fetch(`${server.url}/tools/get_routing_heuristics?activeOnly=false`, { headers: authHeader(keys.read) })).json()) as {
          pattern: string;
        }[]
      ).map((r) => r.pattern);
    expect((await patterns()).filter((p) => p.startsWith('session-'))).toEqual([]);

    expect((await trpcWrite(writeCookie, server.url)).status).toBe(200);
    expect((await patterns()).filter((p) => p.startsWith('session-'))).toHaveLength(1);
  });

  it('lets a script download regression tests with its key, and answers 401 without one', async () => {
    await rest('generate_regression_test', keys.write);
    const download = (key?: string) =>
      fetch(`${server.url}/tests/download?category=routing`, { headers: key ? authHeader(key) : {}, redirect: 'manual' });
    const withKey = await download(keys.read);
    expect(withKey.status).toBe(200);
    expect(await withKey.text()).toContain("it('should retry on timeout'");
    expect((await download('hone_wrong')).status).toBe(401);
    expect((await download()).status).toBe(307);
  });

  it('ends a session when its key is revoked', async () => {
    const revokedCookie = `hone_session=${await signSession({ keyId: 999_999, scope: 'write', name: 'gone' })}`;
    const response = await fetch(`${server.url}/api/trpc/routing.listHeuristics`, { headers: { cookie: revokedCookie } });
    expect(response.status).toBe(401);
  });
});

describe(`hardening around the dashboard session (${testDatabaseKind})`, () => {
  const cookieFor = async (keyId: number, scope: 'read' | 'write') => `hone_session=${await signSession({ keyId, scope, name: scope })}`;

  it('sends a session whose key was revoked to sign-in on every page, instead of a 500', async () => {
    const cookie = await cookieFor(keys.revokedId, 'write');
    for (const page of ['/', '/heuristics', '/models', '/tests', '/metrics', '/bugs']) {
      const response = await fetch(`${server.url}${page}`, { headers: { cookie }, redirect: 'manual' });
      expect(response.status, page).toBe(307);
      expect(new URL(response.headers.get('location')!, server.url).pathname, page).toBe('/sign-in');
    }
  });

  it('sends a signed-in visitor only to a path of this site after sign-in (no open redirect)', async () => {
    const cookie = await cookieFor(keys.readId, 'read');
    for (const next of [
      '/%5Cevil.example',
      '/%09/evil.example',
      '//evil.example',
      'https://evil.example',
      '/%0A/evil.example',
      '/%0D%0ASet-Cookie:x=1',
    ]) {
      const response = await fetch(`${server.url}/sign-in?next=${next}`, { headers: { cookie }, redirect: 'manual' });
      expect(response.status, next).toBe(307);
      const location = new URL(response.headers.get('location')!, server.url);
      expect(location.origin, next).toBe(server.url);
      expect(location.pathname, next).toBe('/');
    }
    const fine = await fetch(`${server.url}/sign-in?next=%2Fmodels%3Frange%3D30d`, { headers: { cookie }, redirect: 'manual' });
    expect(new URL(fine.headers.get('location')!, server.url).pathname).toBe('/models');
  });

  it('refuses a sign-in posted from another origin with 403, not 500', async () => {
    const form = new FormData();
    form.set('apiKey', keys.write);
    const response = await fetch(`${server.url}/sign-in`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'next-action': '0'.repeat(42) },
      body: form,
      redirect: 'manual',
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it("does not let MCP use the dashboard's session cookie: bearer keys only", async () => {
    const cookie = await cookieFor(keys.writeId, 'write');
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'record_bug_pattern', arguments: bugReport('via cookie') },
    });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', cookie };
    const withCookie = await fetch(`${server.url}/api/mcp`, { method: 'POST', headers, body });
    expect(withCookie.status).toBe(401);
    expect(withCookie.headers.get('www-authenticate')).toBe('Bearer realm="hone"');
    const fromOtherPort = await fetch(`${server.url}/api/mcp`, {
      method: 'POST',
      headers: { ...headers, origin: 'http://localhost:8081' },
      body,
    });
    expect(fromOtherPort.status).toBe(403);
    const patterns = (await rest('get_bug_patterns', keys.read, {})).body.items.map((p: { pattern: string }) => p.pattern);
    expect(patterns).not.toContain('via cookie');
  });

  it("answers MCP's scope refusal with insufficient_scope", async () => {
    const response = await fetch(`${server.url}/api/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${keys.read}` },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'record_metric', arguments: { name: 'scope', value: 1, unit: 'ms' } },
      }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="hone", error="insufficient_scope", scope="write"');
  });
});

describe(`GET /api/metrics with keys required (${testDatabaseKind})`, () => {
  const scrape = (headers: Record<string, string>) => fetch(`${server.url}/api/metrics`, { headers });

  it('answers 401 without a valid bearer key (a session cookie is not one) and the exposition to a read key', async () => {
    for (const [label, key] of Object.entries(WRONG_KEYS())) {
      const refused = await scrape(authHeader(key));
      expect(refused.status, label).toBe(401);
      expect(await refused.text()).not.toContain('hone_requests_total');
    }
    const cookie = `hone_session=${await signSession({ keyId: keys.readId, scope: 'read', name: 'read' })}`;
    expect((await scrape({ cookie })).status).toBe(401);
    for (const key of [keys.read, keys.write]) {
      const answered = await scrape(authHeader(key));
      expect(answered.status).toBe(200);
      expect(await answered.text()).toContain('# TYPE hone_requests_total counter');
    }
  });

  it('counts refused calls under their outcome: 401 and 403, on REST and MCP', async () => {
    const read = async () => parseExposition(await (await scrape(authHeader(keys.read))).text());
    const before = await read();
    expect((await rest('record_metric', undefined, { name: 'refused', value: 1, unit: 'ms' })).status).toBe(401);
    const mcpCall = (key: string | undefined) =>
      fetch(`${server.url}/api/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...authHeader(key) },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'record_metric', arguments: {} } }),
      });
    expect((await mcpCall(undefined)).status).toBe(401);
    expect((await mcpCall(keys.read)).status).toBe(403);
    const after = await read();
    const grew = (labels: Record<string, string>) =>
      sampleSum(after, 'hone_requests_total', labels) - sampleSum(before, 'hone_requests_total', labels);
    expect(grew({ face: 'rest', tool: 'record_metric', outcome: 'unauthorized', status_class: '4xx' })).toBe(1);
    expect(grew({ face: 'mcp', tool: 'unknown', outcome: 'unauthorized' })).toBe(1);
    expect(grew({ face: 'mcp', tool: 'record_metric', outcome: 'forbidden' })).toBe(1);
    expect(grew({})).toBe(3);
  });
});
