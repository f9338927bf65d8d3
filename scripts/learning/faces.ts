// The simulator's one door to Hone's tools: REST calls (POST /tools/<name>) with the inputs an operator would send.
// Everything the simulator asks of the ADAPTIVE and EXPERIMENTS tools goes through here, so a change in their
// answers is fixed in one place.
import type { ExperimentVariant, RoutingLayer } from '../../packages/client/src/routing/types';

export class ToolError extends Error {
  constructor(
    readonly tool: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${tool} answered ${status}: ${body.slice(0, 500)}`);
  }
}

export interface Faces {
  call<T = unknown>(tool: string, input?: unknown): Promise<T>;
  saveRule(rule: { pattern: string; layer: RoutingLayer; model: string | null; priority: number; reasoning: string }): Promise<number>;
  savePolicy(policy: PolicyInput): Promise<void>;
  recomputePolicies(): Promise<void>;
  createExperiment(input: ExperimentInput): Promise<number>;
  getExperiment(id: number): Promise<ExperimentState>;
  stopExperiment(id: number, promoteArmId?: number): Promise<void>;
}

export interface PolicyInput {
  name: string;
  taskType?: string;
  candidates: string[];
  costWeight?: number;
  latencyWeight?: number;
  costCeiling?: number;
  explorationCap?: number;
  minSamples?: number;
  halfLife?: number;
  enabled?: boolean;
}

export interface ExperimentInput {
  name: string;
  ruleId: number;
  taskType?: string;
  arms: { name: string; weight?: number; variant: ExperimentVariant }[];
  alpha?: number;
  minOutcomes?: number;
}

export type VerdictStatus = 'collecting' | 'running' | 'winner' | 'control_wins' | 'no_difference' | 'stopped' | 'promoted';

/** What the simulator reads of get_experiment: the verdict and each arm's id and counts. */
export interface ExperimentState {
  status: VerdictStatus;
  /** The winning arm's id when the verdict names one (winner, control_wins). */
  winnerArmId: number | null;
  effect: number | null;
  text: string;
  arms: { id: number; name: string; decisions: number; outcomes: number; successes: number }[];
}

type Json = Record<string, unknown>;

const numberOr = (value: unknown, fallback: number | null = null): number | null => (typeof value === 'number' ? value : fallback);

/** Reads get_experiment's answer, tolerating where the arm of the verdict is named (arm object, armId or armIndex). */
export function readExperimentState(answer: Json): ExperimentState {
  const root = (answer.experiment as Json | undefined) ?? answer;
  const rawArms = ((answer.arms ?? root.arms) as Json[] | undefined) ?? [];
  const arms = rawArms.map((arm) => ({
    id: numberOr(arm.id ?? arm.armId)!,
    name: String(arm.name ?? ''),
    decisions: numberOr(arm.decisions, 0)!,
    outcomes: numberOr(arm.outcomes, 0)!,
    successes: numberOr(arm.successes, 0)!,
  }));
  const verdict = ((answer.verdict ?? root.verdict) as Json | undefined) ?? {};
  const arm = verdict.arm as Json | number | string | undefined;
  let winnerArmId: number | null = null;
  if (typeof arm === 'object' && arm !== null) winnerArmId = numberOr(arm.id ?? arm.armId);
  else if (typeof arm === 'number') winnerArmId = arm;
  winnerArmId ??= numberOr(verdict.armId);
  if (winnerArmId === null && typeof verdict.armIndex === 'number') winnerArmId = arms[verdict.armIndex]?.id ?? null;
  const effect = verdict.effect as Json | number | undefined;
  return {
    status: verdict.status as VerdictStatus,
    winnerArmId,
    effect: typeof effect === 'number' ? effect : numberOr((effect as Json | undefined)?.estimate ?? (effect as Json | undefined)?.value),
    text: String(verdict.text ?? ''),
    arms,
  };
}

export function createFaces(url: string, apiKey?: string): Faces {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(apiKey && { authorization: `Bearer ${apiKey}` }) };
  async function call<T>(tool: string, input: unknown = {}): Promise<T> {
    const response = await fetch(`${url}/tools/${tool}`, { method: 'POST', headers, body: JSON.stringify(input) });
    const text = await response.text();
    if (!response.ok) throw new ToolError(tool, response.status, text);
    return JSON.parse(text) as T;
  }
  return {
    call,
    async saveRule(rule) {
      const answer = await call<{ heuristic: { id: number } }>('update_routing_heuristic', {
        pattern: rule.pattern,
        preferredLayer: rule.layer,
        preferredModel: rule.model,
        priority: rule.priority,
        reasoning: rule.reasoning,
        active: true,
      });
      return answer.heuristic.id;
    },
    async savePolicy(policy) {
      await call('save_routing_policy', policy);
    },
    async recomputePolicies() {
      await call('recompute_routing_policies', {});
    },
    async createExperiment(input) {
      const answer = await call<Json>('create_experiment', input);
      const id = numberOr(answer.id ?? (answer.experiment as Json | undefined)?.id);
      if (id === null) throw new Error(`create_experiment answered without an id: ${JSON.stringify(answer).slice(0, 300)}`);
      return id;
    },
    async getExperiment(id) {
      return readExperimentState(await call<Json>('get_experiment', { id }));
    },
    async stopExperiment(id, promoteArmId) {
      await call('stop_experiment', promoteArmId === undefined ? { id } : { id, promoteArmId });
    },
  };
}
