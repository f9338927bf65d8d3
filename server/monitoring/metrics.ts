// Hone's Prometheus metrics (GET /api/metrics). Every label value comes from a closed set chosen by the code (a
// face, a registered tool's name, an error code, a routing layer): nothing a caller sends becomes a label, so no
// request can grow the number of series.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { databasePoolUsage } from '../db';
import { HTTP_STATUS, type HoneError, type HoneErrorCode } from '../errors';
import type { RoutingLayerValue } from '../schemas/routing';
import type { AnyTool } from '../tools/define';
import { DATABASE_ERROR_KINDS, databaseErrorKind } from './database-errors';
import { processWide } from '../process-wide';

/** Where a call came in: the REST routes, MCP, tRPC (the gateway's client), or the dashboard (its pages and their refreshes). */
export type Face = 'rest' | 'mcp' | 'trpc' | 'dashboard';

/** Which face a call came through and when its HTTP request arrived (performance.now()), for its latency. */
export interface CallOrigin {
  face: Face;
  /** Absent for in-process callers (tests, scripts): the call is timed from entering the pipeline. */
  receivedAt?: number;
}

export function callOrigin(face: Face): CallOrigin {
  return { face, receivedAt: performance.now() };
}

/** The tool label of a call whose tool is not known (a name no tool has, or a refusal before the tool was read). */
export const UNKNOWN_TOOL = 'unknown';

export type StatusClass = '2xx' | '4xx' | '5xx';

export interface RequestLabels {
  face: Face;
  tool: string;
  outcome: 'ok' | Lowercase<HoneErrorCode>;
  status_class: StatusClass;
}

/**
 * A call's labels. The tool is a tool object (a registry entry, or the download route's), never a name a caller
 * wrote: a face looks the name up first and passes what it found, or nothing.
 */
export function requestLabels(origin: CallOrigin, tool: AnyTool | undefined, failure: HoneError | null): RequestLabels {
  const code = failure && Object.hasOwn(HTTP_STATUS, failure.code) ? failure.code : failure ? 'INTERNAL_SERVER_ERROR' : null;
  const status = code ? HTTP_STATUS[code] : 200;
  return {
    face: origin.face,
    tool: tool?.name ?? UNKNOWN_TOOL,
    outcome: code ? (code.toLowerCase() as Lowercase<HoneErrorCode>) : 'ok',
    status_class: status >= 500 ? '5xx' : status >= 400 ? '4xx' : '2xx',
  };
}

export type IngestOutcome = 'stored' | 'duplicate' | 'rejected';
export type RouteOutcome = 'rule_hit' | 'no_match' | 'cut_off';

/** The kind label of each item list of an ingest batch. */
const INGEST_KINDS = {
  modelCalls: 'model_call',
  metrics: 'metric',
  bugReports: 'bug_report',
  routeDecisions: 'route_decision',
  routeOutcomes: 'route_outcome',
} as const;
const INGEST_OUTCOMES: readonly IngestOutcome[] = ['stored', 'duplicate', 'rejected'];
const ROUTING_LAYERS: readonly RoutingLayerValue[] = ['fast', 'balanced', 'deep'];
const ROUTE_OUTCOMES: readonly RouteOutcome[] = ['rule_hit', 'no_match', 'cut_off'];

// From a millisecond to half a minute: a cached read answers in a few ms, a big ingest batch or a slow match in seconds.
const LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

function createHoneMetrics() {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: 'hone_' });

  const requests = new Counter({
    name: 'hone_requests_total',
    help: 'Tool calls answered, by face, tool, outcome (ok or the error code) and status class; a tRPC batch counts each call, and a request refused before its tool was known counts under tool="unknown"',
    labelNames: ['face', 'tool', 'outcome', 'status_class'] as const,
    registers,
  });
  const requestDuration = new Histogram({
    name: 'hone_request_duration_seconds',
    help: "Time from a call's HTTP request arriving to its answer, by face, tool and status class",
    labelNames: ['face', 'tool', 'status_class'] as const,
    buckets: LATENCY_BUCKETS_SECONDS,
    registers,
  });
  const ingestItems = new Counter({
    name: 'hone_ingest_items_total',
    help: 'Items of ingest batches by kind and outcome: stored, duplicate (its eventId was already stored) or rejected (a bad item)',
    labelNames: ['kind', 'outcome'] as const,
    registers,
  });
  const routeDecisions = new Counter({
    name: 'hone_routing_decisions_total',
    help: 'Counted routing decisions (resolve_route without dryRun) by layer answered and outcome: a rule matched (rule_hit), none did (no_match), or matching was cut off (cut_off); the last two take the default layer',
    labelNames: ['layer', 'outcome'] as const,
    registers,
  });
  const databaseErrors = new Counter({
    name: 'hone_database_errors_total',
    help: 'Database failures that failed a call or the retention job, by kind: unavailable (unreachable, connection lost, shutting down), timeout, other',
    labelNames: ['kind'] as const,
    registers,
  });
  new Gauge({
    name: 'hone_db_pool_clients',
    help: "The PostgreSQL connection pool: connections open (total) and idle, queries waiting for a connection, the pool's maximum (absent on the embedded database)",
    labelNames: ['state'] as const,
    registers,
    collect() {
      this.reset();
      const usage = databasePoolUsage();
      if (!usage) return;
      for (const state of ['total', 'idle', 'waiting', 'max'] as const) this.set({ state }, usage[state]);
    },
  });

  // Series of closed label sets start at zero, so rate() sees their first increment.
  for (const kind of Object.values(INGEST_KINDS)) for (const outcome of INGEST_OUTCOMES) ingestItems.inc({ kind, outcome }, 0);
  for (const layer of ROUTING_LAYERS) for (const outcome of ROUTE_OUTCOMES) routeDecisions.inc({ layer, outcome }, 0);
  for (const kind of DATABASE_ERROR_KINDS) databaseErrors.inc({ kind }, 0);

  return { registry, requests, requestDuration, ingestItems, routeDecisions, databaseErrors };
}

type HoneMetrics = ReturnType<typeof createHoneMetrics>;

// Created on first use, once per process (process-wide.ts): one registry with one set of counts for every bundle.
function metrics(): HoneMetrics {
  return processWide('metrics', createHoneMetrics);
}

/** Failures the pipeline counted, so that the face which answers them does not count them a second time. */
const countedByPipeline = new WeakSet<HoneError>();

function record(origin: CallOrigin, tool: AnyTool | undefined, failure: HoneError | null, startedAt: number): void {
  const labels = requestLabels(origin, tool, failure);
  const { requests, requestDuration } = metrics();
  requests.inc(labels);
  requestDuration.observe(
    { face: labels.face, tool: labels.tool, status_class: labels.status_class },
    (performance.now() - startedAt) / 1000,
  );
}

/** The pipeline's count of one tool call, answered or refused (`failure` null for a result), and its latency since `startedAt`. */
export function observeCall(origin: CallOrigin, tool: AnyTool, failure: HoneError | null, startedAt: number): void {
  if (failure) countedByPipeline.add(failure);
  record(origin, tool, failure, startedAt);
}

/**
 * A face's count of a call it refused before or around the pipeline (a refused host, a tool name no tool has, a body
 * too large, the database failing before the call could start), under the tool when it is known. A failure that came
 * out of the pipeline was counted there and is not counted again.
 */
export function observeRefusal(origin: CallOrigin, tool: AnyTool | undefined, failure: HoneError): void {
  if (countedByPipeline.has(failure)) return;
  record(origin, tool, failure, origin.receivedAt ?? performance.now());
}

/** A routing decision that was counted (resolve_route without dryRun). */
export function observeRouteDecision(layer: RoutingLayerValue, outcome: RouteOutcome): void {
  metrics().routeDecisions.inc({ layer, outcome });
}

/** The outcomes of one ingest batch, item by item, as its answer lists them. */
export function observeIngestOutcomes(outcomes: Record<keyof typeof INGEST_KINDS, readonly IngestOutcome[]>): void {
  const { ingestItems } = metrics();
  for (const [list, kind] of Object.entries(INGEST_KINDS) as [keyof typeof INGEST_KINDS, string][]) {
    for (const outcome of INGEST_OUTCOMES) {
      const count = outcomes[list].filter((o) => o === outcome).length;
      if (count > 0) ingestItems.inc({ kind, outcome }, count);
    }
  }
}

/** Errors counted already: one failure can be presented several times (a tRPC batch whose context failed). */
const countedDatabaseErrors = new WeakSet<object>();

/** Counts `error` by kind when it is a database failure; anything else is not counted. */
export function countDatabaseError(error: unknown): void {
  const kind = databaseErrorKind(error);
  if (!kind) return;
  if (typeof error === 'object' && error !== null) {
    if (countedDatabaseErrors.has(error)) return;
    countedDatabaseErrors.add(error);
  }
  metrics().databaseErrors.inc({ kind });
}

/** The exposition: every Hone series and the process's default metrics, in Prometheus's text format. */
export async function metricsExposition(): Promise<{ contentType: string; body: string }> {
  const { registry } = metrics();
  return { contentType: registry.contentType, body: await registry.metrics() };
}
