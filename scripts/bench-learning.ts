// npm run bench -- learning [--seed=1] [--requests=50000] [--degrade-at=] [--new-model-at=] [--scenario=coding|support | --scenario-file=f.json]
//   [--step=250] [--db=postgres|pglite] [--strategies=default,static,adaptive,experiment] [--runs=100] [--only=routing|experiments]
//   [--svg=docs/learning-curves.svg]
// The learning simulator: seeded traffic with a known answer (scripts/learning/scenario.ts) drives a fresh Hone per
// strategy through hone.router() and the REST tools, and prints each strategy's cumulative reward and regret against
// the oracle, how soon it moved traffic off the degraded model, and the experiment verdicts' accuracy on 100 A/B and
// 100 A/A runs (in process through Hone's own statistics, plus one of each end to end). Targets are printed with
// "met" or "missed"; nothing is asserted.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import buildOnce from '../server/testing/next-build';
import type { SuiteOptions } from './bench';
import type { EndToEndResult } from './learning/experiment-accuracy';
import { CHECKPOINTS, MIN_PRE_SHARE } from './learning/metrics';
import { SPEC_RULES, simulationOptions, World } from './learning/scenario';
import { runStrategy, STRATEGIES, STRATEGY_LABELS, type StrategyName, type StrategyResult } from './learning/strategies';
import { regretCurvesSvg } from './learning/svg';

const TARGET_REGRET_RATIO = 0.15;
const TARGET_NOTICE_REQUESTS = 2000;
const TARGET_CORRECT = 95;
const TARGET_FALSE_POSITIVES = 5;

const verdict = (met: boolean) => (met ? 'met' : 'missed');
const pad = (text: string | number, width: number) => String(text).padStart(width);

function noticeText(result: StrategyResult): string {
  const { detection } = result;
  if (detection.notApplicable) return `n/a (pre-share ${(detection.preShare * 100).toFixed(0)}%)`;
  return detection.requestsToNotice === null
    ? `never (share ${(detection.preShare * 100).toFixed(0)}% -> ${(detection.finalShare * 100).toFixed(0)}%)`
    : `${detection.requestsToNotice} (share ${(detection.preShare * 100).toFixed(0)}% -> ${(detection.finalShare * 100).toFixed(0)}%)`;
}

async function routingPart(options: SuiteOptions): Promise<void> {
  const { scenario, simulation } = simulationOptions(options);
  const world = new World(scenario, simulation);
  const step = Number(options.step ?? 250);
  const db = options.db === 'pglite' ? 'pglite' : 'postgres';
  const names = (options.strategies ?? STRATEGIES.join(',')).split(',') as StrategyName[];
  for (const name of names)
    if (!STRATEGIES.includes(name)) throw new Error(`unknown strategy ${name}; the strategies are ${STRATEGIES.join(', ')}`);
  console.log(
    `scenario ${scenario.name} (${scenario.description}); seed ${simulation.seed}, ${simulation.requests} requests, ` +
      `${scenario.degrade.model} degrades on ${scenario.degrade.taskType} (-${scenario.degrade.drop * 100} points) at ${simulation.degradeAt}, ` +
      `${scenario.newModel} appears at ${simulation.newModelAt}; step ${step}; ${db}; ` +
      `reward = success - ${scenario.reward.costWeight}*cost - ${scenario.reward.latencyWeight}*latency_s; ` +
      `static rules: ${scenario.staticRules === SPEC_RULES ? "the spec's" : `the scenario file's ${scenario.staticRules.length}`}`,
  );
  const results: StrategyResult[] = [];
  for (const name of names) {
    console.log(`strategy ${STRATEGY_LABELS[name]}…`);
    const result = await runStrategy(name, world, { db, step, log: (line) => console.log(line) });
    for (const event of result.events) console.log(`  ${event}`);
    if (result.trackerProblems.length) console.log(`  tracker problems: ${result.trackerProblems.slice(0, 5).join('; ')}`);
    console.log(`  done in ${result.seconds.toFixed(0)} s`);
    results.push(result);
  }

  const checkpoints = [...CHECKPOINTS.filter((at) => at < simulation.requests), simulation.requests];
  console.log(
    `\n${'strategy'.padEnd(24)}${pad('reward', 10)}${pad('exp. reward', 12)}${checkpoints.map((at) => pad(`regret@${at / 1000}k`, 14)).join('')}  requests to notice the degradation`,
  );
  const oracle = results[0]?.account.oracleReward ?? 0;
  for (const result of results) {
    const { account } = result;
    console.log(
      `${STRATEGY_LABELS[result.name].padEnd(24)}${pad(account.reward.toFixed(0), 10)}${pad(account.expectedReward.toFixed(0), 12)}` +
        `${checkpoints.map((at) => pad((account.atCheckpoint.get(at) ?? account.regret).toFixed(1), 14)).join('')}  ${noticeText(result)}`,
    );
  }
  console.log(`${'oracle'.padEnd(24)}${pad('', 10)}${pad(oracle.toFixed(0), 12)}`);

  const byName = new Map(results.map((result) => [result.name, result]));
  const adaptive = byName.get('adaptive');
  const staticRules = byName.get('static');
  if (adaptive && staticRules) {
    const ratio = adaptive.account.regret / staticRules.account.regret;
    console.log(
      `adaptive/static regret after ${simulation.requests} requests: ${(ratio * 100).toFixed(1)}% ` +
        `(target <= ${TARGET_REGRET_RATIO * 100}%): ${verdict(ratio <= TARGET_REGRET_RATIO)}`,
    );
  }
  if (adaptive) {
    const { requestsToNotice: notice, notApplicable, preShare } = adaptive.detection;
    const { model, taskType } = scenario.degrade;
    console.log(
      notApplicable
        ? `adaptive noticed the degradation: not applicable, it had ${(preShare * 100).toFixed(0)}% of ${taskType} on ${model} ` +
            `before it degraded (under ${MIN_PRE_SHARE * 100}%), so no traffic had to move`
        : `adaptive noticed the degradation after ${notice ?? 'never'} requests (target <= ${TARGET_NOTICE_REQUESTS}): ` +
            `${verdict(notice !== null && notice <= TARGET_NOTICE_REQUESTS)}`,
    );
    const { mirror } = adaptive;
    if (mirror) {
      console.log(
        `the server's parameters agreed with the replay's JS mirror at ${mirror.checks - mirror.failedChecks}/${mirror.checks} checks` +
          (mirror.disagreements.length ? `; first disagreements: ${mirror.disagreements.join('; ')}` : ''),
      );
    }
    const newModelShare = [...adaptive.account.served.values()].reduce((sum, byModel) => sum + (byModel.get(scenario.newModel) ?? 0), 0);
    console.log(`adaptive served ${newModelShare} requests with ${scenario.newModel} after it appeared`);
  }

  const svgPath = path.resolve(options.svg ?? 'docs/learning-curves.svg');
  mkdirSync(path.dirname(svgPath), { recursive: true });
  writeFileSync(
    svgPath,
    regretCurvesSvg({
      title: `Cumulative regret vs the oracle — scenario "${scenario.name}", seed ${simulation.seed}`,
      subtitle: `reward = success − ${scenario.reward.costWeight}·cost − ${scenario.reward.latencyWeight}·latency(s); lower is better`,
      series: results.map((result) => ({ label: STRATEGY_LABELS[result.name], points: result.account.curve })),
      marks: [
        { at: simulation.degradeAt, label: `${scenario.degrade.model} degrades` },
        { at: simulation.newModelAt, label: `${scenario.newModel} appears` },
      ],
    }),
  );
  console.log(`curves written to ${path.relative(process.cwd(), svgPath)}`);
}

function printEndToEnd(result: EndToEndResult): void {
  const arms = result.arms.map((arm) => `${arm.name} ${arm.served[1]}/${arm.served[0]} (sent ${arm.sent[1]}/${arm.sent[0]})`).join(', ');
  console.log(
    `  ${result.kind} through the faces: get_experiment says ${result.served.status}${result.served.armIndex !== null ? ` (arm ${result.served.armIndex})` : ''} ` +
      `after ${result.requests} requests; in process on the same outcomes: ${result.local.status}; verdicts agreed at ` +
      `${result.agreeingLooks}/${result.looks} looks; ${arms}`,
  );
}

async function experimentsPart(options: SuiteOptions): Promise<void> {
  // Loaded here: the routing part runs without the experiments' statistics module.
  const { ACCURACY_DEFAULTS, experimentAccuracy, experimentEndToEnd } = await import('./learning/experiment-accuracy');
  const runs = Number(options.runs ?? 100);
  const seed = Number(options.seed ?? 1);
  const accuracy = { ...ACCURACY_DEFAULTS, seed };
  console.log(
    `\nexperiments: ${runs} A/B runs (control ${accuracy.base * 100}% vs candidate ±${accuracy.effect * 100} points, the direction alternating) ` +
      `and ${runs} A/A runs, a look every ${accuracy.peekEvery} outcomes, at most ${accuracy.maxOutcomes} outcomes a run`,
  );
  const { ab, aa } = experimentAccuracy(runs, accuracy);
  console.log(`  A/B verdicts: ${JSON.stringify(ab.statuses)}; median ${ab.medianOutcomes} outcomes to a verdict`);
  console.log(`  A/A verdicts: ${JSON.stringify(aa.statuses)}`);
  const scaled = (count: number) => Math.round((count * 100) / runs);
  console.log(
    `  correct A/B verdicts: ${ab.correct}/${runs} (target >= ${TARGET_CORRECT}/100): ${verdict(scaled(ab.correct) >= TARGET_CORRECT)}`,
  );
  console.log(
    `  A/A false positives: ${aa.falsePositives}/${runs} (target < ${TARGET_FALSE_POSITIVES}/100): ${verdict(scaled(aa.falsePositives) < TARGET_FALSE_POSITIVES)}`,
  );
  const db = options.db === 'pglite' ? 'pglite' : 'postgres';
  printEndToEnd(await experimentEndToEnd('A/B', { ...accuracy, maxOutcomes: 10_000, db }));
  printEndToEnd(await experimentEndToEnd('A/A', { ...accuracy, maxOutcomes: 5_000, db }));
}

export async function run(options: SuiteOptions): Promise<void> {
  buildOnce();
  console.log(
    `load average ${os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')} on ${os.cpus().length} cores`,
  );
  const started = Date.now();
  if (options.only !== 'experiments') await routingPart(options);
  if (options.only !== 'routing') await experimentsPart(options);
  console.log(
    `\nlearning bench done in ${((Date.now() - started) / 1000).toFixed(0)} s; load average ${os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
}
