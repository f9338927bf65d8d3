// The simulator's one door to Hone's tools: REST calls (POST /tools/<name>) with the inputs an operator would send.
// Everything the simulator asks of the ADAPTIVE and EXPERIMENTS tools goes through here, so a change in their
// answers is fixed in one place.
import type { ExperimentVariant, RoutingLayer } from '../../packages/client/src/routing/types';
import type { ExperimentDto } from '../../server/services/experiments/experiments';

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
  costCeiling?: number | null;
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

export type VerdictStatus = ExperimentDto['verdict']['status'];

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

/** Reads get_experiment's answer (ExperimentDto): the verdict, the arm it names, and each arm's counts. */
export function readExperimentState(answer: ExperimentDto): ExperimentState {
  const { verdict } = answer;
  return {
    status: verdict.status,
    winnerArmId: verdict.armId ?? null,
    effect: verdict.effect ?? null,
    text: verdict.text,
    arms: answer.arms.map((arm) => ({
      id: arm.id,
      name: arm.name,
      decisions: arm.decisions,
      outcomes: arm.outcomes,
      successes: arm.successes,
    })),
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
      if (typeof answer.id !== 'number')
        throw new Error(`create_experiment answered without an id: ${JSON.stringify(answer).slice(0, 300)}`);
      return answer.id;
    },
    async getExperiment(id) {
      return readExperimentState(await call<ExperimentDto>('get_experiment', { id }));
    },
    async stopExperiment(id, promoteArmId) {
      await call('stop_experiment', promoteArmId === undefined ? { id } : { id, promoteArmId });
    },
  };
}
