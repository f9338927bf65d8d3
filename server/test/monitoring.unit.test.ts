import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HoneError, HTTP_STATUS, type HoneErrorCode } from '../errors';
import { labelValues, parseExposition, sampleSum } from '../testing/prometheus-text';
import { tools, toolsByName, toolsByProcedurePath } from '../tools/registry';
import { databaseErrorKind } from '../monitoring/database-errors';
import {
  countDatabaseError,
  metricsExposition,
  observeCall,
  observeIngestOutcomes,
  observeRefusal,
  requestLabels,
  type CallOrigin,
} from '../monitoring/metrics';
import { faceOfTrpcRequest } from '../monitoring/trpc-source';

const ROOT = path.resolve(import.meta.dirname, '../..');

const HOSTILE_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'record_metric ',
  'RECORD_METRIC',
  'record_metric\n',
  'evil"} 1\nhone_requests_total{face="rest',
  'x'.repeat(10_000),
  '',
  'routing.__proto__',
  'modelPerformance',
  'modelPerformance.update,routing.resolve',
];

const rest: CallOrigin = { face: 'rest' };

async function scrape() {
  return parseExposition((await metricsExposition()).body);
}

describe('request labels', () => {
  it('name a tool only when the name or tRPC path is a registered one; anything else is "unknown"', () => {
    for (const name of HOSTILE_NAMES) {
      expect(requestLabels(rest, toolsByName.get(name), null).tool, JSON.stringify(name)).toBe('unknown');
      expect(requestLabels(rest, toolsByProcedurePath.get(name), null).tool, JSON.stringify(name)).toBe('unknown');
    }
    expect(requestLabels(rest, toolsByName.get('record_metric'), null).tool).toBe('record_metric');
    expect(requestLabels(rest, toolsByProcedurePath.get('modelPerformance.update'), null).tool).toBe('update_model_performance');
  });

  it('take the outcome from the error code and the status class from its status', () => {
    expect(requestLabels(rest, undefined, null)).toEqual({ face: 'rest', tool: 'unknown', outcome: 'ok', status_class: '2xx' });
    for (const [code, status] of Object.entries(HTTP_STATUS)) {
      const labels = requestLabels(rest, undefined, new HoneError(code as HoneErrorCode, 'refused'));
      expect(labels.outcome).toBe(code.toLowerCase());
      expect(labels.status_class).toBe(`${String(status)[0]}xx`);
    }
    const forged = new HoneError('BAD_REQUEST', 'x');
    Object.defineProperty(forged, 'code', { value: 'toString' });
    expect(requestLabels(rest, undefined, forged)).toMatchObject({ outcome: 'internal_server_error', status_class: '5xx' });
  });

  it('count a tRPC call under the dashboard only for the exact header the dashboard sends', () => {
    expect(faceOfTrpcRequest(new Headers({ 'x-trpc-source': 'dashboard' }))).toBe('dashboard');
    for (const value of ['Dashboard', 'dashboard2', 'gateway', 'evil"label'])
      expect(faceOfTrpcRequest(new Headers({ 'x-trpc-source': value }))).toBe('trpc');
    expect(faceOfTrpcRequest(new Headers())).toBe('trpc');
  });
});

describe('the exposition', () => {
  it('holds no label value a caller chose, however the refusals were named', async () => {
    for (const name of HOSTILE_NAMES) observeRefusal(rest, toolsByName.get(name), new HoneError('NOT_FOUND', `No tool named "${name}"`));
    const samples = await scrape();
    const known = new Set([...tools.map((tool) => tool.name), 'unknown']);
    for (const tool of labelValues(samples, 'hone_request', 'tool')) expect(known).toContain(tool);
    expect(sampleSum(samples, 'hone_requests_total', { face: 'rest', tool: 'unknown', outcome: 'not_found' })).toBe(HOSTILE_NAMES.length);
  });

  it('counts a failure once: the face does not count again what the pipeline counted', async () => {
    const tool = toolsByName.get('record_metric')!;
    const labels = { face: 'mcp', tool: 'record_metric', outcome: 'bad_request', status_class: '4xx' };
    const before = sampleSum(await scrape(), 'hone_requests_total', labels);
    const failure = new HoneError('BAD_REQUEST', 'value: required');
    observeCall({ face: 'mcp' }, tool, failure, performance.now());
    observeRefusal({ face: 'mcp' }, tool, failure);
    observeRefusal({ face: 'mcp' }, tool, new HoneError('BAD_REQUEST', 'another request'));
    const samples = await scrape();
    expect(sampleSum(samples, 'hone_requests_total', labels)).toBe(before + 2);
    expect(sampleSum(samples, 'hone_request_duration_seconds_count', { face: 'mcp', tool: 'record_metric', status_class: '4xx' })).toBe(
      before + 2,
    );
  });

  it('counts database errors by kind, each error once, and nothing that is not one', async () => {
    const before = await scrape();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', syscall: 'connect', errno: -111 });
    countDatabaseError(refused);
    countDatabaseError(refused);
    countDatabaseError(new Error('timeout exceeded when trying to connect'));
    countDatabaseError(new TypeError("Cannot read properties of undefined (reading 'id')"));
    const after = await scrape();
    const delta = (kind: string) =>
      sampleSum(after, 'hone_database_errors_total', { kind }) - sampleSum(before, 'hone_database_errors_total', { kind });
    expect([delta('unavailable'), delta('timeout'), delta('other')]).toEqual([1, 1, 0]);
  });

  it("counts an ingest batch's items by kind and outcome", async () => {
    const before = await scrape();
    observeIngestOutcomes({
      modelCalls: ['stored', 'stored', 'duplicate'],
      metrics: ['rejected'],
      bugReports: [],
      routeDecisions: [],
      routeOutcomes: [],
    });
    const after = await scrape();
    const grew = (kind: string, outcome: string) =>
      sampleSum(after, 'hone_ingest_items_total', { kind, outcome }) - sampleSum(before, 'hone_ingest_items_total', { kind, outcome });
    expect([grew('model_call', 'stored'), grew('model_call', 'duplicate'), grew('metric', 'rejected')]).toEqual([2, 1, 1]);
    expect(sampleSum(after, 'hone_ingest_items_total') - sampleSum(before, 'hone_ingest_items_total')).toBe(4);
  });

  it('starts the closed series at zero and carries the default process metrics under hone_', async () => {
    const samples = await scrape();
    expect(samples.filter((s) => s.name === 'hone_ingest_items_total')).toHaveLength(9);
    expect(samples.filter((s) => s.name === 'hone_routing_decisions_total')).toHaveLength(9);
    expect(samples.some((s) => s.name === 'hone_nodejs_eventloop_lag_p99_seconds')).toBe(true);
    expect(samples.some((s) => s.name === 'hone_process_cpu_user_seconds_total')).toBe(true);
    expect(samples.some((s) => s.name === 'hone_db_pool_clients')).toBe(false); // no database opened in this process
  });
});

describe('database error kinds', () => {
  const pgError = (code: string, message = 'failed') => Object.assign(new Error(message), { code, severity: 'ERROR' });
  /** Prisma's request error around the driver adapter's error, as a failed raw query reaches the server's code. */
  const viaPrisma = (prismaCode: string, cause: Record<string, unknown>) =>
    Object.assign(new Error('Raw query failed'), {
      name: 'PrismaClientKnownRequestError',
      code: prismaCode,
      meta: { driverAdapterError: Object.assign(new Error('adapter'), { name: 'DriverAdapterError', cause }) },
    });

  it.each([
    ['a refused connection', Object.assign(new Error('connect'), { code: 'ECONNREFUSED', syscall: 'connect' }), 'unavailable'],
    ['the server shutting down (57P01)', pgError('57P01', 'terminating connection due to administrator command'), 'unavailable'],
    ['a connection exception (08006)', pgError('08006'), 'unavailable'],
    ['a lost connection', new Error('Connection terminated unexpectedly'), 'unavailable'],
    ["Prisma's unreachable server (P1001)", Object.assign(new Error("Can't reach"), { code: 'P1001' }), 'unavailable'],
    ['an unreachable server inside a raw query error', viaPrisma('P2010', { kind: 'DatabaseNotReachable' }), 'unavailable'],
    ['a statement timeout (57014)', pgError('57014', 'canceling statement due to statement timeout'), 'timeout'],
    [
      'a statement timeout inside a raw query error',
      viaPrisma('P2010', { kind: 'postgres', code: '57014', originalCode: '57014' }),
      'timeout',
    ],
    ["the pool's wait", new Error('timeout exceeded when trying to connect'), 'timeout'],
    ["Prisma's pool timeout (P2024)", Object.assign(new Error('pool'), { code: 'P2024' }), 'timeout'],
    ['a connection that timed out', Object.assign(new Error('connect'), { code: 'ETIMEDOUT', syscall: 'connect' }), 'unavailable'],
    ['a division by zero (22012)', pgError('22012', 'division by zero'), 'other'],
    ['a unique violation through Prisma', viaPrisma('P2002', { kind: 'UniqueConstraintViolation' }), 'other'],
    ['a bare Prisma error', Object.assign(new Error('?'), { name: 'PrismaClientUnknownRequestError' }), 'other'],
    ['a bug in the code', new TypeError('x is not a function'), null],
    ['a HoneError', new HoneError('BAD_REQUEST', 'no'), null],
    ['a string', 'failed', null],
    [
      'a cause chain that loops',
      (() => {
        const a: Error & { cause?: unknown } = new Error('a');
        a.cause = a;
        return a;
      })(),
      null,
    ],
  ] as const)('%s: %s', (_what, error, kind) => {
    expect(databaseErrorKind(error)).toBe(kind);
  });
});

describe('the Grafana dashboard (docs/grafana/hone-dashboard.json)', () => {
  interface Panel {
    type: string;
    title: string;
    datasource?: { uid: string };
    targets?: { expr: string }[];
  }

  it('queries only series /api/metrics exposes, through the data source chosen in its variable', async () => {
    const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'docs/grafana/hone-dashboard.json'), 'utf8')) as {
      panels: Panel[];
      templating: { list: { name: string; type: string }[] };
    };
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource' }));
    const exposed = new Set(
      [...(await metricsExposition()).body.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) =>
        type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!],
      ),
    );
    const queried = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(queried.length).toBeGreaterThanOrEqual(12);
    for (const panel of queried) {
      expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const { expr } of panel.targets!) {
        const series = expr.match(/\bhone_\w+/g) ?? [];
        expect(series.length, `${panel.title}: ${expr}`).toBeGreaterThan(0);
        for (const name of series) expect(exposed, `${panel.title}: ${name}`).toContain(name);
      }
    }
  });
});
