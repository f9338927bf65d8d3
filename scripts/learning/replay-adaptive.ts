// In-process replay of the adaptive strategy, for tuning: the same World (requests, outcomes, oracle), the same
// RegretAccount and DegradationDetector, the product's computePolicyArms and chooseModel, recomputed every `step`
// requests from the discounted statistics the recompute SQL reads (mirrored here in JS). No server, no database: a run
// takes seconds. The static rules' regret is computed beside it (the first of the scenario's static rules that matches, by
// priority, else the default layer), so the ratio can be read per seed and scenario.
//   npx tsx scripts/learning/replay-adaptive.ts [--scenario=coding | --scenario-file=f.json] [--seeds=1,2,3] [--requests=50000]
//     [--degrade-at=] [--new-model-at=] [--step=250] [--breakdown] [--history=N [--history-from=static|every-model]]
// --step: requests between two recomputes (the bench's simulated minute).
// --history: the policies start from the outcomes of N earlier requests of the same traffic (another seed, before the
// degradation), served by the static rules (what a gateway that ran them has measured) or by every model in turn (an
// offline evaluation): how much of the regret is learning from nothing. Not something the bench or the product does.
// --breakdown: the regret per task type and per kind of choice, in 10k-request windows. DEBUG_TYPE=<task type> prints
// that task type's arms and statistics every DEBUG_EVERY requests (default 5000). CHOICE_SEED and MC_SEED (below) redraw
// one seed's run with other luck. POLICY_OVERRIDE (JSON) overrides the policy's settings, e.g. '{"goodEnoughMargin":0}'
// for textbook Thompson sampling or '{"minSamples":10}'.
import { cliOptions } from '../cli-options';
import { chooseModel } from '../../packages/client/src/routing/adaptive.js';
import type { SnapshotPolicy } from '../../packages/client/src/routing/types';
import {
  CONTENDER_PROBABILITY,
  computePolicyArms,
  type PolicyModelStats,
  type PolicyRewardSettings,
} from '../../server/services/adaptive/policy-maths';
import { policyStatsFromOutcomes, type PolicyOutcome } from '../../server/services/adaptive/outcome-stats';
import { DegradationDetector, RegretAccount } from './metrics';
import { mixSeed, mulberry32 } from './random';
import { scenarioPolicy, simulationOptions, type World as WorldType, World } from './scenario';
import { staticRegret, staticRouter } from './static-route';

export interface ReplayResult {
  adaptiveRegret: number;
  staticRegret: number;
  notice: number | null;
  preShare: number;
  newModelServed: number;
  breakdown: Map<string, number>;
}

/** Outcomes the policies start from (see `replay`): `requests` of earlier traffic, served by the static rules or by every model in turn. */
export interface ReplayHistory {
  requests: number;
  from: 'static' | 'every-model';
}

export function replay(world: WorldType, step = 250, history?: ReplayHistory): ReplayResult {
  const { scenario, options } = world;
  const account = new RegretAccount(world, step);
  const detector = new DegradationDetector(scenario.degrade.model, scenario.degrade.taskType, options.degradeAt);
  // CHOICE_SEED varies the draws of the choices alone, MC_SEED those of the Monte-Carlo shares (the server's are
  // unseeded, and the faces draw choices in another order): how much of one seed's result is their luck.
  const random = mulberry32(mixSeed(options.seed, 2, 3 + Number(process.env.CHOICE_SEED ?? 0)));
  const rng = mulberry32(mixSeed(options.seed, 7, 7 + Number(process.env.MC_SEED ?? 0)));
  const staticRoute = staticRouter(scenario.staticRules, scenario.layerModels);
  const log = new Map<string, PolicyOutcome[]>(world.taskTypeNames.map((t) => [t, []]));
  let candidates = scenario.models;
  const policies = new Map<string, SnapshotPolicy>();
  const makePolicy = (taskType: string, params: SnapshotPolicy['params']): SnapshotPolicy =>
    ({ policyId: 1, name: taskType, taskType, candidates, params }) as unknown as SnapshotPolicy;
  for (const t of world.taskTypeNames) policies.set(t, makePolicy(t, {}));
  let newModelServed = 0;
  const breakdown = new Map<string, number>();
  const override = JSON.parse(process.env.POLICY_OVERRIDE ?? '{}') as Partial<PolicyRewardSettings & { halfLife: number }>;
  /** The recompute job's work at request `at`: every task type's arms from its outcomes so far. */
  const recompute = (at: number) => {
    const settings = { ...scenarioPolicy(scenario), ...override, candidates };
    for (const t of world.taskTypeNames) {
      const stats: PolicyModelStats[] = policyStatsFromOutcomes(log.get(t)!, settings.halfLife);
      const arms = computePolicyArms(settings, stats, rng);
      if (process.env.DEBUG_TYPE === t && at % Number(process.env.DEBUG_EVERY ?? 5000) === 0)
        console.log(
          at,
          JSON.stringify(
            arms.map((a) => [a.model, +a.share.toFixed(3), +a.rewardMean.toFixed(3), +a.effectiveSamples.toFixed(0), a.outcomes]),
          ),
          JSON.stringify(
            stats.map((x) => [
              x.model,
              +(x.successes / x.effectiveSamples).toFixed(3),
              +x.effectiveSamples.toFixed(0),
              +((x.longSuccesses ?? 0) / (x.longEffectiveSamples ?? 1)).toFixed(3),
              +(x.longEffectiveSamples ?? 0).toFixed(0),
            ]),
          ),
        );
      policies.set(t, makePolicy(t, { [t]: { computedAt: '', arms } }));
    }
  };
  if (history && history.requests > 0) {
    // What the policy would know before request 0: outcomes of an earlier stretch of the same traffic (another seed, no
    // degradation, no new model), served by the static rules or spread evenly over every model (an offline evaluation).
    const before = new World(scenario, { ...options, seed: options.seed + 100_000, degradeAt: Infinity, newModelAt: Infinity });
    for (let i = 0; i < history.requests; i++) {
      const request = before.request(i);
      const model = history.from === 'every-model' ? scenario.models[i % scenario.models.length]! : staticRoute(request.prompt).model;
      const outcome = before.outcome(model, request.taskType, i);
      log.get(request.taskType)!.push({ model, success: outcome.success, cost: outcome.cost, latencyMs: outcome.latencyMs });
    }
    recompute(0);
  }
  for (let index = 0; index < options.requests; index++) {
    if (index === options.newModelAt && options.newModelAt > 0) {
      candidates = [...scenario.models, scenario.newModel];
      // Saving the policies recomputes their parameters at once (saveRoutingPolicy).
      recompute(index);
    }
    const request = world.request(index);
    const choice = chooseModel(policies.get(request.taskType)!, request.taskType, random);
    const model = choice.model;
    if (model === scenario.newModel) newModelServed++;
    const outcome = world.outcome(model, request.taskType, index);
    log.get(request.taskType)!.push({ model, success: outcome.success, cost: outcome.cost, latencyMs: outcome.latencyMs });
    account.record(index, request.taskType, model, world.reward(outcome));
    const lost = world.oracle(request.taskType, index).reward - world.expectedReward(model, request.taskType, index);
    // Whose choice lost it: the greedy model, an untrusted model (minimum sample), a contender (its Thompson share:
    // a trusted arm's share reaches CONTENDER_PROBABILITY only as a contender) or another explored model.
    const arm = choice.arms.find((candidate) => candidate.model === model);
    const kind = !choice.explored
      ? 'greedy'
      : !arm?.trusted
        ? 'explore:untrusted'
        : arm.share >= CONTENDER_PROBABILITY
          ? 'explore:contender'
          : 'explore:other';
    const window = `${Math.floor(index / 10_000) * 10}k`;
    const key = `${request.taskType}@${window}`;
    breakdown.set(`${kind}@${window}`, (breakdown.get(`${kind}@${window}`) ?? 0) + lost);
    breakdown.set(key, (breakdown.get(key) ?? 0) + lost);
    detector.observe(index, request.taskType, model);
    if ((index + 1) % step === 0) recompute(index + 1);
  }
  const detection = detector.result();
  return {
    adaptiveRegret: account.regret,
    staticRegret: staticRegret(world),
    notice: detection.requestsToNotice,
    preShare: detection.preShare,
    newModelServed,
    breakdown,
  };
}

/** --history=N [--history-from=static|every-model]: the outcomes the policies start from (none by default). */
export function replayHistory(args: Record<string, string>): ReplayHistory | undefined {
  if (args.history === undefined) return undefined;
  const requests = Number(args.history);
  if (!Number.isInteger(requests) || requests < 0) throw new Error(`--history must be a non-negative integer, got ${args.history}`);
  const from = args['history-from'] ?? 'static';
  if (from !== 'static' && from !== 'every-model') throw new Error(`--history-from must be static or every-model, got ${from}`);
  return { requests, from };
}

if (process.argv[1]?.endsWith('replay-adaptive.ts')) {
  const args = cliOptions(process.argv.slice(2));
  const seeds = (args.seeds ?? '1').split(',').map(Number);
  for (const seed of seeds) {
    const { scenario, simulation } = simulationOptions({ ...args, seed: String(seed) });
    const r = replay(new World(scenario, simulation), Number(args.step ?? 250), replayHistory(args));
    console.log(
      `${scenario.name} seed ${seed}: adaptive ${r.adaptiveRegret.toFixed(0)} static ${r.staticRegret.toFixed(0)} ratio ${((100 * r.adaptiveRegret) / r.staticRegret).toFixed(1)}% notice ${r.notice} (pre ${(r.preShare * 100).toFixed(0)}%) new model ${r.newModelServed}`,
    );
    if (args.breakdown) {
      const rows = new Map<string, string[]>();
      for (const [key, value] of r.breakdown) {
        const [t, w = 'all'] = key.split('@');
        rows.set(t!, [...(rows.get(t!) ?? []), `${w}:${value.toFixed(0)}`]);
      }
      for (const [t, values] of rows) console.log(`  ${t.padEnd(18)} ${values.join(' ')}`);
    }
  }
}
