// A gateway's stream of model calls, metric values and bug reports through hone.track, made so that the rows say which
// items arrived: item n is a call with latencyMs n, or a metric with value n, under a task type / metric name / bug
// category of the test's own (its tag). Used by the tracker's tests against real servers.
import type { HoneClient } from '../hone-client';
import type { ServerDatabase } from './hone-server';

const MODELS = ['tracked-a', 'tracked-b', 'tracked-c'];
/** Every tenth item is a bug report, other even ones metric values, odd ones model calls. */
const kindOf = (n: number) => (n % 10 === 0 ? 'bug' : n % 2 === 0 ? 'metric' : 'call');
const modelOf = (n: number) => MODELS[n % MODELS.length]!;
const succeeded = (n: number) => n % 3 !== 0;

export class TrackedStream {
  readonly calls: number[] = [];
  readonly metrics: number[] = [];
  bugs = 0;
  private next = 1;

  constructor(
    private readonly hone: HoneClient,
    readonly tag: string,
  ) {}

  track(count: number): void {
    for (let i = 0; i < count; i++) {
      const n = this.next++;
      const kind = kindOf(n);
      if (kind === 'bug') {
        this.hone.track.bugReport({ category: this.tag, pattern: `bug-${n % 3}`, severity: 'low' });
        this.bugs++;
      } else if (kind === 'metric') {
        this.hone.track.metric({ metricName: this.tag, metricValue: n, metricUnit: 'n' });
        this.metrics.push(n);
      } else {
        this.hone.track.modelCall({ modelId: modelOf(n), taskType: this.tag, success: succeeded(n), latencyMs: n, cost: 0.5 });
        this.calls.push(n);
      }
    }
  }
}

export interface CallTotals {
  totalCalls: number;
  latencySum: number;
  successes: number;
}

export interface TrackedRows {
  /** model_performance per model. */
  calls: Map<string, CallTotals>;
  /** The metric values stored, ascending (each value is one item). */
  metrics: number[];
  /** Bug occurrences stored. */
  bugs: number;
}

/** What the database holds for a tag (on PGlite, call it only while no server holds the database). */
export function storedRows(db: ServerDatabase, tag: string): Promise<TrackedRows> {
  return db.withPrisma(async (prisma) => {
    const performance = await prisma.modelPerformance.findMany({ where: { taskType: tag } });
    const metrics = await prisma.performanceMetric.findMany({ where: { metricName: tag }, select: { metricValue: true } });
    const bugs = await prisma.bugPatternOccurrence.count({ where: { bugPattern: { category: tag } } });
    return {
      calls: new Map(
        performance.map((row) => [
          row.modelId,
          { totalCalls: Number(row.totalCalls), latencySum: row.latencySumMs, successes: Number(row.successes) },
        ]),
      ),
      metrics: metrics.map((row) => row.metricValue).sort((a, b) => a - b),
      bugs,
    };
  });
}

/** The model_performance totals that exactly these calls (by their number) make. */
export function callTotals(calls: readonly number[]): Map<string, CallTotals> {
  const byModel = new Map<string, CallTotals>();
  for (const n of calls) {
    const totals = byModel.get(modelOf(n)) ?? { totalCalls: 0, latencySum: 0, successes: 0 };
    totals.totalCalls++;
    totals.latencySum += n;
    if (succeeded(n)) totals.successes++;
    byModel.set(modelOf(n), totals);
  }
  return byModel;
}

/** What the rows hold when every item of `stream` arrived exactly once. */
export function expectedRows(stream: TrackedStream): TrackedRows {
  return { calls: callTotals(stream.calls), metrics: [...stream.metrics].sort((a, b) => a - b), bugs: stream.bugs };
}

export async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
