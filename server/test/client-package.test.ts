// The client package as a gateway gets it: packed, installed from the tarball into a project outside the
// repository, type-checked strictly, run against `next start`; its errors; and the REST alternative generated
// from /api/openapi.json. Runs in the postgres project only: it is about the package, not the database.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION_HEADER, HONE_API_VERSION } from '../api-version';
import { createHoneClient, HoneClientError } from '../hone-client';
import { createApiKey } from '../services/api-keys';
import { testDatabaseKind } from './database';
import { createServerDatabase, ROOT, startHoneServer, type HoneServer, type ServerDatabase } from '../testing/hone-server';

const PACKAGE_DIR = path.join(ROOT, 'packages/client');
const FIXTURES = path.join(ROOT, 'server/test/gateway-package');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
const NPM_INSTALL = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
// Everything ships twice (ESM and CJS, each with declarations): the generated router types (~23 KB a copy) and
// hone.track (~25 KB a copy, half of it comments), the routing engine and hone.router() (~55 KB a copy, much of it
// comments) are most of it; the matcher's prefilter (flat Aho-Corasick tables, word-boundary literals, combined RE2
// programs) added ~40 KB a copy. Issue 11's experiments added ~12 KB of router types and ~6 KB of engine (arms that
// change a rule's pattern or priority) a copy; its adaptive policies and suggestions (eight more tools) took the router
// types to ~79 KB a copy. The tarball is about a sixth of this.
const MAX_UNPACKED_BYTES = 560_000;
// npm installs and full type-checks: about a minute each on a busy 2-core machine.
const INSTALLING_TEST_TIMEOUT_MS = 300_000;

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end and reports how it went; never throws, the test decides what is a failure. */
function run(command: string, args: string[], cwd: string, timeout = 240_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
    });
  });
}

async function succeed(command: string, args: string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd);
  if (result.code !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${result.code}) in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function directoryBytes(directory: string): number {
  return readdirSync(directory).reduce((total, name) => {
    const entry = path.join(directory, name);
    const stat = statSync(entry);
    return total + (stat.isDirectory() ? directoryBytes(entry) : stat.size);
  }, 0);
}

const onPostgres = testDatabaseKind === 'postgres';

/** JavaScript deciding with the packaged engine: one case-insensitive rule, matched; prints its layer (`fast`). */
const DECIDE_ONE_RULE =
  "c.decide(c.compileSnapshot({ version: '1', defaultLayer: 'deep', sampling: { storeInputs: false, samplesPerHour: 0 }, " +
  "rules: [{ ruleId: 1, versionId: 1, version: 1, pattern: '(?i)sort', layer: 'fast', model: null, priority: 0, state: 'active', reasoning: null }] }), 'SORT this').layer";

describe.runIf(onPostgres)('the @hone/client package, installed outside the repository', () => {
  let db: ServerDatabase;
  let server: HoneServer;
  let writeKey: string;
  let workDir: string;
  let gatewayDir: string;
  let tarball: string;
  let packed: { unpackedSize: number; size: number; files: { path: string }[] };

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'hone-client-package-'));
    expect(path.relative(ROOT, workDir).startsWith('..')).toBe(true);
    db = await createServerDatabase('postgres');
    writeKey = (await db.withPrisma((prisma) => createApiKey(prisma, { name: 'packaged gateway', scope: 'write' }))).key;
    // With keys required, as a production Hone runs: the gateway authenticates like a real one.
    const [started, packOutput] = await Promise.all([
      startHoneServer({ env: { ...db.env, HONE_AUTH: 'required' } }),
      // `npm pack` builds first (the package's prepack script).
      succeed('npm', ['pack', '--json', '--pack-destination', workDir], PACKAGE_DIR),
    ]);
    server = started;
    [packed] = JSON.parse(packOutput.slice(packOutput.indexOf('['))) as [typeof packed & { filename: string }];
    tarball = path.join(workDir, (packed as typeof packed & { filename: string }).filename);

    gatewayDir = path.join(workDir, 'gateway');
    cpSync(FIXTURES, gatewayDir, { recursive: true });
    await succeed('npm', [...NPM_INSTALL, tarball], gatewayDir);
  }, 600_000);

  afterAll(async () => {
    await server?.stop();
    await db?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('is small, ships ESM, CJS and declarations, and depends on tRPC and re2js alone', async () => {
    const installed = path.join(gatewayDir, 'node_modules/@hone/client');
    const installedBytes = directoryBytes(installed);
    const tree = (await succeed('npm', ['ls', '--all', '--parseable'], gatewayDir)).trim().split('\n').slice(1);
    const dependencies = tree
      .map((entry) => path.relative(path.join(gatewayDir, 'node_modules'), entry))
      .filter((name) => name !== '@hone/client');
    console.log(
      `@hone/client: tarball ${packed.size} B, unpacked ${packed.unpackedSize} B, installed ${installedBytes} B; ` +
        `${dependencies.length} dependencies installed with it: ${dependencies.join(', ')}`,
    );
    expect(packed.unpackedSize).toBeLessThan(MAX_UNPACKED_BYTES);
    expect(packed.files.map((file) => file.path)).toEqual(
      expect.arrayContaining([
        'dist/esm/index.js',
        'dist/esm/index.d.ts',
        'dist/cjs/index.js',
        'dist/cjs/routing/decide.js',
        'package.json',
      ]),
    );
    // @trpc/server is @trpc/client's peer (types and a few helpers), typescript its peer too (npm installs peers); re2js is
    // the routing engine's matcher (hone.router() decides with the server's own code).
    expect(dependencies.filter((name) => !/^(@trpc\/(client|server)|re2js|typescript|@typescript\/.*)$/.test(name))).toEqual([]);

    const shipped = packed.files.map((file) => readFileSync(path.join(installed, file.path), 'utf8')).join('\n');
    expect(shipped).not.toMatch(/prisma|pglite|from ['"](next|react)/i);
    // Edge and Workers runtimes have fetch but no Node built-ins.
    expect(shipped).not.toMatch(/from ['"]node:|require\(['"]node:/);

    const cjs = await succeed(
      process.execPath,
      ['-e', `const c = require('@hone/client'); console.log(typeof c.createHoneClient, c.API_VERSION, ${DECIDE_ONE_RULE})`],
      gatewayDir,
    );
    // The routing engine (and re2js under it) loads as CommonJS too.
    expect(cjs.trim()).toBe(`function ${HONE_API_VERSION} fast`);
  });

  it(
    'type-checks a strict gateway project, refuses a wrong input at compile time, and runs against next start',
    async () => {
      await succeed('npm', [...NPM_INSTALL, '--save-dev', '@types/node@20'], gatewayDir);
      await succeed(process.execPath, [TSC, '-p', 'tsconfig.json'], gatewayDir);
      // The gateway skips checking libraries' declarations, as most projects do; check them once here, ours
      // included (with DOM's lib, which @trpc/client's own declarations need).
      writeFileSync(
        path.join(gatewayDir, 'tsconfig.declarations.json'),
        JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, skipLibCheck: false, lib: ['ES2022', 'DOM'] } }),
      );
      await succeed(process.execPath, [TSC, '-p', 'tsconfig.declarations.json'], gatewayDir);

      writeFileSync(
        path.join(gatewayDir, 'tsconfig.wrong.json'),
        JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true }, files: ['wrong-input.ts'] }),
      );
      const wrong = await run(process.execPath, [TSC, '-p', 'tsconfig.wrong.json'], gatewayDir);
      expect(wrong.code).not.toBe(0);
      expect(wrong.stdout).toMatch(/wrong-input\.ts\(5,\d+\): error TS\d+: .*'task_type' does not exist/);

      const output = await succeed(process.execPath, ['out/gateway.js', server.url, writeKey], gatewayDir);
      const result = JSON.parse(output);
      expect(result).toMatchObject({
        apiVersion: HONE_API_VERSION,
        modelIds: ['packaged-model', 'packaged-model'],
        totalCalls: 2,
        successRate: 50,
      });
      expect(result.report).toContain('packaged-model (packaged):');
      expect(result.refused).toMatchObject({ code: 'BAD_REQUEST', status: 400, fields: ['latencyMs'] });
      expect(result.tracked).toEqual({ stored: 2, dropped: 0 });
      expect(result.routing).toEqual({ ready: true, layer: 'balanced', state: 'fresh', versioned: true });
      expect(result.refused.message).toMatch(/latencyMs/);
    },
    INSTALLING_TEST_TIMEOUT_MS,
  );

  it(
    'has a REST alternative: a client generated from /api/openapi.json with openapi-typescript and openapi-fetch',
    async () => {
      const restDir = path.join(workDir, 'rest-gateway');
      cpSync(FIXTURES, restDir, { recursive: true });
      writeFileSync(
        path.join(restDir, 'tsconfig.json'),
        readFileSync(path.join(FIXTURES, 'tsconfig.json'), 'utf8').replace('"gateway.ts"', '"rest-gateway.ts"'),
      );
      // openapi-fetch 0.14+ wraps request bodies in a Writable<> helper that collapses recursive schemas (the JSON
      // `context` and `metadata` fields) to `undefined`; 0.13 types them as the generator wrote them.
      await succeed('npm', [...NPM_INSTALL, 'openapi-fetch@0.13', '--save-dev', 'openapi-typescript@7', '@types/node@20'], restDir);
      await succeed('npx', ['openapi-typescript', `${server.url}/api/openapi.json`, '-o', 'hone-api.d.ts'], restDir);
      await succeed(process.execPath, [TSC, '-p', 'tsconfig.json'], restDir);

      const result = JSON.parse(await succeed(process.execPath, ['out/rest-gateway.js', server.url, writeKey], restDir));
      expect(result).toMatchObject({ recordedStatus: 200, heuristicsStatus: 200, refusedStatus: 400, refusedFields: ['unit'] });
      expect(result.recorded).toMatchObject({ name: 'rest_gateway_latency', value: 12.5 });
    },
    INSTALLING_TEST_TIMEOUT_MS,
  );

  it('says which API version the server speaks: a tRPC header and the OpenAPI document', async () => {
    const response = await fetch(`${server.url}/api/trpc/modelPerformance.taskTypes`, { headers: { authorization: `Bearer ${writeKey}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get(API_VERSION_HEADER)).toBe(HONE_API_VERSION);
    const refused = await fetch(`${server.url}/api/trpc/modelPerformance.taskTypes`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get(API_VERSION_HEADER)).toBe(HONE_API_VERSION);

    const document = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { info: Record<string, unknown> };
    expect(document.info).toMatchObject({ version: HONE_API_VERSION, 'x-hone-api-version': HONE_API_VERSION });
  });

  it('fails with HoneClientError: bad input names the field, no key is 401, a read key on a write is 403', async () => {
    const hone = createHoneClient({ url: server.url, apiKey: writeKey });
    const metricsBefore = await db.withPrisma((prisma) => prisma.performanceMetric.count());
    const badInput = await hone.metrics.record
      .mutate({ name: 'x', value: 1, unit: 'ms', recordedAt: 'yesterday' })
      .catch((error: unknown) => error);
    expect(badInput).toBeInstanceOf(HoneClientError);
    expect(badInput).toMatchObject({ code: 'BAD_REQUEST', status: 400, path: 'metrics.record', issues: [{ path: ['recordedAt'] }] });
    expect(await db.withPrisma((prisma) => prisma.performanceMetric.count())).toBe(metricsBefore);

    const anonymous = createHoneClient({ url: server.url });
    const unauthorized = await anonymous.modelPerformance.taskTypes.query().catch((error: unknown) => error);
    expect(unauthorized).toBeInstanceOf(HoneClientError);
    expect(unauthorized).toMatchObject({ code: 'UNAUTHORIZED', status: 401, issues: [] });

    const metricsStored = () => db.withPrisma((prisma) => prisma.performanceMetric.count());
    const before = await metricsStored();
    const readKey = (await db.withPrisma((prisma) => createApiKey(prisma, { name: 'reader', scope: 'read' }))).key;
    const reader = createHoneClient({ url: server.url, apiKey: readKey });
    await expect(reader.metrics.record.mutate({ name: 'x', value: 1, unit: 'ms' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      status: 403,
    });
    await expect(anonymous.metrics.record.mutate({ name: 'x', value: 1, unit: 'ms' })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      status: 401,
    });
    expect(await metricsStored()).toBe(before);
  });
});

describe.runIf(onPostgres)('HoneClientError without an answer from Hone', () => {
  let fake: Server;
  let fakeUrl: string;
  /** What the fake server does with the next request: a test sets it. */
  let respond: (response: import('node:http').ServerResponse) => void = () => {};

  beforeAll(async () => {
    fake = createServer((_request, response) => respond(response));
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    fake.closeAllConnections();
    await new Promise((resolve) => fake.close(resolve));
  });

  it('TIMEOUT when no answer comes within timeoutMs', async () => {
    respond = () => {}; // never answers
    const hone = createHoneClient({ url: fakeUrl, timeoutMs: 300 });
    const started = Date.now();
    const error = await hone.modelPerformance.taskTypes.query().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HoneClientError);
    expect(error).toMatchObject({ code: 'TIMEOUT', status: null, path: 'modelPerformance.taskTypes' });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('ABORTED by a per-call signal and by the client-wide signal', async () => {
    respond = () => {};
    const hone = createHoneClient({ url: fakeUrl, timeoutMs: 30_000 });
    const perCall = new AbortController();
    const pending = hone.modelPerformance.taskTypes.query(undefined, { signal: perCall.signal }).catch((e: unknown) => e);
    setTimeout(() => perCall.abort(), 50);
    expect(await pending).toMatchObject({ code: 'ABORTED', status: null });

    const clientWide = new AbortController();
    const aborting = createHoneClient({ url: fakeUrl, signal: clientWide.signal });
    const running = aborting.modelPerformance.taskTypes.query().catch((e: unknown) => e);
    clientWide.abort();
    expect(await running).toMatchObject({ code: 'ABORTED' });
    // Once the client's signal has fired, later calls fail at once.
    await expect(aborting.modelPerformance.taskTypes.query()).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('VERSION_MISMATCH naming both versions when the server speaks another major API version', async () => {
    respond = (response) => {
      response.writeHead(200, { 'content-type': 'application/json', [API_VERSION_HEADER]: '2.3' });
      response.end(JSON.stringify([{ result: { data: ['coding'] } }]));
    };
    const error = await createHoneClient({ url: fakeUrl })
      .modelPerformance.taskTypes.query()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HoneClientError);
    expect(error).toMatchObject({ code: 'VERSION_MISMATCH', serverApiVersion: '2.3', path: 'modelPerformance.taskTypes' });
    expect((error as Error).message).toContain('API version 2.3');
    expect((error as Error).message).toContain(`API version ${HONE_API_VERSION}`);

    respond = (response) => {
      response.writeHead(200, { 'content-type': 'application/json', [API_VERSION_HEADER]: `${HONE_API_VERSION.split('.')[0]}.99` });
      response.end(JSON.stringify([{ result: { data: ['coding'] } }]));
    };
    // A newer minor version of the same major is compatible.
    expect(await createHoneClient({ url: fakeUrl }).modelPerformance.taskTypes.query()).toEqual(['coding']);
  });

  it('BAD_RESPONSE with the status when something other than Hone answers, NETWORK_ERROR when nothing does', async () => {
    respond = (response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html>Bad Gateway</html>');
    };
    await expect(createHoneClient({ url: fakeUrl }).modelPerformance.taskTypes.query()).rejects.toMatchObject({
      code: 'BAD_RESPONSE',
      status: 502,
    });

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const error = await createHoneClient({ url: closedUrl })
      .modelPerformance.taskTypes.query()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HoneClientError);
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', status: null });
    expect((error as Error).message).toContain('ECONNREFUSED');
  });
});
