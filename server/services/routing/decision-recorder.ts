/**
 * Server-side decisions are counted in memory and written in batches: resolve_route never waits for a database write.
 * Each database client has a queue; the first decision queued starts a timer (unref'd: it never keeps a process
 * alive), and the queue is written through the one set-based writer (decision-writer.ts, which ingest uses too) at
 * least every second. A failed write puts the decisions back for the next attempt. What a crash can lose: the
 * decisions of the last flush interval (and those queued while the database was unreachable, up to MAX_PENDING).
 */
import type { PrismaClient } from '../../db/client';
import { env } from '../../env';
import { processWide } from '../../process-wide';
import { recordRouteDecisions, type RouteDecisionRecord } from './decision-writer';
import { boundedInput } from './engine';

/** How long a decision waits in memory at most before its write starts. */
export const FLUSH_INTERVAL_MS = 500;

/** Decisions kept while the database cannot take them; beyond this the oldest are dropped (and said so). */
const MAX_PENDING = 100_000;

const HOUR_MS = 3_600_000;

interface Recorder {
  pending: RouteDecisionRecord[];
  timer: NodeJS.Timeout | undefined;
  flushing: Promise<void> | undefined;
  /** Inputs offered as samples in the current hour: no more than the hour's cap is held in memory. */
  sampleHour: number;
  samplesOffered: number;
  dropped: number;
}

// A Map, not a WeakMap: shutdown flushes every queue. A recorder is forgotten once it has nothing left to write.
// Process-wide, so the shutdown flush reaches the queues of every bundle and the hour's sample cap is counted once.
const recorders = () => processWide('routeDecisionRecorders', () => new Map<PrismaClient, Recorder>());

function recorderOf(prisma: PrismaClient): Recorder {
  let recorder = recorders().get(prisma);
  if (!recorder) {
    recorder = { pending: [], timer: undefined, flushing: undefined, sampleHour: -1, samplesOffered: 0, dropped: 0 };
    recorders().set(prisma, recorder);
  }
  return recorder;
}

/**
 * Queues a decision for counting. `input`, when given, is kept (bounded to the prefix rules look at) as a sample for
 * replay while the hour's sample cap is not reached and HONE_STORE_DECISION_INPUTS is on; the writer enforces the
 * cap across processes.
 */
export function recordRouteDecision(prisma: PrismaClient, decision: Omit<RouteDecisionRecord, 'input'>, input?: string): void {
  const recorder = recorderOf(prisma);
  const config = env();
  let sample: string | undefined;
  if (input !== undefined && config.HONE_STORE_DECISION_INPUTS && config.HONE_DECISION_SAMPLES_PER_HOUR > 0) {
    const hour = Math.floor(decision.at.getTime() / HOUR_MS);
    if (hour !== recorder.sampleHour) [recorder.sampleHour, recorder.samplesOffered] = [hour, 0];
    if (recorder.samplesOffered < config.HONE_DECISION_SAMPLES_PER_HOUR) {
      recorder.samplesOffered += 1;
      sample = boundedInput(input);
    }
  }
  recorder.pending.push(sample === undefined ? decision : { ...decision, input: sample });
  if (recorder.pending.length > MAX_PENDING) {
    recorder.pending.splice(0, recorder.pending.length - MAX_PENDING);
    if (recorder.dropped++ === 0) console.error(`Hone: more than ${MAX_PENDING} routing decisions wait to be written; dropping the oldest`);
  }
  schedule(prisma, recorder);
}

function schedule(prisma: PrismaClient, recorder: Recorder): void {
  if (recorder.timer || recorder.pending.length === 0) return;
  recorder.timer = setTimeout(() => {
    recorder.timer = undefined;
    flushRouteDecisions(prisma).catch((error: unknown) => {
      console.error('Hone: writing routing decisions failed; retrying in a moment:', (error as Error).message);
    });
  }, FLUSH_INTERVAL_MS);
  recorder.timer.unref();
}

/**
 * Writes every decision this process has queued for the database, waiting for a write already under way. Rejects if
 * the write fails (the decisions stay queued for the next attempt).
 */
export async function flushRouteDecisions(prisma: PrismaClient): Promise<void> {
  const recorder = recorders().get(prisma);
  if (!recorder) return;
  while (recorder.flushing) await recorder.flushing.catch(() => {});
  if (recorder.pending.length === 0) return forgetIfIdle(prisma, recorder);
  clearTimeout(recorder.timer);
  recorder.timer = undefined;
  const batch = recorder.pending.splice(0);
  const write = recordRouteDecisions(prisma, batch).then(
    () => {
      if (recorder.dropped > 0) recorder.dropped = 0;
    },
    (error: unknown) => {
      recorder.pending.unshift(...batch.slice(Math.max(0, batch.length + recorder.pending.length - MAX_PENDING)));
      throw error;
    },
  );
  recorder.flushing = write.finally(() => {
    recorder.flushing = undefined;
    schedule(prisma, recorder);
    forgetIfIdle(prisma, recorder);
  });
  await recorder.flushing;
}

function forgetIfIdle(prisma: PrismaClient, recorder: Recorder): void {
  if (recorder.pending.length === 0 && !recorder.flushing && !recorder.timer && recorders().get(prisma) === recorder)
    recorders().delete(prisma);
}

/** Writes every queue, for shutdown; failures are logged, not thrown (the process is ending). */
export async function flushAllRouteDecisions(): Promise<void> {
  await Promise.all(
    [...recorders().keys()].map((prisma) =>
      flushRouteDecisions(prisma).catch((error: unknown) => {
        console.error('Hone: routing decisions could not be written before shutdown:', (error as Error).message);
      }),
    ),
  );
}

/** Decisions queued and not yet written (for tests and the status of a shutting-down server). */
export function pendingRouteDecisions(prisma: PrismaClient): number {
  return recorders().get(prisma)?.pending.length ?? 0;
}

/** Forgets what is queued for a database without writing it (tests that empty their database between cases). */
export function discardRouteDecisions(prisma: PrismaClient): void {
  const recorder = recorders().get(prisma);
  if (!recorder) return;
  clearTimeout(recorder.timer);
  recorders().delete(prisma);
}
