// The recompute SQL's statistics (server/services/adaptive/recompute.ts), mirrored in JS for the in-process replay and the
// unit tests' simulations: outcomes newest first, each weighing 0.5^(rank / half-life) by its rank among its model's outcomes (and 0.5^(rank / (8 half-lives)) for the long-run sums), read up to HALF_LIVES_READ half-lives back, summed per model, with the unweighted counts of its latest RECENT_WINDOWS outcomes.
import type { PolicyModelStats } from './policy-maths';
import { HALF_LIVES_READ, LONG_HALF_LIFE_FACTOR, RECENT_WINDOWS } from './recompute-settings';

export interface PolicyOutcome {
  model: string;
  success: boolean;
  cost: number;
  latencyMs: number;
}

/** A model's running sums: weights (n), weighted successes (s), cost and latency moments, long-run weights (ln, ls), and
 * the outcomes (wn) and successes (ws) within each RECENT_WINDOWS size. */
interface ModelSums {
  n: number;
  s: number;
  count: number;
  c: number;
  c2: number;
  l: number;
  l2: number;
  ln: number;
  ls: number;
  wn: number[];
  ws: number[];
}

const emptySums = (): ModelSums => ({
  n: 0,
  s: 0,
  count: 0,
  c: 0,
  c2: 0,
  l: 0,
  l2: 0,
  ln: 0,
  ls: 0,
  wn: RECENT_WINDOWS.map(() => 0),
  ws: RECENT_WINDOWS.map(() => 0),
});

/** `outcomes` oldest first (as they arrived), of one policy and task type. */
export function policyStatsFromOutcomes(outcomes: readonly PolicyOutcome[], halfLife: number): PolicyModelStats[] {
  const sums = new Map<string, ModelSums>();
  const ranks = new Map<string, number>();
  const limit = HALF_LIVES_READ * halfLife;
  for (let i = outcomes.length - 1; i >= 0; i--) {
    const o = outcomes[i]!;
    // Ranked among the model's own outcomes: a model that gets little traffic keeps its evidence.
    const rank = ranks.get(o.model) ?? 0;
    ranks.set(o.model, rank + 1);
    if (rank >= limit) continue;
    const w = Math.pow(0.5, rank / halfLife);
    const wl = Math.pow(0.5, rank / (LONG_HALF_LIFE_FACTOR * halfLife));
    const row = sums.get(o.model) ?? emptySums();
    row.ln += wl;
    if (o.success) row.ls += wl;
    row.n += w;
    if (o.success) row.s += w;
    row.count++;
    RECENT_WINDOWS.forEach((size, i) => {
      if (rank < size) {
        row.wn[i]! += 1;
        if (o.success) row.ws[i]! += 1;
      }
    });
    row.c += w * o.cost;
    row.c2 += w * o.cost * o.cost;
    row.l += w * o.latencyMs;
    row.l2 += w * o.latencyMs * o.latencyMs;
    sums.set(o.model, row);
  }
  return [...sums].map(([model, r]) => ({
    model,
    effectiveSamples: r.n,
    successes: r.s,
    outcomes: r.count,
    longEffectiveSamples: r.ln,
    longSuccesses: r.ls,
    windowOutcomes: r.wn,
    windowSuccesses: r.ws,
    costMean: r.c / r.n,
    costSd: Math.sqrt(Math.max(0, r.c2 / r.n - (r.c / r.n) ** 2)),
    latencyMsMean: r.l / r.n,
    latencyMsSd: Math.sqrt(Math.max(0, r.l2 / r.n - (r.l / r.n) ** 2)),
  }));
}
