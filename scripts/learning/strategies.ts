// The four strategies, each on a fresh Hone (its own scratch database and `next start`), driven as a gateway would:
// hone.router() decides in process, the gateway serves the request with the chosen model (or the layer's model), the
// outcome drawn from the hidden truth is recorded with router.recordOutcome, and every `step` requests (a simulated
// minute) the tracker is flushed, the adaptive parameters are recomputed (REST recompute_routing_policies) and the
// router reloads its snapshot.
import { performance } from 'node:perf_hooks';
import { createHoneClient } from '../../server/hone-client';
import { createServerDatabase, startHoneServer } from '../../server/testing/hone-server';
import { createFaces, type Faces } from './faces';
import { DegradationDetector, RegretAccount, type DetectionResult } from './metrics';
import { mixSeed, mulberry32 } from './random';
import { MirrorCheck } from './mirror-check';
import { scenarioPolicy, type World } from './scenario';

export const STRATEGIES = ['default', 'static', 'adaptive', 'experiment'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export const STRATEGY_LABELS: Record<StrategyName, string> = {
  default: 'default layer only',
  static: 'static rules',
  adaptive: 'Hone adaptive',
  experiment: 'experiment + promote',
};

export interface StrategyResult {
  name: StrategyName;
  account: RegretAccount;
  detection: DetectionResult;
  /** What happened on the way (experiment verdicts, promotions, the new model). */
  events: string[];
  seconds: number;
  /** Items the tracker could not deliver (should be 0). */
  trackerProblems: string[];
  /** Adaptive: the server's parameters checked against the JS mirror the replay tunes on. */
  mirror?: MirrorCheck;
}

export interface RunContext {
  db: 'pglite' | 'postgres';
  step: number;
  log: (line: string) => void;
}

/** A running experiment of the experiment strategy. */
interface RunningExperiment {
  id: number;
  candidate: string;
  startedAt: number;
}

export async function runStrategy(name: StrategyName, world: World, context: RunContext): Promise<StrategyResult> {
  const { scenario, options } = world;
  const started = performance.now();
  const db = await createServerDatabase(context.db);
  // The recompute is left to the lockstep (one per simulated minute, at the same point each run): the background job
  // runs at its longest allowed interval, an hour, longer than a strategy's run.
  const server = await startHoneServer({ env: { ...db.env, HONE_ADAPTIVE_RECOMPUTE_SECONDS: '3600' } });
  const trackerProblems: string[] = [];
  const hone = createHoneClient({
    url: server.url,
    timeoutMs: 60_000,
    track: {
      maxBatchItems: 1000,
      flushIntervalMs: 3_600_000,
      maxBufferedItems: 200_000,
      onError: (problem) => trackerProblems.push(`${problem.kind}: ${problem.message}`),
    },
  });
  const faces = createFaces(server.url);
  const events: string[] = [];
  const account = new RegretAccount(world, context.step);
  const detector = new DegradationDetector(scenario.degrade.model, scenario.degrade.taskType, options.degradeAt);
  const random = mulberry32(mixSeed(options.seed, STRATEGIES.indexOf(name), 3));
  const mirror = name === 'adaptive' ? new MirrorCheck(scenarioPolicy(scenario)) : undefined;
  try {
    const ruleIds = new Map<string, number>();
    if (name !== 'default') {
      for (const rule of scenario.staticRules) {
        // Adaptive: the rules still pick layers, the task type's policy picks the model.
        ruleIds.set(rule.pattern, await faces.saveRule(name === 'adaptive' ? { ...rule, model: null } : rule));
      }
    }
    const savePolicies = async (candidates: string[]) => {
      for (const taskType of world.taskTypeNames) {
        await faces.savePolicy({
          name: `${scenario.name}-${taskType}`,
          taskType,
          candidates,
          ...scenarioPolicy(scenario),
        });
      }
    };
    if (name === 'adaptive') await savePolicies(scenario.models);

    // The experiment strategy challenges one rule's model with each candidate in turn, promoting winners.
    const experimentRule = ruleIds.get(scenario.experiment.rulePattern);
    let ruleModel = scenario.staticRules.find((rule) => rule.pattern === scenario.experiment.rulePattern)?.model ?? null;
    const queue = [...scenario.experiment.candidates];
    let running: RunningExperiment | null = null;
    const startNextExperiment = async (at: number) => {
      while (!running && queue.length && world.available(at).includes(queue[0]!)) {
        const candidate = queue.shift()!;
        if (candidate === ruleModel) continue;
        const id = await faces.createExperiment({
          name: `${ruleModel ?? 'layer model'} vs ${candidate} (request ${at})`,
          ruleId: experimentRule!,
          arms: [
            { name: 'control', variant: { kind: 'control' } },
            { name: candidate, variant: { kind: 'model', model: candidate } },
          ],
        });
        running = { id, candidate, startedAt: at };
        events.push(`request ${at}: experiment #${id} ${ruleModel} vs ${candidate} started`);
      }
    };
    const checkExperiment = async (at: number) => {
      if (!running) return;
      const state = await faces.getExperiment(running.id);
      if (state.status === 'winner' || state.status === 'control_wins' || state.status === 'no_difference') {
        const winner = state.arms.find((arm) => arm.id === state.winnerArmId);
        const promote = state.status === 'winner' && winner && winner.id !== state.arms[0]?.id ? winner.id : undefined;
        await faces.stopExperiment(running.id, promote);
        const counts = state.arms.map((arm) => `${arm.name} ${arm.successes}/${arm.outcomes}`).join(', ');
        events.push(
          `request ${at}: experiment #${running.id} verdict ${state.status}${promote ? `, promoted ${running.candidate}` : ''} after ${at - running.startedAt} requests (${counts})`,
        );
        if (promote) ruleModel = running.candidate;
        running = null;
        await startNextExperiment(at);
      } else if (state.status === 'stopped' || state.status === 'promoted') {
        events.push(`request ${at}: experiment #${running.id} ${state.status} by Hone (${state.text})`);
        running = null;
        await startNextExperiment(at);
      }
    };
    if (name === 'experiment') await startNextExperiment(0);

    const router = hone.router({ events: false, pollIntervalMs: 3_600_000 });
    if (!(await router.ready({ timeoutMs: 30_000 }))) throw new Error(`the router got no snapshot: ${router.status().lastError}`);
    let lastLog = performance.now();
    for (let index = 0; index < options.requests; index++) {
      if (index === options.newModelAt && options.newModelAt > 0) {
        // The operator adds the new model where Hone can use it: to the policies' candidates, or as an experiment arm.
        if (name === 'adaptive') {
          await savePolicies([...scenario.models, scenario.newModel]);
          events.push(`request ${index}: ${scenario.newModel} added to the policies' candidates`);
        }
        if (name === 'experiment') await startNextExperiment(index);
        await router.refresh();
        mirror?.refreshed();
      }
      const request = world.request(index);
      const decision = router.decide(request.prompt, { taskType: request.taskType, requestKey: request.requestKey, random });
      const model = decision.model ?? scenario.layerModels[decision.layer];
      if (!world.available(index).includes(model)) throw new Error(`request ${index}: ${name} chose ${model}, which is not available`);
      const outcome = world.outcome(model, request.taskType, index);
      router.recordOutcome(decision, { ...outcome, ...(decision.model === null && { modelId: model }) });
      account.record(index, request.taskType, model, world.reward(outcome));
      detector.observe(index, request.taskType, model);
      mirror?.observe(index, request.taskType, decision.choice, { model, ...outcome });
      if ((index + 1) % context.step === 0) {
        await hone.track.flush();
        if (name === 'adaptive') await faces.recomputePolicies();
        if (name === 'experiment') await checkExperiment(index + 1);
        await router.refresh();
        mirror?.refreshed();
      }
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        context.log(`  ${STRATEGY_LABELS[name]}: ${index + 1}/${options.requests} requests, regret ${account.regret.toFixed(1)}`);
      }
    }
    await hone.track.flush();
    await router.close();
  } finally {
    await hone.track.close?.();
    await server.stop();
    await db.drop();
  }
  return {
    name,
    account,
    detection: detector.result(),
    events,
    seconds: (performance.now() - started) / 1000,
    trackerProblems,
    ...(mirror && { mirror }),
  };
}

export type { Faces };
