/**
 * Runs rule matching off the main thread, with a time limit.
 *
 * Patterns are bounded at save (matcher.ts), but what a pattern costs also depends on the input, and a rule set may
 * hold up to HONE_MAX_ROUTING_RULES of them: whatever is still slow must not stall every other request. So one
 * worker thread (match-worker.mjs) compiles the routing snapshot (active and shadow rules) and answers, per input, the
 * first matching active rule and the matching shadow rules. Jobs
 * queue here and go to the worker one at a time, so each match is timed on its own: when one takes longer than its
 * limit, the worker is terminated (the only way to stop a running regex), its caller is told the match was cut off,
 * and a fresh worker is started for the next job, reloading the rule sets it needs.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { processWide } from '../../process-wide';
import { boundedInput, type RoutingSnapshot, type SnapshotMatch } from './engine';

/**
 * A match still queued after this many times its own limit is answered as cut off, so no caller hangs behind a long
 * queue or a rule set being compiled (up to HONE_MAX_ROUTING_RULES patterns: seconds at worst).
 */
const QUEUE_WAIT_FACTOR = 20;

/**
 * Where the worker script is. The app runs from the project root under `npm start`, `next start` and the tests;
 * the path is built at run time so the bundler leaves the script alone (Node loads it, with its import of re2js).
 */
export function matchWorkerScript(): string {
  return path.join(/* turbopackIgnore: true */ process.cwd(), 'server/services/routing/match-worker.mjs');
}

export type MatchAnswer =
  /** Indices into the snapshot's rules: the first active rule that matched (-1: none), every shadow rule that matched. */
  | { kind: 'matched'; match: SnapshotMatch }
  /** No answer in time, or the worker failed: `why` says which, for the decision's reasoning. */
  | { kind: 'cut-off'; why: string };

export interface UnusablePattern {
  index: number;
  reason: string;
}

/** A snapshot registered for matching. Jobs carry it, so a new worker can compile it again. */
export interface PatternSet {
  readonly id: number;
  readonly snapshot: RoutingSnapshot;
  readonly onUnusable: (unusable: UnusablePattern[]) => void;
  released: boolean;
}

type Job =
  | { type: 'load'; set: PatternSet; resolve: () => void }
  | {
      type: 'match';
      set: PatternSet;
      input: string;
      timeoutMs: number;
      resolve: (answer: MatchAnswer) => void;
      /** Answers the job as cut off if it is still queued after QUEUE_WAIT_FACTOR times its limit. */
      queueTimer?: NodeJS.Timeout;
    };

type WorkerReply =
  { type: 'loaded'; jobId: number; unusable: UnusablePattern[] } | { type: 'matched'; jobId: number; match: SnapshotMatch };

interface RunningJob {
  jobId: number;
  job: Job;
  timer: NodeJS.Timeout | undefined;
}

export class MatchWorkerPool {
  private worker: Worker | null = null;
  /** Rule sets compiled in the current worker; a new worker starts with none. */
  private loadedInWorker = new Set<number>();
  private readonly queue: Job[] = [];
  private running: RunningJob | null = null;
  private nextSetId = 1;
  private nextJobId = 1;

  constructor(private readonly script: string = matchWorkerScript()) {}

  /**
   * Registers a snapshot; it is compiled in the worker when first matched. Rules whose pattern the compiler refuses
   * are left out and passed to `onUnusable` (indices into `snapshot.rules`) after each compilation.
   */
  register(snapshot: RoutingSnapshot, onUnusable: (unusable: UnusablePattern[]) => void = () => {}): PatternSet {
    return { id: this.nextSetId++, snapshot, onUnusable, released: false };
  }

  /**
   * The set is outdated: the worker drops it once the matches already queued are done. A late match on it (a request
   * that read the rules just before an edit) still gets an answer: the set is compiled again for it, then dropped.
   */
  release(set: PatternSet): void {
    set.released = true;
    this.dropIfIdle(set);
  }

  /** The rules of the snapshot that match the input, within `timeoutMs` of matching. */
  match(set: PatternSet, input: string, timeoutMs: number): Promise<MatchAnswer> {
    return new Promise((resolve) => {
      // Only the matched part crosses to the worker: a 1 MB input costs a copy of 32 KiB.
      const job: Job = { type: 'match', set, input: boundedInput(input), timeoutMs, resolve };
      const waitLimitMs = timeoutMs * QUEUE_WAIT_FACTOR;
      job.queueTimer = setTimeout(() => {
        const position = this.queue.indexOf(job);
        if (position === -1) return;
        this.queue.splice(position, 1);
        this.answer(job, { kind: 'cut-off', why: `it waited more than ${waitLimitMs} ms behind other matches` });
        this.dropIfIdle(set);
      }, waitLimitMs);
      this.queue.push(job);
      this.dispatch();
    });
  }

  /** Stops the worker; queued and running matches are answered as cut off. For tests and shutdown. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.loadedInWorker.clear();
    for (const job of this.queue.splice(0)) this.answer(job, { kind: 'cut-off', why: 'the matcher was shut down' });
    if (this.running) this.finishRunning({ kind: 'cut-off', why: 'the matcher was shut down' });
    if (worker) await worker.terminate();
  }

  private dispatch(): void {
    while (!this.running && this.queue.length > 0) {
      const job = this.queue[0]!;
      if (job.type === 'match' && !this.loadedInWorker.has(job.set.id)) {
        this.queue.unshift({ type: 'load', set: job.set, resolve: () => {} });
        continue;
      }
      this.queue.shift();
      this.start(job);
    }
  }

  private start(job: Job): void {
    const worker = this.ensureWorker();
    const jobId = this.nextJobId++;
    if (job.type === 'match') clearTimeout(job.queueTimer);
    const running: RunningJob = { jobId, job, timer: undefined };
    this.running = running;
    if (job.type === 'load') {
      this.loadedInWorker.add(job.set.id);
      worker.postMessage({ type: 'load', jobId, setId: job.set.id, snapshot: job.set.snapshot });
      return;
    }
    running.timer = setTimeout(() => {
      if (this.running !== running) return;
      // Terminating is the only way to stop a regex that is running; the next job starts a fresh worker.
      this.discardWorker();
      this.finishRunning({ kind: 'cut-off', why: `matching took longer than ${job.timeoutMs} ms` });
    }, job.timeoutMs);
    worker.postMessage({ type: 'match', jobId, setId: job.set.id, input: job.input });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // A cap on the heap: each compiled rule keeps a lazy DFA cache, and a worker that runs out is replaced, not the server.
    const worker = new Worker(this.script, { resourceLimits: { maxOldGenerationSizeMb: 1024 } });
    worker.unref(); // an idle matcher must not keep a script or test process alive
    worker.on('message', (reply: WorkerReply) => {
      if (worker !== this.worker || !this.running || reply.jobId !== this.running.jobId) return;
      if (reply.type === 'loaded') {
        if (reply.unusable.length > 0) this.running.job.set.onUnusable(reply.unusable);
        this.finishRunning(undefined);
      } else {
        this.finishRunning({ kind: 'matched', match: reply.match });
      }
    });
    const failed = (why: string) => {
      if (worker !== this.worker) return;
      console.error(`Hone: the routing match worker stopped (${why}); starting a new one`);
      this.discardWorker();
      if (this.running) this.finishRunning({ kind: 'cut-off', why: `the match worker failed: ${why}` });
    };
    worker.on('error', (error) => failed(error.message));
    worker.on('exit', (code) => failed(`exit code ${code}`));
    this.worker = worker;
    this.loadedInWorker = new Set();
    return worker;
  }

  private discardWorker(): void {
    const worker = this.worker;
    this.worker = null;
    this.loadedInWorker = new Set();
    if (worker) void worker.terminate();
  }

  /** Ends the running job (with `answer` for a match) and starts the next one. */
  private finishRunning(answer: MatchAnswer | undefined): void {
    const running = this.running;
    if (!running) return;
    this.running = null;
    clearTimeout(running.timer);
    if (running.job.type === 'load') {
      running.job.resolve();
      if (answer) {
        // The worker failed while compiling: the matches waiting for these rules get its answer, so that a worker
        // that cannot start (a missing script) fails each request at once instead of being restarted for it again.
        const set = running.job.set;
        this.loadedInWorker.delete(set.id);
        for (const job of this.queue.filter((queued) => queued.set === set)) {
          this.queue.splice(this.queue.indexOf(job), 1);
          this.answer(job, answer);
        }
      }
    } else {
      this.answer(running.job, answer ?? { kind: 'cut-off', why: 'no answer' });
    }
    this.dropIfIdle(running.job.set);
    this.dispatch();
  }

  private answer(job: Job, answer: MatchAnswer): void {
    if (job.type === 'match') {
      clearTimeout(job.queueTimer);
      job.resolve(answer);
    } else job.resolve();
  }

  /** Forgets a released set once no queued or running job needs it. */
  private dropIfIdle(set: PatternSet): void {
    if (!set.released || this.running?.job.set === set || this.queue.some((job) => job.set === set)) return;
    if (this.loadedInWorker.delete(set.id)) this.worker?.postMessage({ type: 'forget', setId: set.id });
  }
}

/**
 * The process's match worker, started on first use: one for every bundle (process-wide.ts), as the front door, the route
 * files and the pages all decide routes.
 */
export function matchWorkerPool(): MatchWorkerPool {
  return processWide('matchWorkerPool', () => new MatchWorkerPool());
}
