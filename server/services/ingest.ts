import type { z } from 'zod';
import { openedDatabase, type PrismaClient, type SqlClient } from '../db/client';
import type { FieldIssue } from '../errors';
import { INGEST_ITEM_LISTS, type IngestInput, type IngestItemList, type ItemVerdict, type ModelCallItem } from '../schemas/ingest';
import { recordBugReports, type BugReport } from './bug-patterns';
import { insertMetrics, type MetricValue } from './metrics';
import { countClaimedModelCalls, countStagedModelCalls, stageModelCalls, type ModelCall } from './model-performance';
import { writeRouteDecisions } from './routing/decision-writer';
import { writeRouteOutcomes } from './routing/outcome-writer';
import { unknownDecisionMessage } from './routing/record-outcome';

export type ItemOutcome = 'stored' | 'duplicate' | 'rejected';

export interface IngestResult {
  stored: number;
  duplicates: number;
  rejected: number;
  /** One outcome per item, in the order sent. */
  outcomes: Record<IngestItemList, ItemOutcome[]>;
  /** Why each rejected item was rejected, e.g. path ['modelCalls', 3, 'latencyMs']. */
  errors: FieldIssue[];
}

export interface IngestOptions {
  /** How long a stored eventId makes the same id a duplicate (HONE_IDEMPOTENCY_WINDOW). */
  idempotencyWindowMs: number;
  /** The instant of items sent without `at`. */
  now?: Date;
}

/**
 * How a list's items are recorded in ingest_events (their eventIds are unique per kind) and written. Routing decisions
 * and outcomes have no eventId: the decisionId is their key.
 */
const KIND: Record<IngestItemList, string> = {
  modelCalls: 'modelCall',
  metrics: 'metric',
  bugReports: 'bugReport',
  routeDecisions: 'routeDecision',
  routeOutcomes: 'routeOutcome',
};

type Batch = z.output<typeof IngestInput>;

interface Candidate {
  list: IngestItemList;
  index: number;
  eventId: string | undefined;
}

/**
 * Stores a batch: each item checked on its own (a rejected item is reported with its index and field, the others
 * still stored), items whose eventId was stored within the idempotency window skipped as duplicates, the rest written
 * in ONE transaction with one set-based statement per kind. The eventIds are claimed first, in that transaction (a
 * model call's in the statement that stages it): a retry racing the original waits on their unique index and finds
 * them taken once the original commits, so it stores nothing twice; if the original fails, nothing of it is stored,
 * the claims included. A batch of model calls alone is one statement, without a transaction. Model calls are then
 * counted (foldPendingModelCalls) before the answer, in groups with other batches' calls, so concurrent batches do
 * not queue on the counter rows they share.
 */
export async function ingestBatch(
  prisma: PrismaClient,
  batch: Batch,
  { idempotencyWindowMs, now = new Date() }: IngestOptions,
): Promise<IngestResult> {
  const outcomes = Object.fromEntries(
    INGEST_ITEM_LISTS.map((list) => [list, (batch[list] ?? []).map((verdict) => (verdict.accepted ? 'stored' : 'rejected'))]),
  ) as IngestResult['outcomes'];
  const errors = INGEST_ITEM_LISTS.flatMap((list) => rejections(list, batch[list] ?? []));

  // An eventId seen earlier in the same batch: the later item is the duplicate. (A list holds one kind of item.)
  const candidates: Candidate[] = [];
  const calls: ModelCall[] = [];
  const callCandidates: Candidate[] = [];
  const atOf = (at: string | undefined) => (at ? new Date(at) : now);
  for (const list of INGEST_ITEM_LISTS) {
    const verdicts = batch[list];
    if (!verdicts?.length) continue;
    const claimed = new Set<string>();
    verdicts.forEach((verdict, index) => {
      if (!verdict.accepted) return;
      const eventId = 'eventId' in verdict.item ? verdict.item.eventId : undefined;
      if (eventId !== undefined) {
        if (claimed.has(eventId)) return void (outcomes[list][index] = 'duplicate');
        claimed.add(eventId);
      }
      const candidate = { list, index, eventId };
      candidates.push(candidate);
      if (list !== 'modelCalls') return;
      callCandidates.push(candidate);
      const { modelId, taskType, success, latencyMs, cost, at } = verdict.item as z.output<typeof ModelCallItem>;
      calls.push({ modelId, taskType, success, latencyMs, cost, at: atOf(at), eventId });
    });
  }

  let stagedThrough = 0n;
  const claims = { kind: KIND.modelCalls, windowMs: idempotencyWindowMs };
  const oneStatementAtATime = openedDatabase(prisma)?.target.kind === 'pglite';
  const stageCalls = async (db: SqlClient) => {
    let repeated: Set<string>;
    if (oneStatementAtATime) repeated = await countClaimedModelCalls(db, calls, claims);
    else ({ repeatedEventIds: repeated, stagedThrough } = await stageModelCalls(db, calls, claims));
    if (repeated.size === 0) return;
    for (const c of callCandidates) {
      if (c.eventId !== undefined && repeated.has(c.eventId)) outcomes.modelCalls[c.index] = 'duplicate';
    }
  };
  const otherCandidates = candidates.filter((c) => c.list !== 'modelCalls');
  if (otherCandidates.length === 0) {
    // Model calls alone, a gateway's usual batch: staged in one statement, atomic without a transaction.
    if (calls.length > 0) await stageCalls(prisma);
  } else {
    await prisma.$transaction(async (tx) => {
      const fresh = await claimEventIds(
        tx,
        otherCandidates.filter((c) => c.eventId !== undefined),
        idempotencyWindowMs,
      );
      const toStore = otherCandidates.filter((c) => c.eventId === undefined || fresh.has(JSON.stringify([KIND[c.list], c.eventId])));
      const storing = new Set(toStore);
      for (const c of otherCandidates) if (!storing.has(c)) outcomes[c.list][c.index] = 'duplicate';
      const { duplicates, unknownDecisions } = await writeItems(tx, batch, toStore, atOf);
      for (const c of duplicates) outcomes[c.list][c.index] = 'duplicate';
      for (const c of unknownDecisions) {
        outcomes[c.list][c.index] = 'rejected';
        errors.push({ path: [c.list, c.index, 'decisionId'], message: unknownDecisionMessage(c.decisionId) });
      }
      await stageCalls(tx);
    }, TRANSACTION_OPTIONS);
  }
  // Counted once staged, outside the transaction (see foldPendingModelCalls). A batch whose calls were all repeats
  // (say, the retry of a batch whose server died before counting it) folds what is pending: once it answers, the calls
  // it acknowledges are counted.
  if (calls.length > 0 && !oneStatementAtATime) await countStagedModelCalls(prisma, stagedThrough > 0n ? stagedThrough : undefined);

  const counts: Record<ItemOutcome, number> = { stored: 0, duplicate: 0, rejected: 0 };
  for (const list of INGEST_ITEM_LISTS) for (const outcome of outcomes[list]) counts[outcome]++;
  return { stored: counts.stored, duplicates: counts.duplicate, rejected: counts.rejected, outcomes, errors };
}

/**
 * Waiting for a connection and running the batch may take a while on a busy server (a batch of thousands of items,
 * or a retry waiting on its racing original): more than Prisma's defaults (2 s, 5 s), still bounded.
 */
const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 30_000 };

function rejections(list: IngestItemList, verdicts: readonly ItemVerdict<unknown>[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  verdicts.forEach((verdict, index) => {
    if (!verdict.accepted) for (const issue of verdict.issues) issues.push({ path: [list, index, ...issue.path], message: issue.message });
  });
  return issues;
}

/**
 * Records the candidates' eventIds, answering those that were free: new, or stored longer ago than the window (such
 * a row is taken over). Sorted, so two batches sharing ids claim them in one order and cannot deadlock.
 */
async function claimEventIds(tx: SqlClient, candidates: readonly Candidate[], windowMs: number): Promise<Set<string>> {
  if (candidates.length === 0) return new Set();
  const claims = candidates.map((c) => ({ kind: KIND[c.list], eventId: c.eventId! }));
  claims.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
  const rows = await tx.$queryRaw<{ kind: string; event_id: string }[]>`
    INSERT INTO ingest_events AS e (kind, event_id)
    SELECT kind, event_id FROM unnest(${claims.map((c) => c.kind)}::text[], ${claims.map((c) => c.eventId)}::text[])
                                WITH ORDINALITY AS u(kind, event_id, n)
    ORDER BY n
    ON CONFLICT (kind, event_id) DO UPDATE SET received_at = EXCLUDED.received_at
      WHERE e.received_at < now() - ${windowMs}::float8 * interval '1 millisecond'
    RETURNING e.kind, e.event_id`;
  return new Set(rows.map((row) => JSON.stringify([row.kind, row.event_id])));
}

/**
 * The items to store other than model calls, one statement per kind that has any; routing decisions before outcomes, so an outcome may follow
 * its decision in the same batch. Answers the items found to be duplicates (a decisionId already stored, an outcome
 * already reported) and the outcomes whose decision is unknown.
 */
async function writeItems(
  tx: SqlClient,
  batch: Batch,
  items: readonly Candidate[],
  atOf: (at: string | undefined) => Date,
): Promise<{ duplicates: Candidate[]; unknownDecisions: (Candidate & { decisionId: string })[] }> {
  const indexes = (list: IngestItemList) => new Set(items.filter((c) => c.list === list).map((c) => c.index));
  await insertMetrics(
    tx,
    acceptedItems(batch.metrics, indexes('metrics')).map((m): MetricValue => ({
      name: m.metricName,
      value: m.metricValue,
      unit: m.metricUnit,
      context: m.context,
      recordedAt: atOf(m.at),
    })),
  );
  await recordBugReports(
    tx,
    acceptedItems(batch.bugReports, indexes('bugReports')).map((report): BugReport => ({ ...report, at: atOf(report.at) })),
  );

  const duplicates: Candidate[] = [];
  const decisionItems = candidatesWithItems(batch.routeDecisions, items, 'routeDecisions');
  const { storedIds } = await writeRouteDecisions(
    tx,
    decisionItems.map(({ item }) => ({ ...item, at: atOf(item.at), taskType: item.taskType ?? '' })),
  );
  // Within the batch, the first of a repeated decisionId is the one stored: the later ones are duplicates.
  for (const { candidate, item } of decisionItems) {
    if (!storedIds.delete(item.decisionId.toLowerCase())) duplicates.push(candidate);
  }

  const outcomeItems = candidatesWithItems(batch.routeOutcomes, items, 'routeOutcomes');
  const verdicts = await writeRouteOutcomes(
    tx,
    outcomeItems.map(({ item }) => item),
  );
  const unknownDecisions: (Candidate & { decisionId: string })[] = [];
  verdicts.forEach((verdict, k) => {
    const { candidate, item } = outcomeItems[k]!;
    if (verdict.status === 'duplicate') duplicates.push(candidate);
    if (verdict.status === 'unknown') unknownDecisions.push({ ...candidate, decisionId: item.decisionId.toLowerCase() });
  });
  return { duplicates, unknownDecisions };
}

/** The accepted items of a list that are to be stored, with their candidate (for their outcome). */
function candidatesWithItems<Item>(
  verdicts: readonly ItemVerdict<Item>[] | undefined,
  items: readonly Candidate[],
  list: IngestItemList,
): { candidate: Candidate; item: Item }[] {
  return items.flatMap((candidate) => {
    const verdict = candidate.list === list ? verdicts?.[candidate.index] : undefined;
    return verdict?.accepted ? [{ candidate, item: verdict.item }] : [];
  });
}

function acceptedItems<Item>(verdicts: readonly ItemVerdict<Item>[] | undefined, indexes: ReadonlySet<number>): Item[] {
  return (verdicts ?? []).flatMap((verdict, index) => (verdict.accepted && indexes.has(index) ? [verdict.item] : []));
}
