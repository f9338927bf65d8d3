// npm run bench -- ingest: how many model calls per second Hone records over HTTP, beside the rate of raw single-row
// INSERTs measured in the same run, on the PostgreSQL server and on an embedded PGlite directory. One `next start` per
// database with API keys required; the load generator keeps its connections open (as a gateway does) and sends
// CONCURRENCY requests at a time. Calls spread over KEYS (model, task type) pairs on every path. Prints figures only.
// Options, to look at one path (say, under a profiler); the defaults run everything:
//   --db=postgres|pglite            one database only
//   --only=rest,trpc,ingest100,ingest1000   only these rows (the raw INSERT rows always run)
//   --seconds=N                     measure each row N seconds instead of 8
//   HONE_BENCH_SERVER_NODE_OPTIONS  NODE_OPTIONS of the server alone, e.g. "--import ./scripts/cpu-profile-preload.mjs"
//                                   for a CPU profile of it (Node refuses --cpu-prof there)
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createApiKey } from '../server/services/api-keys';
import { createServerDatabase, startHoneServer, type HoneServer } from '../server/testing/hone-server';
import buildOnce from '../server/testing/next-build';
import type { SuiteOptions } from './bench';

const CONCURRENCY = 16;
/** Distinct (model, task type) pairs the calls spread over: a gateway's few models times its task types. */
const KEYS = 20;
const WARM_UP_MS = 1_500;
let MEASURE_MS = 8_000;

const ROWS = ['rest', 'trpc', 'ingest100', 'ingest1000'] as const;
type RowName = (typeof ROWS)[number];
let onlyRows: ReadonlySet<RowName> = new Set(ROWS);

/** The server's environment: keys required, and HONE_BENCH_SERVER_NODE_OPTIONS as its NODE_OPTIONS when set. */
function serverEnv(dbEnv: Record<string, string>): Record<string, string> {
  const nodeOptions = process.env.HONE_BENCH_SERVER_NODE_OPTIONS;
  return { ...dbEnv, HONE_AUTH: 'required', ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) };
}

interface Row {
  label: string;
  itemsPerSecond: number;
  p50: number;
  p99: number;
  /** Items the server acknowledged, warm-up included. */
  acknowledged: number;
}

function modelCall(i: number) {
  return {
    modelId: `bench-model-${i % 5}`,
    taskType: `task-${Math.floor(i / 5) % (KEYS / 5)}`,
    success: i % 10 !== 0,
    latencyMs: 200 + ((i * 37) % 3000),
    cost: 0.001 + (i % 7) * 0.0005,
  };
}

/**
 * Sends requests CONCURRENCY at a time for MEASURE_MS (after WARM_UP_MS unmeasured), each carrying `itemsPerRequest`
 * items; returns items per second and request latency percentiles.
 */
async function measure(label: string, itemsPerRequest: number, send: (sequence: number) => Promise<void>): Promise<Row> {
  let sequence = 0;
  const drive = async (until: number, latencies: number[] | null) => {
    let requests = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < until) {
          const started = performance.now();
          await send(sequence++);
          latencies?.push(performance.now() - started);
          requests++;
        }
      }),
    );
    return requests;
  };
  const warmUpRequests = await drive(performance.now() + WARM_UP_MS, null);
  const latencies: number[] = [];
  const started = performance.now();
  const requests = await drive(started + MEASURE_MS, latencies);
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const percentile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return {
    label,
    itemsPerSecond: (requests * itemsPerRequest) / seconds,
    p50: percentile(0.5),
    p99: percentile(0.99),
    acknowledged: (warmUpRequests + requests) * itemsPerRequest,
  };
}

/** A keep-alive HTTP client: fetch costs the load generator several times the CPU of node:http on this 2-core machine. */
function httpClient(server: HoneServer, apiKey: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const { hostname, port } = new URL(server.url);
  const post = (path: string, body: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const payload = JSON.stringify(body);
      const request = http.request(
        {
          hostname,
          port,
          path,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
            authorization: `Bearer ${apiKey}`,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            if (response.statusCode === 200) resolve(JSON.parse(text));
            else reject(new Error(`POST ${path}: ${response.statusCode} ${text.slice(0, 300)}`));
          });
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  return { post, close: () => agent.destroy() };
}

type Client = ReturnType<typeof httpClient>;

async function hotPaths(client: Client): Promise<Row[]> {
  const rows: Row[] = [];
  if (onlyRows.has('rest')) {
    rows.push(
      await measure('REST update_model_performance, 1 call per request', 1, async (n) => {
        await client.post('/tools/update_model_performance', modelCall(n));
      }),
    );
  }
  const trpcBatch = 50;
  const trpcPath = `/api/trpc/${Array(trpcBatch).fill('modelPerformance.update').join(',')}?batch=1`;
  if (onlyRows.has('trpc')) {
    rows.push(
      await measure(`tRPC modelPerformance.update, batches of ${trpcBatch}`, trpcBatch, async (n) => {
        const results = (await client.post(
          trpcPath,
          Object.fromEntries(Array.from({ length: trpcBatch }, (_, i) => [i, modelCall(n * trpcBatch + i)])),
        )) as unknown[];
        if (results.length !== trpcBatch) throw new Error(`tRPC answered ${results.length} results for ${trpcBatch} calls`);
      }),
    );
  }
  for (const size of [100, 1000]) {
    if (!onlyRows.has(`ingest${size}` as RowName)) continue;
    rows.push(
      await measure(`REST ingest, batches of ${size.toLocaleString('en')} (each with an eventId)`, size, async (n) => {
        const modelCalls = Array.from({ length: size }, (_, i) => ({ ...modelCall(n * size + i), eventId: randomUUID() }));
        const answer = (await client.post('/tools/ingest', { modelCalls })) as { stored: number };
        if (answer.stored !== size) throw new Error(`ingest stored ${answer.stored} of ${size}: ${JSON.stringify(answer).slice(0, 300)}`);
      }),
    );
  }
  return rows;
}

/**
 * The model calls the server acknowledged on the hot paths against those it counted, read through its own read tool
 * (the embedded database is the server's alone): the same number when nothing was lost or counted twice.
 */
async function checkTotals(client: Client, rows: Row[]): Promise<string> {
  const analysis = (await client.post('/tools/analyze_metrics', {})) as { models: { totalCalls: number }[] };
  const counted = analysis.models.reduce((sum, model) => sum + model.totalCalls, 0);
  const acknowledged = rows.reduce((sum, row) => sum + row.acknowledged, 0);
  return `  model calls acknowledged ${acknowledged.toLocaleString('en')}, counted by the server ${counted.toLocaleString('en')}`;
}

function print(heading: string, raw: Row[], rows: Row[]) {
  const reference = raw.reduce((sum, row) => sum + row.itemsPerSecond, 0) / raw.length;
  console.log(`\n${heading}`);
  console.log(`  ${'path'.padEnd(62)} ${'items/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}   vs raw`);
  for (const row of [...raw, ...rows]) {
    const ratio = raw.includes(row) ? '' : `${(row.itemsPerSecond / reference).toFixed(3)}x`;
    console.log(
      `  ${row.label.padEnd(62)} ${Math.round(row.itemsPerSecond).toLocaleString('en').padStart(8)} ` +
        `${row.p50.toFixed(1).padStart(8)} ${row.p99.toFixed(1).padStart(8)}   ${ratio}`,
    );
  }
  console.log(
    `  (raw: one INSERT per model call into bench_raw_calls, a table of its own with a bigserial key and no other index; ` +
      `ratios against the mean of its two runs, ${Math.round(reference).toLocaleString('en')} rows/s)`,
  );
}

const RAW_TABLE = `CREATE TABLE bench_raw_calls (
  id bigserial PRIMARY KEY, model_id text NOT NULL, task_type text NOT NULL, success boolean NOT NULL,
  latency_ms double precision NOT NULL, cost double precision NOT NULL, called_at timestamptz NOT NULL DEFAULT now())`;
const RAW_INSERT = 'INSERT INTO bench_raw_calls (model_id, task_type, success, latency_ms, cost) VALUES ($1, $2, $3, $4, $5)';
const rawValues = (n: number) => {
  const call = modelCall(n);
  return [call.modelId, call.taskType, call.success, call.latencyMs, call.cost];
};

async function benchPostgres() {
  const db = await createServerDatabase('postgres');
  const apiKey = await db.withPrisma(async (prisma) => (await createApiKey(prisma, { name: 'bench', scope: 'write' })).key);
  const server = await startHoneServer({ env: serverEnv(db.env) });
  const client = httpClient(server, apiKey);
  // The baseline: a plain pg pool in this process, one row per model call into a table of its own in the same database.
  const pool = new pg.Pool({ connectionString: db.env.DATABASE_URL, max: CONCURRENCY });
  try {
    await pool.query(RAW_TABLE);
    const raw = async (label: string) =>
      measure(label, 1, async (n) => {
        await pool.query(RAW_INSERT, rawValues(n));
      });
    const rawBefore = await raw('raw single-row INSERT, pg pool of 16 (before)');
    const rows = await hotPaths(client);
    const totals = await checkTotals(client, rows);
    const rawAfter = await raw('raw single-row INSERT, pg pool of 16 (after)');
    print(
      `PostgreSQL server (next start, keys required, concurrency ${CONCURRENCY}, ${KEYS} model/task pairs):`,
      [rawBefore, rawAfter],
      rows,
    );
    console.log(totals);
  } finally {
    client.close();
    await pool.end();
    await server.stop();
    await db.drop();
  }
}

async function benchPglite() {
  const db = await createServerDatabase('pglite');
  const apiKey = await db.withPrisma(async (prisma) => (await createApiKey(prisma, { name: 'bench', scope: 'write' })).key);
  const server = await startHoneServer({ env: serverEnv(db.env) });
  const client = httpClient(server, apiKey);
  // The server holds its embedded database: the baseline is PGlite's own single-row INSERT, in memory in this process.
  const pglite = new PGlite();
  try {
    await pglite.query(RAW_TABLE);
    const raw = async (label: string) =>
      measure(label, 1, async (n) => {
        await pglite.query(RAW_INSERT, rawValues(n));
      });
    const rawBefore = await raw('raw single-row INSERT, in-process PGlite (before)');
    const rows = await hotPaths(client);
    const totals = await checkTotals(client, rows);
    const rawAfter = await raw('raw single-row INSERT, in-process PGlite (after)');
    print(`PGlite (next start on an embedded data directory, keys required, concurrency ${CONCURRENCY}):`, [rawBefore, rawAfter], rows);
    console.log(totals);
  } finally {
    client.close();
    await pglite.close();
    await server.stop();
    await db.drop();
  }
}

export async function run(options: SuiteOptions = {}): Promise<void> {
  if (options.db !== undefined && options.db !== 'postgres' && options.db !== 'pglite') {
    throw new Error(`--db is postgres or pglite, not ${options.db}`);
  }
  if (options.only !== undefined) {
    const asked = options.only.split(',');
    const unknown = asked.filter((name) => !(ROWS as readonly string[]).includes(name));
    if (unknown.length) throw new Error(`--only takes ${ROWS.join(', ')}, not ${unknown.join(', ')}`);
    onlyRows = new Set(asked as RowName[]);
  }
  if (options.seconds !== undefined) {
    const seconds = Number(options.seconds);
    if (!(seconds > 0)) throw new Error(`--seconds is a positive number, not ${options.seconds}`);
    MEASURE_MS = seconds * 1000;
  }
  buildOnce();
  for (const [db, name, bench] of [
    ['postgres', 'PostgreSQL server', benchPostgres],
    ['pglite', 'PGlite', benchPglite],
  ] as const) {
    if (options.db !== undefined && options.db !== db) continue;
    try {
      await bench();
    } catch (error) {
      console.log(`${name}: skipped (${(error as Error).message.split('\n')[0]})`);
    }
  }
}
