// How often an experiment's verdict is right: seeded A/B runs with a known effect and A/A runs, in process through the
// very code Hone uses (assignArm for the split, evaluateExperiment on the arm sums, peeking every `peekEvery` outcomes
// as get_experiment would, the guard's stops carried over as the server stores them), and one A/B and one A/A run end
// to end through the faces (create_experiment, hone.router() decisions with a request key, outcomes,
// get_experiment), checked against the same evaluation made on the outcomes the simulator sent.
import { assignArm } from '../../packages/client/src/routing/experiments.js';
import type { SnapshotExperiment } from '../../packages/client/src/routing/types';
import { createHoneClient } from '../../server/hone-client';
import {
  emptyArm,
  evaluateExperiment,
  type ArmCounters,
  type EvaluateOptions,
  type VerdictStatus,
} from '../../server/services/experiments/statistics';
import { createServerDatabase, startHoneServer } from '../../server/testing/hone-server';
import { createFaces } from './faces';
import { mixSeed, mulberry32, normal } from './random';

/** Hone's defaults for a new experiment (create_experiment without alpha, minOutcomes). */
export const EXPERIMENT_DEFAULTS: EvaluateOptions = { alpha: 0.025, mixtureVariance: 0.0025, minOutcomes: 100, guard: true };

export interface AccuracyOptions {
  seed: number;
  /** Success rate of the control; the candidate's is control + effect (A/A: effect 0). */
  base: number;
  effect: number;
  peekEvery: number;
  /** A run without a verdict after this many outcomes (all arms) ends without one. */
  maxOutcomes: number;
}

export const ACCURACY_DEFAULTS: Omit<AccuracyOptions, 'seed'> = { base: 0.8, effect: 0.05, peekEvery: 100, maxOutcomes: 20_000 };

const DECISIVE: ReadonlySet<VerdictStatus> = new Set(['winner', 'control_wins', 'no_difference']);

export interface RunVerdict {
  status: VerdictStatus;
  /** The winning arm's index (winner); 0 for control_wins. */
  armIndex: number | null;
  outcomes: number;
}

export function addOutcome(arm: ArmCounters, outcome: { success: boolean; latencyMs: number; cost: number }): void {
  arm.outcomes++;
  if (outcome.success) arm.successes++;
  arm.latencySum += outcome.latencyMs;
  arm.latencySumsq += outcome.latencyMs * outcome.latencyMs;
  arm.latencyCount++;
  arm.costSum += outcome.cost;
  arm.costSumsq += outcome.cost * outcome.cost;
  arm.costCount++;
}

/** One look, as get_experiment takes it: the verdict, and the running minimum p-values and guard stops stored after. */
export function peek(arms: ArmCounters[], options: EvaluateOptions = EXPERIMENT_DEFAULTS): RunVerdict & { outcomes: number } {
  const evaluation = evaluateExperiment(arms, options);
  evaluation.arms.forEach((stats, index) => {
    arms[index]!.minPValue = Math.min(arms[index]!.minPValue, stats.pValue);
    if (stats.stopped) arms[index]!.stopped = true;
  });
  const { status, armIndex } = evaluation.verdict;
  return {
    status,
    armIndex: status === 'control_wins' ? 0 : (armIndex ?? null),
    outcomes: arms.reduce((sum, arm) => sum + arm.outcomes, 0),
  };
}

/** A simulated outcome of an arm with success rate `p` (latency and cost matter to the figures, not the verdict). */
function draw(p: number, random: () => number) {
  return { success: random() < p, latencyMs: Math.round(800 * Math.exp(0.4 * normal(random))), cost: 0.001 };
}

/**
 * One seeded experiment in process: control and candidate 50/50 by assignArm on fresh request keys, a look every
 * `peekEvery` outcomes, ending at the first decisive verdict (winner, control_wins, no_difference) or `maxOutcomes`.
 */
export function simulateExperiment(run: number, successRates: [number, number], options: AccuracyOptions): RunVerdict {
  const random = mulberry32(mixSeed(options.seed, run, 4));
  const experiment: SnapshotExperiment = {
    experimentId: run + 1,
    name: `run ${run}`,
    ruleId: 1,
    taskType: null,
    salt: `salt-${options.seed}-${run}`,
    arms: [
      { armId: 1, name: 'control', weight: 1, variant: { kind: 'control' } },
      { armId: 2, name: 'candidate', weight: 1, variant: { kind: 'model', model: 'candidate' } },
    ],
  };
  const arms = [emptyArm('control'), emptyArm('candidate')];
  let last: RunVerdict = { status: 'collecting', armIndex: null, outcomes: 0 };
  for (let k = 0; k < options.maxOutcomes; k++) {
    const arm = assignArm(experiment, `run-${run}-request-${k}`);
    const index = arm.armId - 1;
    addOutcome(arms[index]!, draw(successRates[index]!, random));
    if ((k + 1) % options.peekEvery === 0) {
      last = peek(arms);
      // The guard's stop takes the arm out of the split, as the server's snapshot does (weight 0).
      arms.forEach((counters, i) => {
        if (counters.stopped) experiment.arms[i]!.weight = 0;
      });
      if (DECISIVE.has(last.status)) return last;
    }
  }
  return last;
}

export interface AccuracySummary {
  runs: number;
  /** A/B: verdicts naming the truly better arm. A/A: runs without a false winner. */
  correct: number;
  falsePositives: number;
  noVerdict: number;
  /** Median outcomes to the verdict (decisive runs). */
  medianOutcomes: number | null;
  statuses: Record<string, number>;
}

function summarize(
  verdicts: RunVerdict[],
  isCorrect: (verdict: RunVerdict, run: number) => boolean,
  isFalsePositive: (verdict: RunVerdict, run: number) => boolean,
): AccuracySummary {
  const statuses: Record<string, number> = {};
  for (const verdict of verdicts) statuses[verdict.status] = (statuses[verdict.status] ?? 0) + 1;
  const decisive = verdicts
    .filter((verdict) => DECISIVE.has(verdict.status))
    .map((verdict) => verdict.outcomes)
    .sort((a, b) => a - b);
  return {
    runs: verdicts.length,
    correct: verdicts.filter(isCorrect).length,
    falsePositives: verdicts.filter(isFalsePositive).length,
    noVerdict: verdicts.filter((verdict) => !DECISIVE.has(verdict.status)).length,
    medianOutcomes: decisive.length ? decisive[Math.floor(decisive.length / 2)]! : null,
    statuses,
  };
}

/**
 * `runs` A/B experiments with a known effect (the candidate better by `effect` in even runs, worse in odd ones: the
 * right verdict is then the candidate winning, or the control winning) and `runs` A/A experiments (any winner is a
 * false positive).
 */
export function experimentAccuracy(runs: number, options: AccuracyOptions): { ab: AccuracySummary; aa: AccuracySummary } {
  const abVerdicts: RunVerdict[] = [];
  const aaVerdicts: RunVerdict[] = [];
  for (let run = 0; run < runs; run++) {
    const candidateBetter = run % 2 === 0;
    const rates: [number, number] = candidateBetter
      ? [options.base, options.base + options.effect]
      : [options.base, options.base - options.effect];
    abVerdicts.push(simulateExperiment(run, rates, options));
    aaVerdicts.push(simulateExperiment(runs + run, [options.base, options.base], options));
  }
  const rightAB = (verdict: RunVerdict, run: number) =>
    run % 2 === 0 ? verdict.status === 'winner' && verdict.armIndex === 1 : verdict.status === 'control_wins';
  const falseWinner = (verdict: RunVerdict) => verdict.status === 'winner' || verdict.status === 'control_wins';
  return {
    // A/B: a false positive is a winner in the wrong direction (or a "no difference" where there is one).
    ab: summarize(abVerdicts, rightAB, (verdict, run) => DECISIVE.has(verdict.status) && !rightAB(verdict, run)),
    aa: summarize(aaVerdicts, (verdict) => !falseWinner(verdict), falseWinner),
  };
}

export interface EndToEndResult {
  kind: 'A/B' | 'A/A';
  /** get_experiment's verdict at the end, and the in-process one on the outcomes the simulator sent. */
  served: RunVerdict;
  local: RunVerdict;
  /** Looks at which the two verdicts (status and arm) agreed, of all looks. */
  agreeingLooks: number;
  looks: number;
  /** Per arm: outcomes and successes Hone counted vs what the simulator sent. */
  arms: { name: string; served: [number, number]; sent: [number, number] }[];
  requests: number;
}

/**
 * One experiment through the faces: a rule, create_experiment (control vs a model arm), decisions from hone.router()
 * with a request key per simulated user, outcomes recorded, and every `peekEvery` requests a flush and get_experiment.
 * The simulator keeps its own sums of what it sent and evaluates them in process at the same looks.
 */
export async function experimentEndToEnd(
  kind: 'A/B' | 'A/A',
  options: AccuracyOptions & { db: 'pglite' | 'postgres' },
): Promise<EndToEndResult> {
  const db = await createServerDatabase(options.db);
  const server = await startHoneServer({ env: { ...db.env, HONE_ADAPTIVE_RECOMPUTE_SECONDS: '3600' } });
  const hone = createHoneClient({
    url: server.url,
    timeoutMs: 60_000,
    track: { maxBatchItems: 1000, flushIntervalMs: 3_600_000, maxBufferedItems: 100_000 },
  });
  const faces = createFaces(server.url);
  try {
    const rates: Record<string, number> = { 'model-a': options.base, 'model-b': options.base + (kind === 'A/B' ? options.effect : 0) };
    const ruleId = await faces.saveRule({
      pattern: '\\bcheckout\\b',
      layer: 'balanced',
      model: 'model-a',
      priority: 10,
      reasoning: 'experiment bench',
    });
    const experimentId = await faces.createExperiment({
      name: `${kind} end to end`,
      ruleId,
      arms: [
        { name: 'control', variant: { kind: 'control' } },
        { name: 'candidate', variant: { kind: 'model', model: 'model-b' } },
      ],
    });
    const router = hone.router({ events: false, pollIntervalMs: 3_600_000 });
    if (!(await router.ready({ timeoutMs: 30_000 }))) throw new Error('the router got no snapshot');
    let state = await faces.getExperiment(experimentId);
    const armIndex = new Map(state.arms.map((arm, index) => [arm.id, index]));
    const sent = state.arms.map((arm) => emptyArm(arm.name));
    const random = mulberry32(mixSeed(options.seed, kind === 'A/B' ? 1 : 2, 5));
    let served: RunVerdict = { status: 'collecting', armIndex: null, outcomes: 0 };
    let local = served;
    let looks = 0;
    let agreeingLooks = 0;
    let requests = 0;
    while (requests < options.maxOutcomes) {
      const decision = router.decide(`checkout question ${requests}`, { requestKey: `user-${options.seed}-${requests}` });
      const index = decision.armId === null ? undefined : armIndex.get(decision.armId);
      if (index === undefined) throw new Error(`decision ${requests} fell in no arm of experiment #${experimentId}: ${decision.reasoning}`);
      const model = decision.model ?? 'model-a';
      const outcome = draw(rates[model]!, random);
      router.recordOutcome(decision, outcome);
      addOutcome(sent[index]!, outcome);
      requests++;
      if (requests % options.peekEvery === 0) {
        await hone.track.flush();
        state = await faces.getExperiment(experimentId);
        served = {
          status: state.status,
          armIndex: state.status === 'control_wins' ? 0 : state.winnerArmId === null ? null : (armIndex.get(state.winnerArmId) ?? null),
          outcomes: state.arms.reduce((sum, arm) => sum + arm.outcomes, 0),
        };
        local = peek(sent);
        looks++;
        if (served.status === local.status && served.armIndex === local.armIndex) agreeingLooks++;
        if (DECISIVE.has(served.status) || DECISIVE.has(local.status)) break;
        // A guard stop reaches the router with the snapshot.
        await router.refresh();
      }
    }
    await router.close();
    return {
      kind,
      served,
      local,
      agreeingLooks,
      looks,
      arms: state.arms.map((arm, index) => ({
        name: arm.name,
        served: [arm.outcomes, arm.successes],
        sent: [sent[index]!.outcomes, sent[index]!.successes],
      })),
      requests,
    };
  } finally {
    await hone.track.close();
    await server.stop();
    await db.drop();
  }
}
