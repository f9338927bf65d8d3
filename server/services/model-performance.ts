import type { z } from 'zod';
import type { PrismaClient, SqlClient } from '../db/client';
import { Prisma, type ModelPerformance } from '../db/generated/client';
import type { UpdateModelPerformanceInput } from '../schemas/model-performance';
import { scheduleRepeating } from './background-job';
import { LATENCY_BUCKET_COUNT, latencyBucketIndex } from './latency-histogram';
import type { ModelFigures } from './model-analysis';
import { MAX_LISTED } from './pagination';

/** A (model, task type)'s lifetime figures (model_performance), in the one shape of a model's figures. */
export interface ModelPerformanceDto extends ModelFigures {
  firstCallAt: string;
  lastCallAt: string;
}

export function toModelPerformanceDto(row: ModelPerformance): ModelPerformanceDto {
  return {
    modelId: row.modelId,
    taskType: row.taskType,
    totalCalls: Number(row.totalCalls),
    successes: Number(row.successes),
    successRate: row.successRate,
    avgLatencyMs: row.avgLatencyMs,
    avgCost: row.avgCost,
    totalCost: row.costSum,
    firstCallAt: row.firstCallAt.toISOString(),
    lastCallAt: row.lastCallAt.toISOString(),
  };
}

/** One model call to count: what update_model_performance and ingest take, with the instant it happened. */
export interface ModelCall {
  modelId: string;
  taskType: string;
  success: boolean;
  latencyMs: number;
  cost: number;
  at: Date;
  /** The client's id of the call (ingest): counted once however often it is sent within the idempotency window. */
  eventId?: string;
}

const HOUR_MS = 3_600_000;

/** The start of the UTC hour an instant falls in (the hourly rollup's key). */
const hourStart = (time: number) => Math.floor(time / HOUR_MS) * HOUR_MS;
export const hourOf = (at: Date) => new Date(hourStart(at.getTime()));

/** How calls with an eventId are told from repeats: ingest_events' kind for them, and how long a stored id counts. */
export interface ModelCallClaims {
  /** Calls whose eventId is stored under this kind within the window are repeats: not counted. */
  kind: string;
  windowMs: number;
}

/**
 * A PostgreSQL array literal (`{a,"b c",NULL}`) of texts: an element quoted (`"` and `\` escaped) when PostgreSQL's
 * array input would otherwise read it differently, null as NULL. A batch's column goes to the database as ONE text
 * parameter, which the statement's `::text[]` cast reads, instead of an array whose every element the client would
 * check, convert and escape again (about a third of the server's CPU for a batch of 1,000 calls). The statement and
 * the values it receives are the same.
 */
function textArrayLiteral(values: readonly (string | null)[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (i > 0) literal += ',';
    if (value === null) literal += 'NULL';
    else if (!NEEDS_QUOTES.test(value)) literal += value;
    else literal += `"${value.replace(/["\\]/g, '\\$&')}"`;
  }
  return `${literal}}`;
}

/** What an unquoted array element cannot be: empty, NULL (any case), or holding a delimiter, brace, quote, backslash or space. */
const NEEDS_QUOTES = /^$|^null$|[{}",\\\s]/i;

/** A PostgreSQL array literal of finite numbers or booleans (as JavaScript writes them, which PostgreSQL reads). */
const plainArrayLiteral = (values: readonly (number | boolean)[]) => `{${values.join(',')}}`;

/**
 * The ISO text of instants, remembered by their time: a batch's calls mostly share a few instants (those sent without
 * `at` all have the server's one) and very few hours, and toISOString is the dearest step of a call's columns.
 */
function isoTexts() {
  const texts = new Map<number, string>();
  return (time: number) => {
    let text = texts.get(time);
    if (text === undefined) texts.set(time, (text = new Date(time).toISOString()));
    return text;
  };
}

/**
 * CTEs over the given calls: `input` (one row per call), `claimed` (the eventIds claimed in ingest_events: free, or
 * stored longer ago than the window, which is then taken over; sorted, so racing batches cannot deadlock), `counted`
 * (the calls whose id was claimed or who have none) and `hourly_rows` (their sums per model, task type and hour of
 * `at`, in the columns of model_call_pending: each call's latency bucket listed, the histogram built when counted).
 * Each column is one array literal parameter (textArrayLiteral).
 */
function countedCalls(calls: readonly ModelCall[], claims: ModelCallClaims): Prisma.Sql {
  const iso = isoTexts();
  const n = calls.length;
  const modelIds = new Array<string>(n);
  const taskTypes = new Array<string>(n);
  const hours = new Array<string>(n);
  const successes = new Array<boolean>(n);
  const latencies = new Array<number>(n);
  const costs = new Array<number>(n);
  const buckets = new Array<number>(n);
  const ats = new Array<string>(n);
  const eventIds = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    const c = calls[i]!;
    const time = c.at.getTime();
    modelIds[i] = c.modelId;
    taskTypes[i] = c.taskType;
    hours[i] = iso(hourStart(time));
    successes[i] = c.success;
    latencies[i] = c.latencyMs;
    costs[i] = c.cost;
    buckets[i] = latencyBucketIndex(c.latencyMs);
    ats[i] = iso(time);
    eventIds[i] = c.eventId ?? null;
  }
  return Prisma.sql`
    input AS (
      SELECT * FROM unnest(${textArrayLiteral(modelIds)}::text[], ${textArrayLiteral(taskTypes)}::text[],
                           ${textArrayLiteral(hours)}::timestamptz[], ${plainArrayLiteral(successes)}::boolean[],
                           ${plainArrayLiteral(latencies)}::float8[], ${plainArrayLiteral(costs)}::float8[],
                           ${plainArrayLiteral(buckets)}::int[], ${textArrayLiteral(ats)}::timestamptz[],
                           ${textArrayLiteral(eventIds)}::text[])
           AS u(model_id, task_type, hour, success, latency_ms, cost, bucket, at, event_id)
    ), claimed AS (
      INSERT INTO ingest_events AS e (kind, event_id)
      SELECT ${claims.kind}, event_id FROM input WHERE event_id IS NOT NULL ORDER BY event_id
      ON CONFLICT (kind, event_id) DO UPDATE SET received_at = EXCLUDED.received_at
        WHERE e.received_at < now() - ${claims.windowMs}::float8 * interval '1 millisecond'
      RETURNING e.event_id
    ), counted AS (
      SELECT * FROM input WHERE event_id IS NULL OR event_id IN (SELECT event_id FROM claimed)
    ), hourly_rows AS (
      SELECT model_id, task_type, hour, count(*)::int AS calls, (count(*) FILTER (WHERE success))::int AS successes,
             sum(latency_ms) AS latency_sum_ms, min(latency_ms) AS latency_min_ms, max(latency_ms) AS latency_max_ms,
             sum(cost) AS cost_sum, array_agg(bucket) AS call_buckets, min(at) AS first_at, max(at) AS last_at
      FROM counted
      GROUP BY model_id, task_type, hour
    )`;
}

/** An upsert's SET list adding EXCLUDED's figures to the rollup row (model_call_hourly or _daily) aliased `row`. */
const addedToRollupRow = (row: 'h' | 'd') =>
  Prisma.raw(`
    calls = ${row}.calls + EXCLUDED.calls,
    successes = ${row}.successes + EXCLUDED.successes,
    latency_sum_ms = ${row}.latency_sum_ms + EXCLUDED.latency_sum_ms,
    latency_min_ms = LEAST(${row}.latency_min_ms, EXCLUDED.latency_min_ms),
    latency_max_ms = GREATEST(${row}.latency_max_ms, EXCLUDED.latency_max_ms),
    cost_sum = ${row}.cost_sum + EXCLUDED.cost_sum,
    latency_buckets = ARRAY(SELECT stored + added
                            FROM unnest(${row}.latency_buckets, EXCLUDED.latency_buckets) WITH ORDINALITY AS b(stored, added, i)
                            ORDER BY i)`);

/**
 * The one statement that adds calls to the counters, from `hourly_rows` (columns of model_call_pending, one row per
 * model, task type and hour), which `sources` (CTEs) define: upserted into the hourly rollup (the calls' latency
 * buckets made a histogram and merged bucket by bucket), summed per day into the daily one, and summed per model and
 * task type into the lifetime totals, whose rate and averages are computed from the updated counts and sums, so they
 * are always exact. Every model-call writer locks hourly rows, then daily, then lifetime (the totals wait for the
 * daily upsert, which waits for the hourly one: a data-modifying CTE otherwise runs in no set order), each table's
 * rows in key order, as count_model_call does too: concurrent writers serialise on the rows and never deadlock.
 * `answer` is the statement's SELECT (the CTE `totals` holds the lifetime rows touched).
 */
function addToCounters(sources: Prisma.Sql, answer: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    WITH ${sources}, keyed AS (
      SELECT r.*, row_number() OVER (ORDER BY model_id, task_type, hour) AS key FROM hourly_rows r
    ), slot_counts AS (
      -- A histogram slot per (row, bucket) as one integer, so that the dense histograms take one hash join.
      SELECT k.key * ${LATENCY_BUCKET_COUNT} + b.bucket AS slot, count(*)::int AS n
      FROM keyed k, unnest(k.call_buckets) AS b(bucket)
      GROUP BY 1
    ), histograms AS (
      SELECT k.key, array_agg(coalesce(s.n, 0) ORDER BY g.bucket) AS latency_buckets
      FROM keyed k
      CROSS JOIN generate_series(0, ${LATENCY_BUCKET_COUNT - 1}) AS g(bucket)
      LEFT JOIN slot_counts s ON s.slot = k.key * ${LATENCY_BUCKET_COUNT} + g.bucket
      GROUP BY k.key
    ), hourly AS (
      INSERT INTO model_call_hourly AS h
        (model_id, task_type, hour, calls, successes, latency_sum_ms, latency_min_ms, latency_max_ms, cost_sum, latency_buckets)
      SELECT k.model_id, k.task_type, k.hour, k.calls, k.successes, k.latency_sum_ms, k.latency_min_ms, k.latency_max_ms,
             k.cost_sum, g.latency_buckets
      FROM keyed k JOIN histograms g ON g.key = k.key
      ORDER BY k.model_id, k.task_type, k.hour
      ON CONFLICT (model_id, task_type, hour) DO UPDATE SET ${addedToRollupRow('h')}
      RETURNING 1
    ), daily AS (
      INSERT INTO model_call_daily AS d
        (model_id, task_type, day, calls, successes, latency_sum_ms, latency_min_ms, latency_max_ms, cost_sum, latency_buckets)
      SELECT k.model_id, k.task_type, date_bin('1 day', k.hour, '2000-01-01 00:00:00+00'), sum(k.calls), sum(k.successes),
             sum(k.latency_sum_ms), min(k.latency_min_ms), max(k.latency_max_ms), sum(k.cost_sum),
             int_array_sum(g.latency_buckets, 1)
      FROM keyed k JOIN histograms g ON g.key = k.key
      WHERE (SELECT count(*) FROM hourly) > 0
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
      ON CONFLICT (model_id, task_type, day) DO UPDATE SET ${addedToRollupRow('d')}
      RETURNING 1
    ), totals AS (
      INSERT INTO model_performance AS m
        (model_id, task_type, total_calls, successes, latency_sum_ms, cost_sum, success_rate, avg_latency_ms, avg_cost,
         first_call_at, last_call_at)
      SELECT model_id, task_type, sum(calls), sum(successes), sum(latency_sum_ms), sum(cost_sum),
             (sum(successes) * 100)::float8 / sum(calls), sum(latency_sum_ms) / sum(calls), sum(cost_sum) / sum(calls),
             min(first_at), max(last_at)
      FROM hourly_rows
      WHERE (SELECT count(*) FROM daily) > 0
      GROUP BY model_id, task_type
      ORDER BY model_id, task_type
      ON CONFLICT (model_id, task_type) DO UPDATE SET
        total_calls = m.total_calls + EXCLUDED.total_calls,
        successes = m.successes + EXCLUDED.successes,
        latency_sum_ms = m.latency_sum_ms + EXCLUDED.latency_sum_ms,
        cost_sum = m.cost_sum + EXCLUDED.cost_sum,
        success_rate = ((m.successes + EXCLUDED.successes) * 100)::float8 / (m.total_calls + EXCLUDED.total_calls),
        avg_latency_ms = (m.latency_sum_ms + EXCLUDED.latency_sum_ms) / (m.total_calls + EXCLUDED.total_calls),
        avg_cost = (m.cost_sum + EXCLUDED.cost_sum) / (m.total_calls + EXCLUDED.total_calls),
        first_call_at = LEAST(m.first_call_at, EXCLUDED.first_call_at),
        last_call_at = GREATEST(m.last_call_at, EXCLUDED.last_call_at)
      RETURNING m.*
    )
    ${answer}`;
}

/** Calls without eventIds claim nothing: the kind and window of their (empty) claims do not matter. */
const NO_CLAIMS: ModelCallClaims = { kind: 'modelCall', windowMs: 0 };

/**
 * Counts model calls, any number, in ONE statement, straight into the counters: the statement ingest counts a batch
 * with where statements run one at a time (countClaimedModelCalls), with nothing to claim. Their eventIds are ignored.
 */
export async function recordModelCalls(db: SqlClient, calls: readonly ModelCall[]): Promise<void> {
  await countClaimedModelCalls(
    db,
    calls.map((call) => ({ ...call, eventId: undefined })),
    NO_CLAIMS,
  );
}

/** model_performance's columns under the names of its Prisma model. */
const MODEL_PERFORMANCE_FIELDS = Prisma.sql`
  id, model_id AS "modelId", task_type AS "taskType", success_rate AS "successRate", avg_latency_ms AS "avgLatencyMs",
  avg_cost AS "avgCost", total_calls AS "totalCalls", successes, latency_sum_ms AS "latencySumMs", cost_sum AS "costSum",
  first_call_at AS "firstCallAt", last_call_at AS "lastCallAt"`;

/**
 * Counts ONE call, as recordModelCalls would, through the database function count_model_call (migration
 * 20261126171500_model_call_counting): the same rows, for about a fifth of the database's work (its plans are made
 * once per connection, and it adds one to the call's latency bucket instead of merging whole histograms).
 * update_model_performance's path; answers the call's lifetime row.
 */
export async function countModelCall(db: SqlClient, call: ModelCall): Promise<ModelPerformance> {
  const [row] = await db.$queryRaw<ModelPerformance[]>`
    SELECT ${MODEL_PERFORMANCE_FIELDS}
    FROM count_model_call(${call.modelId}, ${call.taskType}, ${hourOf(call.at)}::timestamptz, ${call.success},
                          ${call.latencyMs}::float8, ${call.cost}::float8, ${latencyBucketIndex(call.latencyMs)}::int,
                          ${LATENCY_BUCKET_COUNT}::int, ${call.at}::timestamptz)`;
  return row!;
}

/**
 * The eventIds of `input` whose claim failed: stored within the window, so their calls are repeats. Answered instead of
 * the ids claimed, which are nearly all of them: a batch of 1,000 fresh calls answers an empty list, not 1,000 ids.
 */
const REPEATED_EVENT_IDS = Prisma.sql`
  SELECT event_id FROM input WHERE event_id IS NOT NULL AND event_id NOT IN (SELECT event_id FROM claimed)`;

/**
 * Stages an ingest batch's model calls in ONE statement: their eventIds claimed under `claims`, the calls whose id
 * was free (or who have none) appended to model_call_pending, summed per (model, task type, hour): a plain insert that
 * takes no lock another batch waits on, atomic without a transaction. foldPendingModelCalls then counts them. Answers
 * the eventIds not claimed (their calls were repeats, not staged) and the highest pending id written (0n: none).
 */
export async function stageModelCalls(
  db: SqlClient,
  calls: readonly ModelCall[],
  claims: ModelCallClaims,
): Promise<{ repeatedEventIds: Set<string>; stagedThrough: bigint }> {
  if (calls.length === 0) return { repeatedEventIds: new Set(), stagedThrough: 0n };
  const [row] = await db.$queryRaw<{ repeated: string[] | null; last: bigint | null }[]>`
    WITH ${countedCalls(calls, claims)}, staged AS (
      INSERT INTO model_call_pending
        (model_id, task_type, hour, calls, successes, latency_sum_ms, latency_min_ms, latency_max_ms, cost_sum,
         call_buckets, first_at, last_at)
      SELECT * FROM hourly_rows
      RETURNING id
    )
    SELECT ARRAY(${REPEATED_EVENT_IDS}) AS repeated, (SELECT max(id) FROM staged) AS last`;
  return { repeatedEventIds: new Set(row?.repeated ?? []), stagedThrough: row?.last ?? 0n };
}

/**
 * Counts an ingest batch's model calls straight into the counters in ONE statement, their eventIds claimed under
 * `claims` in it, and answers the eventIds not claimed (repeats). For a database that runs one statement at a time
 * (PGlite): batches cannot queue on the counter rows there, so staging them would only cost a statement more.
 */
export async function countClaimedModelCalls(db: SqlClient, calls: readonly ModelCall[], claims: ModelCallClaims): Promise<Set<string>> {
  if (calls.length === 0) return new Set();
  const rows = await db.$queryRaw<{ eventId: string }[]>(
    addToCounters(countedCalls(calls, claims), Prisma.sql`SELECT event_id AS "eventId" FROM (${REPEATED_EVENT_IDS}) AS r`),
  );
  return new Set(rows.map((row) => row.eventId));
}

/** Most pending rows one fold statement takes: bounds its locks and its memory; a fold loops for the rest. */
const FOLD_ROWS = 5_000;

/**
 * Counts pending model calls (model_call_pending) into the counters, in statements that each delete the rows they
 * fold and add their sums (addToCounters) atomically: a row is counted exactly once, whoever folds it and whatever
 * crashes. Rows another fold holds are waited for (FOR UPDATE, in id order: no deadlock); once that fold commits they
 * are gone, and this one takes everything else committed by then. So concurrent batches fold in groups, one statement
 * per group, instead of queueing one by one on the shared counter rows. It answers once every row up to `through` is
 * counted, by this fold or a racing one: a batch acknowledged to its client is visible to every read. Without
 * `through`, it folds what is pending when it starts (the background job, and batches that staged nothing new). Runs
 * outside any transaction: each statement commits at once, so the counter rows' locks are held for one statement,
 * never across a round trip.
 */
export async function foldPendingModelCalls(db: SqlClient, through?: bigint): Promise<void> {
  let last = through;
  if (last === undefined) {
    const [row] = await db.$queryRaw<{ last: bigint | null }[]>`SELECT max(id) AS last FROM model_call_pending`;
    if (row?.last === null || row?.last === undefined) return;
    last = row.last;
  }
  for (;;) {
    const [folded] = await db.$queryRaw<{ rows: number }[]>(
      addToCounters(
        Prisma.sql`
          taken AS (
            DELETE FROM model_call_pending
            WHERE id IN (SELECT id FROM model_call_pending WHERE id <= ${last}::bigint ORDER BY id LIMIT ${FOLD_ROWS}
                         FOR UPDATE)
            RETURNING *
          ), bucket_lists AS (
            SELECT t.model_id, t.task_type, t.hour, array_agg(b.bucket) AS call_buckets
            FROM taken t, unnest(t.call_buckets) AS b(bucket)
            GROUP BY t.model_id, t.task_type, t.hour
          ), hourly_rows AS (
            SELECT t.model_id, t.task_type, t.hour, sum(t.calls)::int AS calls, sum(t.successes)::int AS successes,
                   sum(t.latency_sum_ms) AS latency_sum_ms, min(t.latency_min_ms) AS latency_min_ms,
                   max(t.latency_max_ms) AS latency_max_ms, sum(t.cost_sum) AS cost_sum, min(l.call_buckets) AS call_buckets,
                   min(t.first_at) AS first_at, max(t.last_at) AS last_at
            FROM taken t
            JOIN bucket_lists l ON (l.model_id, l.task_type, l.hour) = (t.model_id, t.task_type, t.hour)
            GROUP BY t.model_id, t.task_type, t.hour
          )`,
        Prisma.sql`SELECT count(*)::int AS rows FROM taken`,
      ),
    );
    // A full statement's worth: more rows up to `last` may be left.
    if ((folded?.rows ?? 0) < FOLD_ROWS) return;
  }
}

/**
 * Sets each day of model_call_daily to the sum of its hours in model_call_hourly, in one statement: for loads that
 * write hourly rows directly instead of counting calls (the demo data, the analytics benchmark, test fixtures), since
 * only the counting statements add to the days. Days keep what they held for hours no longer stored: none are deleted.
 */
export async function rollUpModelCallDays(db: SqlClient): Promise<void> {
  await db.$executeRaw`
    INSERT INTO model_call_daily AS d
      (model_id, task_type, day, calls, successes, latency_sum_ms, latency_min_ms, latency_max_ms, cost_sum, latency_buckets)
    SELECT model_id, task_type, date_bin('1 day', hour, '2000-01-01 00:00:00+00'), sum(calls), sum(successes),
           sum(latency_sum_ms), min(latency_min_ms), max(latency_max_ms), sum(cost_sum), int_array_sum(latency_buckets, 1)
    FROM model_call_hourly
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (model_id, task_type, day) DO UPDATE SET
      calls = EXCLUDED.calls, successes = EXCLUDED.successes, latency_sum_ms = EXCLUDED.latency_sum_ms,
      latency_min_ms = EXCLUDED.latency_min_ms, latency_max_ms = EXCLUDED.latency_max_ms, cost_sum = EXCLUDED.cost_sum,
      latency_buckets = EXCLUDED.latency_buckets`;
}

/** Counts one call, now (update_model_performance). */
export async function updateModelPerformance(
  prisma: PrismaClient,
  input: z.output<typeof UpdateModelPerformanceInput>,
): Promise<ModelPerformanceDto> {
  return toModelPerformanceDto(await countModelCall(prisma, { ...input, at: new Date() }));
}

/** The task types with recorded calls, alphabetically: the first MAX_LISTED. */
export async function listTaskTypes(prisma: PrismaClient): Promise<string[]> {
  const rows = await prisma.modelPerformance.groupBy({ by: ['taskType'], orderBy: { taskType: 'asc' }, take: MAX_LISTED });
  return rows.map((r) => r.taskType);
}

/** One client's folds: the one running, and the next, which the batches that staged meanwhile wait for together. */
interface FoldQueue {
  running: Promise<void> | null;
  next: { through: bigint | undefined; done: Promise<void> } | null;
}
const foldQueues = new WeakMap<SqlClient, FoldQueue>();

/**
 * Counts what a batch staged (foldPendingModelCalls up to `through`), one fold at a time per client: a batch that
 * stages while a fold runs (it may have begun before the batch committed) waits for the next one, which starts when
 * the running one ends and counts every batch that queued for it. Under load, one fold statement then serves many
 * batches of this server instead of one each; between servers, foldPendingModelCalls' row locks keep it exact.
 */
export function countStagedModelCalls(db: SqlClient, through: bigint | undefined): Promise<void> {
  let queue = foldQueues.get(db);
  if (!queue) foldQueues.set(db, (queue = { running: null, next: null }));
  const fold = (upTo: bigint | undefined) => {
    const run = foldPendingModelCalls(db, upTo);
    queue.running = run;
    const clear = () => {
      if (queue.running === run) queue.running = null;
    };
    run.then(clear, clear);
    return run;
  };
  if (!queue.running) return fold(through);
  if (queue.next) {
    // Without a bound, the next fold counts everything pending when it starts.
    const { next } = queue;
    next.through = next.through === undefined || through === undefined ? undefined : next.through > through ? next.through : through;
    return next.done;
  }
  const next: NonNullable<FoldQueue['next']> = { through, done: Promise.resolve() };
  const start = () => {
    queue.next = null;
    return fold(next.through);
  };
  // The next fold starts whether the running one succeeded or failed (its own callers have its error).
  next.done = queue.running.then(start, start);
  queue.next = next;
  return next.done;
}

/**
 * Folds, every `intervalMs`, what ingest batches staged and did not fold: a server that died between a batch's stage
 * and its fold leaves its calls pending until then (or until any batch of model calls reaches any server).
 */
export function schedulePendingModelCallFold(prisma: PrismaClient, { intervalMs }: { intervalMs: number }): () => void {
  return scheduleRepeating(() => foldPendingModelCalls(prisma), {
    firstDelayMs: 1_000,
    intervalMs,
    failure: 'counting pending model calls failed',
  });
}
