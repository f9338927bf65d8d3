// How much regret learning the models' success from nothing costs, beside the budget issue 11's target leaves (15% of the
// static rules' regret after the run). The learner here is not the product's policy but an informed one: textbook
// Thompson sampling (Beta(1, 1) on each model's success per task type) that is told what no real policy knows: every
// model's expected cost and latency, the request at which the degradation comes and which model and task type it hits
// (that posterior starts over there), and when the new model arrives. Only success is learnt. Where even its regret
// before the first event exceeds the budget, meeting the target takes prior knowledge of the models' success.
//   npx tsx scripts/learning/learning-bound.ts [--scenario=support | --scenario-file=f.json] [--seeds=33-44]
//     [--degrade-at=] [--new-model-at=] [--product]   (--product also replays the product's policy, ~10 s a seed)
import { cliOptions } from '../cli-options';
import { sampler } from '../../server/services/adaptive/policy-maths';
import { RegretAccount } from './metrics';
import { mixSeed, mulberry32 } from './random';
import { replay } from './replay-adaptive';
import { median, parseSeeds } from './replay-sweep';
import { simulationOptions, World } from './scenario';
import { staticRegret } from './static-route';

/** The informed learner's regret: over the whole run, and over the requests before the first event (`firstEvent`). */
export function informedLearnerRegret(world: World): { total: number; beforeEvents: number; firstEvent: number } {
  const { scenario, options } = world;
  const { beta } = sampler(mulberry32(mixSeed(options.seed, 11, 13)));
  const firstEvent = Math.min(options.degradeAt, options.newModelAt, options.requests);
  const account = new RegretAccount(world, 250, [firstEvent]);
  const posterior = new Map<string, { successes: number; failures: number }>();
  const key = (taskType: string, model: string) => `${taskType}\u0000${model}`;
  // Cost and latency are known: a model's reward is its success minus this.
  const penalty = (model: string, taskType: string) => world.truth(model, taskType, 0).success - world.expectedReward(model, taskType, 0);
  for (let index = 0; index < options.requests; index++) {
    if (index === options.degradeAt) posterior.delete(key(scenario.degrade.taskType, scenario.degrade.model));
    const { taskType } = world.request(index);
    let choice = { model: '', sample: -Infinity };
    for (const model of world.available(index)) {
      const seen = posterior.get(key(taskType, model)) ?? { successes: 0, failures: 0 };
      const sample = beta(1 + seen.successes, 1 + seen.failures) - penalty(model, taskType);
      if (sample > choice.sample) choice = { model, sample };
    }
    const outcome = world.outcome(choice.model, taskType, index);
    const seen = posterior.get(key(taskType, choice.model)) ?? { successes: 0, failures: 0 };
    if (outcome.success) seen.successes++;
    else seen.failures++;
    posterior.set(key(taskType, choice.model), seen);
    account.record(index, taskType, choice.model, world.reward(outcome));
  }
  return { total: account.regret, beforeEvents: account.atCheckpoint.get(firstEvent) ?? 0, firstEvent };
}

if (process.argv[1]?.endsWith('learning-bound.ts')) {
  const args = cliOptions(process.argv.slice(2));
  const percent = (ratio: number) => `${ratio.toFixed(1)}%`;
  const runs: { budget: number; informedBefore: number; informedRatio: number; productRatio: number | null }[] = [];
  for (const seed of parseSeeds(args.seeds ?? '1')) {
    const { scenario, simulation } = simulationOptions({ ...args, seed: String(seed) });
    const world = new World(scenario, simulation);
    const informed = informedLearnerRegret(world);
    const staticTotal = staticRegret(world);
    const product = args.product ? replay(world) : null;
    const run = {
      budget: 0.15 * staticTotal,
      informedBefore: informed.beforeEvents,
      informedRatio: (100 * informed.total) / staticTotal,
      productRatio: product && (100 * product.adaptiveRegret) / staticTotal,
    };
    runs.push(run);
    console.log(
      `${scenario.name} seed ${seed} D ${simulation.degradeAt} N ${simulation.newModelAt}: budget ${run.budget.toFixed(0)} ` +
        `(15% of static ${staticTotal.toFixed(0)}) | informed TS before ${informed.firstEvent} ${informed.beforeEvents.toFixed(0)}, ` +
        `whole run ${informed.total.toFixed(0)} = ${percent(run.informedRatio)} of static` +
        (product ? ` | product ${product.adaptiveRegret.toFixed(0)} = ${percent(run.productRatio!)}` : ''),
    );
  }
  const figures = (ratios: number[]) =>
    `max ${Math.max(...ratios).toFixed(1)}% median ${median(ratios).toFixed(1)}% over 15% ${ratios.filter((r) => r > 15).length}/${ratios.length}`;
  const products = runs.flatMap((run) => (run.productRatio === null ? [] : [run.productRatio]));
  console.log(
    `budget median ${median(runs.map((run) => run.budget)).toFixed(0)}; informed TS before the first event: median ` +
      `${median(runs.map((run) => run.informedBefore)).toFixed(0)}, over the budget in ` +
      `${runs.filter((run) => run.informedBefore > run.budget).length}/${runs.length}; whole run ${figures(runs.map((run) => run.informedRatio))}` +
      (products.length ? `; product ${figures(products)}` : ''),
  );
}
