import { execFile } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createHoneClient } from '../hone-client';
import { createServerDatabase, startHoneServer, type HoneServer, type ServerDatabase } from '../testing/hone-server';
import { exampleInput, plainExample } from '../testing/tool-examples';
import type { Tool, ToolCaller } from '../tools/define';
import { updateModelPerformanceTool } from '../tools/model-performance';
import { generateRegressionTestTool } from '../tools/regression-tests';
import { registeredTools, tools } from '../tools/registry';
import { updateRoutingHeuristicTool } from '../tools/routing';
import { testDatabaseKind } from './database';

const run = promisify(execFile);

let db: ServerDatabase;
let server: HoneServer;

beforeAll(async () => {
  db = await createServerDatabase(testDatabaseKind);
  server = await startHoneServer({ env: { ...db.env, HONE_AUTH: 'off' } });
});

afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

/** Runs a shell command as the spec prints it, pointed at the server under test; returns body and status. */
async function curl(command: string): Promise<{ status: number; body: string }> {
  const pointed = command.replaceAll('http://localhost:3000', server.url);
  const { stdout } = await run('bash', ['-c', `${pointed} -s -w '\\n%{http_code}'`]);
  const cut = stdout.lastIndexOf('\n');
  return { body: stdout.slice(0, cut), status: Number(stdout.slice(cut + 1)) };
}

async function post(name: string, body: BodyInit | null, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const response = await fetch(`${server.url}/tools/${name}`, { method: 'POST', headers, body });
  return { status: response.status, body: (await response.json()) as Record<string, any>, headers: response.headers };
}

describe(`the spec's curl examples, verbatim (${testDatabaseKind})`, () => {
  it('records a metric', async () => {
    const { status, body } = await curl(`curl -X POST http://localhost:3000/tools/record_metric \\
  -H "Content-Type: application/json" \\
  -d '{
    "name": "api_latency",
    "value": 234.5,
    "unit": "ms",
    "context": {"endpoint": "/route"}
  }'`);
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ name: 'api_latency', value: 234.5, unit: 'ms', context: { endpoint: '/route' } });
  });

  it('analyzes metrics with the report', async () => {
    await post('update_model_performance', JSON.stringify(plainExample(updateModelPerformanceTool)));
    const { status, body } = await curl(`curl -X POST http://localhost:3000/tools/analyze_metrics \\
  -H "Content-Type: application/json" \\
  -d '{"taskType": "coding", "includeReport": true}'`);
    expect(status).toBe(200);
    const analysis = JSON.parse(body);
    // Every call of this model in this file is the spec's example, so the averages are its figures whatever ran before.
    const { totalCalls } = analysis.models.find((model: { modelId: string }) => model.modelId === 'claude-sonnet-4');
    expect(totalCalls).toBeGreaterThanOrEqual(1);
    expect(analysis.report).toContain(
      `claude-sonnet-4 (coding):\n  Success Rate: 100.00%\n  Avg Latency: 2340ms\n  Avg Cost: $0.012500\n  Total Calls: ${totalCalls}`,
    );
    expect(analysis.report).toContain('Self-Improvement Summary');
  });

  it('gets the active routing heuristics', async () => {
    await post('update_routing_heuristic', JSON.stringify(plainExample(updateRoutingHeuristicTool)));
    await post('update_routing_heuristic', JSON.stringify({ pattern: 'translate', preferredLayer: 'fast', active: false }));
    const { status, body } = await curl('curl http://localhost:3000/tools/get_routing_heuristics?activeOnly=true');
    expect(status).toBe(200);
    const active = JSON.parse(body) as { pattern: string; active: boolean }[];
    expect(active.map((rule) => rule.pattern)).toContain('.*implement.*algorithm.*');
    expect(active.map((rule) => rule.pattern)).not.toContain('translate');
    expect(active.every((rule) => rule.active)).toBe(true);
  });
});

it('says once at start that the server is open', () => {
  expect(server.output().match(/authentication is off/g)).toHaveLength(1);
});

/** Calls each tool with its example through one face; an example that needs a stored row makes it through the same face. */
async function callEveryTool(call: ToolCaller, inOrder = tools): Promise<void> {
  for (const tool of inOrder) await call(tool, await exampleInput(tool, call));
}

describe(`REST /tools/<name> (${testDatabaseKind})`, () => {
  it('calls every tool with its example', async () => {
    await callEveryTool(
      async <Input extends z.ZodType, Output>(tool: Tool<Input, Output, boolean>, input: z.input<Input>): Promise<Output> => {
        const { status, body } = await post(tool.name, JSON.stringify(input));
        expect(status, `${tool.name}: ${JSON.stringify(body)}`).toBe(200);
        return body as Output;
      },
    );
  });

  it('coerces query strings to the schema types: "false" is false', async () => {
    await post('update_routing_heuristic', JSON.stringify({ pattern: 'an inactive rule', preferredLayer: 'fast', active: false }));
    const patterns = async (query: string) =>
      ((await (await fetch(`${server.url}/tools/get_routing_heuristics${query}`)).json()) as { pattern: string }[]).map((r) => r.pattern);
    expect(await patterns('?activeOnly=false')).toContain('an inactive rule');
    expect(await patterns('')).not.toContain('an inactive rule');
    const page = await fetch(`${server.url}/tools/get_bug_patterns?limit=1`);
    expect(page.status).toBe(200);
  });

  it('answers 400 naming each bad field, and writes nothing', async () => {
    const { status, body } = await post('record_metric', JSON.stringify({ name: 'x', value: 'fast', unit: 'ms', colour: 'red' }));
    expect(status).toBe(400);
    expect(body.error.issues).toEqual(
      expect.arrayContaining([
        { path: ['value'], message: expect.any(String) },
        { path: ['colour'], message: expect.any(String) },
      ]),
    );
    expect(body.error.message).toContain('value');
    const bad = await fetch(`${server.url}/tools/get_routing_heuristics?activeOnly=yes`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.issues[0].path).toEqual(['activeOnly']);
  });

  it('answers 400 for a body that is not JSON', async () => {
    expect((await post('record_metric', '{"name": ')).status).toBe(400);
  });

  it('answers 404 for an unknown tool, 405 for a wrong method, 415 for non-JSON, 413 over 1 MiB', async () => {
    expect((await post('no_such_tool', '{}')).status).toBe(404);
    const wrongMethod = await fetch(`${server.url}/tools/record_metric`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect((await fetch(`${server.url}/tools/get_bug_patterns`, { method: 'DELETE' })).status).toBe(405);
    const notJson = await post('record_metric', 'name=x&value=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(notJson.status).toBe(415);
    const huge = JSON.stringify({ name: 'big', value: 1, unit: 'ms', context: { blob: 'x'.repeat(1024 * 1024) } });
    const tooLarge = await post('record_metric', huge);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.message).toContain('1 MiB');
    const metrics = await fetch(`${server.url}/tools/analyze_metrics`).then((r) => r.status);
    expect(metrics).toBe(200);
  });

  it('serves an OpenAPI 3.1 document of every tool', async () => {
    const document = await (await fetch(`${server.url}/api/openapi.json`)).json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual(tools.map((t) => `/tools/${t.name}`).sort());
    const get = document.paths['/tools/get_routing_heuristics'].get;
    expect(get.parameters).toContainEqual(
      expect.objectContaining({ name: 'activeOnly', in: 'query', schema: expect.objectContaining({ type: 'boolean' }) }),
    );
  });
});

describe(`MCP at /api/mcp (${testDatabaseKind})`, () => {
  async function connect(): Promise<Client> {
    const client = new Client({ name: 'hone-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL('/api/mcp', server.url)));
    return client;
  }

  it('lists every registry tool with its JSON Schema, description and annotations', async () => {
    const client = await connect();
    const { tools: listed } = await client.listTools();
    expect(listed.map((t) => t.name).sort()).toEqual(tools.map((t) => t.name).sort());
    for (const tool of tools) {
      const entry = listed.find((t) => t.name === tool.name)!;
      expect(entry.description).toBe(tool.description);
      expect(entry.inputSchema.type).toBe('object');
      expect(entry.annotations?.readOnlyHint, tool.name).toBe(tool.readOnly);
      expect(entry.annotations?.destructiveHint, tool.name).toBe(tool.destructive ?? false);
    }
    const metric = listed.find((t) => t.name === 'record_metric')!;
    expect(Object.keys(metric.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['name', 'value', 'unit', 'context']));
    await client.close();
  });

  it('calls every tool with its example: readable text plus the same data as JSON', async () => {
    const client = await connect();
    const callMcp = async <Input extends z.ZodType, Output>(tool: Tool<Input, Output, boolean>, input: z.input<Input>): Promise<Output> => {
      const result = await client.callTool({ name: tool.name, arguments: input as Record<string, unknown> });
      expect(result.isError, `${tool.name}: ${JSON.stringify(result.content)}`).toBeFalsy();
      const [text] = result.content as { type: string; text: string }[];
      expect(text!.type).toBe('text');
      expect(result.structuredContent, tool.name).toBeTypeOf('object');
      return result.structuredContent as Output;
    };
    // In reverse registry order, while REST and tRPC go forwards: an example never relies on what ran before it.
    await callEveryTool(callMcp, [...tools].reverse());
    const analysis = await client.callTool({ name: 'analyze_metrics', arguments: { taskType: 'coding' } });
    const text = (analysis.content as { text: string }[])[0]!.text;
    expect(text).toMatch(
      /^Model Performance Analysis:\n\nclaude-sonnet-4 \(coding\):\n {2}Success Rate: [\d.]+%\n {2}Avg Latency: \d+ms\n {2}Avg Cost: \$[\d.]+\n {2}Total Calls: \d+/,
    );
    expect((analysis.structuredContent as { report: string }).report).toBe(text);
    await client.close();
  });

  it('answers bad arguments with an isError result naming each field, writing nothing', async () => {
    const client = await connect();
    const before = await client.callTool({ name: 'get_bug_patterns', arguments: {} });
    const result = await client.callTool({
      name: 'record_bug_pattern',
      arguments: { category: 'timeout', pattern: 'x', severity: 'apocalyptic' },
    });
    expect(result.isError).toBe(true);
    const message = (result.content as { text: string }[])[0]!.text;
    expect(message).toContain('severity');
    const after = await client.callTool({ name: 'get_bug_patterns', arguments: {} });
    expect(after.structuredContent).toEqual(before.structuredContent);
    await client.close();
  });

  it('refuses a __proto__ key in the arguments by name, as every face does (the SDK copies arguments without it)', async () => {
    for (const value of ['"x"', '{"name":"proto-mcp","value":1,"unit":"ms"}']) {
      const response = await fetch(`${server.url}/api/mcp`, {
        method: 'POST',
        headers: { ...MCP_HEADERS, 'mcp-protocol-version': '2025-06-18' },
        body: `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"record_metric","arguments":{"name":"proto-mcp","value":1,"unit":"ms","__proto__":${value}}}}`,
      });
      const { result } = await response.json();
      expect(result.isError, value).toBe(true);
      expect(result.structuredContent.error.issues).toEqual([{ path: ['__proto__'], message: 'key "__proto__" is not allowed' }]);
    }
    expect(await metricNames()).not.toContain('proto-mcp');
  });

  it('answers an unknown tool with a JSON-RPC error', async () => {
    const client = await connect();
    await expect(client.callTool({ name: 'drop_all_tables', arguments: {} })).rejects.toThrow(/drop_all_tables/);
    await client.close();
  });

  it('serves 2025-era clients statelessly with JSON responses', async () => {
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const initialize = await fetch(`${server.url}/api/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      }),
    });
    expect(initialize.status).toBe(200);
    expect(initialize.headers.get('content-type')).toContain('application/json');
    expect(initialize.headers.get('mcp-session-id')).toBeNull();
    const call = await fetch(`${server.url}/api/mcp`, {
      method: 'POST',
      headers: { ...headers, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'generate_report', arguments: {} } }),
    });
    const body = await call.json();
    expect(body.result.content[0].text).toContain('Self-Improvement');
  });

  it('refuses a Host or Origin outside the allow-list', async () => {
    const evilOrigin = await fetch(`${server.url}/api/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', origin: 'https://evil.example' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(evilOrigin.status).toBe(403);
    const { stdout } = await run('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-H',
      'Host: rebound.example',
      '-X',
      'POST',
      `${server.url}/api/mcp`,
    ]);
    expect(stdout).toBe('403');
  });
});

describe(`the typed client (${testDatabaseKind})`, () => {
  it('calls every tool with its example over tRPC', async () => {
    const hone = createHoneClient({ url: server.url }) as unknown as Record<
      string,
      Record<string, { query(input: unknown): Promise<unknown>; mutate(input: unknown): Promise<unknown> }>
    >;
    await callEveryTool(
      async <Input extends z.ZodType, Output>(tool: Tool<Input, Output, boolean>, input: z.input<Input>): Promise<Output> => {
        const [group, procedure] = registeredTools.find((registered) => registered.tool === tool)!.procedurePath.split('.');
        const call = hone[group!]![procedure!]!;
        return (await (tool.readOnly ? call.query(input) : call.mutate(input))) as Output;
      },
    );
  });

  it('is called from a separate Node process with full types', async () => {
    const script = path.resolve(import.meta.dirname, 'gateway-client.ts');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, server.url], {
      cwd: path.resolve(import.meta.dirname, '../..'),
    });
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ modelIds: ['gateway-model', 'gateway-model'], totalCalls: 2, successRate: 50 });
    expect(result.report).toContain('gateway-model (typed-client):');
    expect(result.badRequest).toMatch(/latencyMs/);
  });
});

/** A raw request through curl, which (unlike fetch) may set Host and send any method. */
async function rawRequest(method: string, urlPath: string, headers: Record<string, string> = {}, body?: string) {
  const args = [
    '-s',
    '-X',
    method,
    '-w',
    '\n%{http_code}\n%header{allow}',
    ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
  ];
  if (body !== undefined) args.push('--data-binary', body);
  const { stdout } = await run('curl', [...args, `${server.url}${urlPath}`]);
  const lines = stdout.split('\n');
  const allow = lines.pop()!;
  const status = Number(lines.pop());
  return { status, allow, body: lines.join('\n') };
}

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const mcpCall = (name: string, args: unknown) =>
  JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });

async function metricNames(): Promise<string[]> {
  return ((await (await fetch(`${server.url}/tools/list_metric_names`)).json()) as { name: string }[]).map((metric) => metric.name);
}

describe(`one host and origin rule on every face (${testDatabaseKind})`, () => {
  const rebound = { host: 'rebind.example:3996', origin: 'http://rebind.example:3996' };

  it('refuses a rebound Host with a matching Origin on REST, tRPC, MCP, OpenAPI, the download route and pages', async () => {
    const attempts = [
      rawRequest(
        'POST',
        '/tools/record_metric',
        { ...rebound, 'content-type': 'application/json' },
        JSON.stringify({ name: 'rebound', value: 1, unit: 'ms' }),
      ),
      rawRequest(
        'POST',
        '/api/trpc/metrics.record',
        { ...rebound, 'content-type': 'application/json' },
        JSON.stringify({ name: 'rebound', value: 1, unit: 'ms' }),
      ),
      rawRequest('POST', '/api/mcp', { ...rebound, ...MCP_HEADERS }, mcpCall('record_metric', { name: 'rebound', value: 1, unit: 'ms' })),
      rawRequest('GET', '/api/openapi.json', rebound),
      rawRequest('GET', '/tests/download?category=routing', rebound),
      rawRequest('GET', '/', rebound),
    ];
    for (const { status, body } of await Promise.all(attempts)) {
      expect(status, body).toBe(403);
      expect(body).toContain('rebind.example');
    }
    expect(await metricNames()).not.toContain('rebound');
  });

  it('refuses a loopback page on another port: another origin, on every face', async () => {
    const otherPort = { origin: 'http://localhost:8081', 'content-type': 'application/json' };
    const rest = await rawRequest('POST', '/tools/record_metric', otherPort, JSON.stringify({ name: 'other-port', value: 1, unit: 'ms' }));
    expect(rest.status).toBe(403);
    expect(JSON.parse(rest.body).error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('localhost:8081') });
    expect(
      (await rawRequest('POST', '/api/trpc/metrics.record', otherPort, JSON.stringify({ name: 'other-port', value: 1, unit: 'ms' })))
        .status,
    ).toBe(403);
    const mcp = await rawRequest(
      'POST',
      '/api/mcp',
      { ...otherPort, ...MCP_HEADERS, origin: 'http://localhost:8081' },
      mcpCall('record_metric', { name: 'other-port', value: 1, unit: 'ms' }),
    );
    expect(mcp.status).toBe(403);
    expect(JSON.parse(mcp.body).jsonrpc).toBe('2.0');
    expect(await metricNames()).not.toContain('other-port');
    const sameOrigin = await rawRequest(
      'POST',
      '/tools/record_metric',
      { ...otherPort, origin: server.url },
      JSON.stringify({ name: 'same-origin', value: 1, unit: 'ms' }),
    );
    expect(sameOrigin.status).toBe(200);
  });
});

describe(`tRPC limits like the other faces (${testDatabaseKind})`, () => {
  it('refuses a body over 1 MiB with 413, storing nothing', async () => {
    const huge = JSON.stringify({ name: 'huge-context', value: 1, unit: 'ms', context: { blob: 'x'.repeat(2 * 1024 * 1024) } });
    const response = await fetch(`${server.url}/api/trpc/metrics.record`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: huge,
    });
    expect(response.status).toBe(413);
    expect((await response.json()).error.message).toContain('1 MiB');
    expect(await metricNames()).not.toContain('huge-context');
  });

  it('takes at most 100 procedures per request, GET or POST, and says so', async () => {
    const batch = (count: number) => `/api/trpc/${Array(count).fill('bugPatterns.list').join(',')}?batch=1`;
    expect((await fetch(`${server.url}${batch(100)}`)).status).toBe(200);
    const tooMany = await fetch(`${server.url}${batch(101)}`);
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).error.message).toMatch(/at most 100 procedures/);
    const posted = await fetch(`${server.url}/api/trpc/${Array(101).fill('metrics.record').join(',')}?batch=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [i, { name: 'batched', value: 1, unit: 'ms' }]))),
    });
    expect(posted.status).toBe(400);
    expect(await metricNames()).not.toContain('batched');
    // Commas written as %2C are commas to tRPC: counted the same.
    const encoded = await fetch(`${server.url}/api/trpc/${Array(400).fill('bugPatterns.list').join('%2C')}?batch=1`);
    expect(encoded.status).toBe(400);
  });
});

describe(`clean failures (${testDatabaseKind})`, () => {
  it('answers TRACE and other unserved methods with 405 and Allow, never 500', async () => {
    for (const urlPath of [
      '/tools/get_bug_patterns',
      '/api/trpc/bugPatterns.list',
      '/api/mcp',
      '/api/openapi.json',
      '/tests/download',
      '/',
    ]) {
      const trace = await rawRequest('TRACE', urlPath);
      expect(trace.status, `TRACE ${urlPath}`).toBe(405);
      expect(trace.allow, `TRACE ${urlPath}`).not.toBe('');
    }
    for (const [method, urlPath, allow] of [
      ['PUT', '/api/mcp', 'POST'],
      ['PUT', '/api/trpc/bugPatterns.list', 'GET, POST'],
      ['POST', '/api/openapi.json', 'GET'],
      ['DELETE', '/tests/download', 'GET'],
    ] as const) {
      const refused = await rawRequest(method, urlPath);
      expect(refused.status, `${method} ${urlPath}`).toBe(405);
      expect(refused.allow, `${method} ${urlPath}`).toBe(allow);
    }
  });

  it('answers HEAD like GET without a body, and the next request on a connection whose body it refused unread', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = (method: string, urlPath: string, body?: string) =>
      new Promise<{ status: number; body: string; reusedSocket: boolean }>((resolve, reject) => {
        const request = http.request(`${server.url}${urlPath}`, { method, agent, headers: { 'content-type': 'application/json' } });
        request.on('response', (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode!, body: text, reusedSocket: request.reusedSocket }));
        });
        request.on('error', reject);
        request.end(body);
      });
    try {
      const head = await send('HEAD', '/api/openapi.json');
      expect(head).toMatchObject({ status: 200, body: '' });
      const huge = JSON.stringify({ name: 'unread', value: 1, unit: 'ms', context: { blob: 'x'.repeat(2 * 1024 * 1024) } });
      expect((await send('POST', '/tools/record_metric', huge)).status).toBe(413); // refused by its Content-Length, unread
      const next = await send('GET', '/api/openapi.json');
      expect(next).toMatchObject({ status: 200, reusedSocket: true });
      expect(JSON.parse(next.body).openapi).toBe('3.1.0');
    } finally {
      agent.destroy();
    }
  });

  it('refuses a __proto__ key and U+0000 by name, writing nothing', async () => {
    const proto = await post('record_metric', '{"name":"proto","value":1,"unit":"ms","context":{"__proto__":{"polluted":true}}}');
    expect(proto.status).toBe(400);
    expect(proto.body.error.issues).toContainEqual({ path: ['context', '__proto__'], message: expect.any(String) });
    const nul = await post('record_metric', JSON.stringify({ name: 'nul\u0000name', value: 1, unit: 'ms' }));
    expect(nul.status).toBe(400);
    expect(nul.body.error.issues[0].path).toEqual(['name']);
    expect((await metricNames()).filter((name) => name.startsWith('proto') || name.startsWith('nul'))).toEqual([]);
  });

  it('shows a refused query of the tests page on the page, never a 500', async () => {
    for (const query of ['cursor=2147483648', 'cursor=-1', 'cursor=1.5', 'search=%00', 'category=%00']) {
      const page = await fetch(`${server.url}/tests?${query}`);
      expect(page.status, query).toBe(200);
      expect(await page.text(), query).toContain('This search cannot be run');
    }
  });

  it('serves an icon, so pages do not log a 404 for it', async () => {
    const icon = await fetch(`${server.url}/icon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toContain('image/svg+xml');
    expect(await (await fetch(`${server.url}/`)).text()).toMatch(/<link rel="icon" href="\/icon\.svg/);
  });
});

describe(`downloading regression tests (${testDatabaseKind})`, () => {
  it('downloads a test by a name of 201-255 characters', async () => {
    const testName = `long-name-${'x'.repeat(230)}`;
    const created = await post(
      'generate_regression_test',
      JSON.stringify({ ...plainExample(generateRegressionTestTool), testName, category: 'long-names' }),
    );
    expect(created.status).toBe(200);
    const download = await fetch(`${server.url}/tests/download?name=${encodeURIComponent(testName)}`);
    expect(download.status).toBe(200);
    expect(await download.text()).toContain(`describe(${JSON.stringify(testName)}`);
  });

  it('answers a bad or unknown query with the JSON error shape every route uses', async () => {
    const neither = await fetch(`${server.url}/tests/download`);
    expect(neither.status).toBe(400);
    expect((await neither.json()).error).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('exactly one of name or category'),
      issues: expect.any(Array),
    });
    const unknown = await fetch(`${server.url}/tests/download?name=no-such-test`);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toMatchObject({ code: 'NOT_FOUND', issues: [{ path: ['name'], message: expect.any(String) }] });
  });
});
