// The learning simulator's world: a seeded stream of requests with a known answer. Each scenario names task types
// (their share of the traffic and a prompt generator), models with a hidden success probability, lognormal latency
// and cost per task type, one model that degrades on one task type at request D, and a cheaper model that appears at
// request N. The generator is pure: the same seed gives the same requests, and the same request served by the same
// model gives the same outcome in every strategy (common random numbers), so strategies differ only by their choices.
import type { RoutingLayer } from '../../packages/client/src/routing/types';
import { mixSeed, mulberry32, normal, pick, pickWeighted } from './random';
import { loadScenarioFile } from './scenario-file';

/** A model's hidden figures on one task type. */
export interface ModelTruth {
  /** Probability that a call succeeds. */
  success: number;
  /** Median latency (ms); latency is lognormal around it. */
  latencyMs: number;
  /** Mean cost of a call (USD). */
  cost: number;
}

export interface TaskTypeSpec {
  name: string;
  /** Share of the traffic (the shares of a scenario sum to 1). */
  share: number;
  /** A prompt of this task type. */
  prompt(random: () => number): string;
}

export interface RewardWeights {
  /** Reward lost per USD of cost. */
  costWeight: number;
  /** Reward lost per second of latency. */
  latencyWeight: number;
}

/** A routing rule as an operator saves it (update_routing_heuristic). */
export interface StaticRule {
  pattern: string;
  layer: RoutingLayer;
  model: string | null;
  priority: number;
  reasoning: string;
}

/**
 * Each task type's adaptive policy, as the bench saves it (save_routing_policy) and as the replay and the mirror check
 * compute its parameters: the scenario's reward weights and policy settings, no cost ceiling.
 */
export function scenarioPolicy(scenario: Scenario) {
  return { costWeight: scenario.reward.costWeight, latencyWeight: scenario.reward.latencyWeight, costCeiling: null, ...scenario.policy };
}

export interface Scenario {
  name: string;
  description: string;
  taskTypes: TaskTypeSpec[];
  /** Models available from the start. */
  models: string[];
  /** The cheaper model that appears at request N. */
  newModel: string;
  /** truth[model][taskType]: every model (the new one included) on every task type. */
  truth: Record<string, Record<string, ModelTruth>>;
  /** The model whose success drops by `drop` on `taskType` from request D on. */
  degrade: { model: string; taskType: string; drop: number };
  /** What the gateway runs for a layer when the decision names no model (strategies without adaptive choice). */
  layerModels: Record<RoutingLayer, string>;
  reward: RewardWeights;
  /** The adaptive policy's settings an operator would choose for this traffic. */
  policy: { explorationCap: number; minSamples: number; halfLife: number };
  /** The experiment strategy: the rule (by pattern) whose model is challenged, by these candidates in turn. */
  experiment: { rulePattern: string; candidates: string[] };
  /**
   * The static rules strategy's rules (the adaptive strategy keeps their layers, the experiment strategy challenges one
   * of them): the spec's (SPEC_RULES) unless a scenario file gives its own, e.g. for a model set without the spec's models.
   */
  staticRules: StaticRule[];
}

/** Lognormal spread of latency (σ of its log) and of cost. */
export const LATENCY_SIGMA = 0.5;
export const COST_SIGMA = 0.25;

/**
 * The spec's static rules: the active rules of the demo seed (server/demo/seed.ts), which start from the spec's own
 * example `.*implement.*algorithm.*` → deep / claude-sonnet-4.
 */
export const SPEC_RULES: StaticRule[] = [
  {
    pattern: '.*implement.*algorithm.*',
    layer: 'deep',
    model: 'claude-sonnet-4',
    priority: 100,
    reasoning: 'Algorithm implementation requires deep reasoning',
  },
  {
    pattern: '\\b(refactor|migrate)\\b',
    layer: 'deep',
    model: 'claude-sonnet-4',
    priority: 90,
    reasoning: 'Large code changes need long context and care',
  },
  {
    pattern: 'stack ?trace|exception|traceback',
    layer: 'balanced',
    model: 'gpt-4o',
    priority: 80,
    reasoning: 'Debugging benefits from a fast capable model',
  },
  { pattern: '^(hi|hello|hey|thanks)\\b', layer: 'fast', model: 'llama-3.1-8b', priority: 70, reasoning: 'Greetings need no reasoning' },
  {
    pattern: '\\b(summari[sz]e|tl;?dr)\\b',
    layer: 'fast',
    model: 'gemini-2.5-flash',
    priority: 60,
    reasoning: 'Summaries are cheap and fast on flash models',
  },
  {
    pattern: '\\b(sql|query)\\b.*optimi[sz]e',
    layer: 'deep',
    model: null,
    priority: 50,
    reasoning: 'Query optimisation needs deep reasoning',
  },
  {
    pattern: 'translate',
    layer: 'balanced',
    model: 'gpt-4o-mini',
    priority: 40,
    reasoning: 'Translation is well served by mid-size models',
  },
];

const LANGUAGES = ['TypeScript', 'Rust', 'Go', 'Python', 'Java', 'C++', 'Kotlin'];
const ALGORITHMS = ["Dijkstra's shortest-path", 'quicksort', 'A* search', 'union-find', 'Rabin-Karp', 'topological sort', 'LRU eviction'];
const MODULES = ['billing', 'auth', 'search', 'notifications', 'checkout', 'reporting', 'upload'];
const TOPICS = ['a product launch', 'the quarterly results', 'a meeting about hiring', 'an incident review', 'a research paper'];
const LANGS = ['French', 'German', 'Japanese', 'Spanish', 'Portuguese'];

/** A number tag so prompts are not all identical (the matcher sees distinct inputs). */
const tag = (random: () => number) => Math.floor(random() * 100_000);

const greeting = (random: () => number) =>
  `${pick(['hi', 'hello', 'hey', 'thanks'], random)} ${pick(['there', 'again', 'team', 'so much'], random)}, ${pick(
    ['how are you today?', 'that worked.', 'quick question for you.', 'good morning!'],
    random,
  )} #${tag(random)}`;

const summarize = (random: () => number) =>
  `${pick(['Please summarize', 'Can you summarise', 'Give me a tl;dr of', 'tldr of'], random)} ${pick(TOPICS, random)} in ${pick(
    ['three bullet points', 'one paragraph', 'two sentences'],
    random,
  )}: notes ${tag(random)}.`;

/** Coding assistant traffic: the spec's coding rules fire on most of it. */
const CODING: Scenario = {
  name: 'coding',
  description: 'a coding assistant: algorithms, refactors, debugging, chat, summaries and general questions',
  taskTypes: [
    {
      name: 'algorithm',
      share: 0.15,
      prompt: (r) =>
        `${pick(['Please', 'Can you', 'Could you'], r)} implement the ${pick(ALGORITHMS, r)} algorithm in ${pick(LANGUAGES, r)} with tests (task ${tag(r)}).`,
    },
    {
      name: 'refactor',
      share: 0.15,
      prompt: (r) =>
        `${pick(['Please refactor', 'Help me refactor', 'We need to migrate'], r)} the ${pick(MODULES, r)} module to ${pick(LANGUAGES, r)} without changing its interface (ticket ${tag(r)}).`,
    },
    {
      name: 'debugging',
      share: 0.25,
      prompt: (r) =>
        `${pick(['I get this stack trace', 'It throws an exception', 'Here is the traceback', 'See the stacktrace'], r)} in the ${pick(MODULES, r)} service after deploy ${tag(r)}; what is wrong?`,
    },
    { name: 'chat', share: 0.15, prompt: greeting },
    { name: 'summarize', share: 0.15, prompt: summarize },
    {
      name: 'general',
      share: 0.15,
      prompt: (r) =>
        `${pick(['What is the difference between', 'Explain when to use', 'Compare'], r)} ${pick(['channels and mutexes', 'arrays and linked lists', 'REST and gRPC', 'threads and processes'], r)} in ${pick(LANGUAGES, r)} (${tag(r)}).`,
    },
  ],
  models: ['claude-sonnet-4', 'gpt-4o', 'gpt-4o-mini', 'llama-3.1-8b', 'gemini-2.5-flash'],
  newModel: 'deepseek-v3',
  truth: table(
    {
      'claude-sonnet-4': { latencyMs: 2500, cost: 0.015 },
      'gpt-4o': { latencyMs: 1400, cost: 0.008 },
      'gpt-4o-mini': { latencyMs: 700, cost: 0.0009 },
      'llama-3.1-8b': { latencyMs: 250, cost: 0.0001 },
      'gemini-2.5-flash': { latencyMs: 450, cost: 0.0005 },
      'deepseek-v3': { latencyMs: 1100, cost: 0.0012 },
    },
    {
      //                claude  gpt-4o  mini   llama  flash  deepseek
      algorithm: [0.95, 0.86, 0.7, 0.4, 0.62, 0.94],
      refactor: [0.92, 0.85, 0.72, 0.45, 0.65, 0.9],
      debugging: [0.9, 0.92, 0.75, 0.45, 0.7, 0.86],
      chat: [0.99, 0.99, 0.985, 0.97, 0.97, 0.98],
      summarize: [0.97, 0.96, 0.93, 0.8, 0.94, 0.93],
      general: [0.95, 0.93, 0.9, 0.7, 0.85, 0.91],
    },
  ),
  degrade: { model: 'gpt-4o', taskType: 'debugging', drop: 0.3 },
  layerModels: { fast: 'gpt-4o-mini', balanced: 'gpt-4o', deep: 'claude-sonnet-4' },
  reward: { costWeight: 5, latencyWeight: 0.02 },
  policy: { explorationCap: 0.1, minSamples: 20, halfLife: 200 },
  experiment: { rulePattern: 'stack ?trace|exception|traceback', candidates: ['claude-sonnet-4', 'deepseek-v3'] },
  staticRules: SPEC_RULES,
};

/** Customer-support traffic with another model set: greetings, translation, summaries, SQL, classification, extraction. */
const SUPPORT: Scenario = {
  name: 'support',
  description: 'a support desk: greetings, translation, summaries, SQL help, ticket classification and extraction',
  taskTypes: [
    { name: 'greeting', share: 0.15, prompt: greeting },
    {
      name: 'translate',
      share: 0.2,
      prompt: (r) =>
        `Please translate this reply into ${pick(LANGS, r)}: "Your refund ${tag(r)} was sent and should arrive within ${pick(['two', 'five', 'ten'], r)} days."`,
    },
    { name: 'summarize', share: 0.25, prompt: summarize },
    {
      name: 'sql',
      share: 0.1,
      prompt: (r) =>
        `This ${pick(['query', 'sql'], r)} is slow, please ${pick(['optimise', 'optimize'], r)} it: SELECT * FROM orders WHERE customer_id = ${tag(r)} ORDER BY created_at;`,
    },
    {
      name: 'classify',
      share: 0.15,
      prompt: (r) =>
        `Classify ticket ${tag(r)} as billing, bug or feature request: "${pick(['I was charged twice', 'The export button does nothing', 'Please add dark mode'], r)}".`,
    },
    {
      name: 'extract',
      share: 0.15,
      prompt: (r) =>
        `Extract the order number and delivery date from this email: "Order ${tag(r)} will arrive on ${pick(['Monday', 'June 3', 'the 14th'], r)}."`,
    },
  ],
  models: ['llama-3.1-8b', 'gpt-4o-mini', 'gemini-2.5-flash', 'gemini-2.5-pro', 'mistral-small', 'llama-3.1-70b'],
  newModel: 'qwen-2.5-72b',
  truth: table(
    {
      'llama-3.1-8b': { latencyMs: 250, cost: 0.0001 },
      'gpt-4o-mini': { latencyMs: 700, cost: 0.0009 },
      'gemini-2.5-flash': { latencyMs: 450, cost: 0.0005 },
      'gemini-2.5-pro': { latencyMs: 2200, cost: 0.012 },
      'mistral-small': { latencyMs: 500, cost: 0.0004 },
      'llama-3.1-70b': { latencyMs: 950, cost: 0.0011 },
      'qwen-2.5-72b': { latencyMs: 800, cost: 0.0006 },
    },
    {
      //          llama8b mini  flash  pro   mistral 70b   qwen
      greeting: [0.97, 0.985, 0.97, 0.99, 0.975, 0.98, 0.98],
      translate: [0.7, 0.9, 0.86, 0.95, 0.91, 0.92, 0.94],
      summarize: [0.75, 0.9, 0.93, 0.96, 0.88, 0.91, 0.92],
      sql: [0.4, 0.7, 0.62, 0.9, 0.65, 0.8, 0.85],
      classify: [0.8, 0.92, 0.91, 0.96, 0.9, 0.93, 0.95],
      extract: [0.6, 0.88, 0.8, 0.95, 0.84, 0.9, 0.9],
    },
  ),
  degrade: { model: 'gemini-2.5-flash', taskType: 'summarize', drop: 0.3 },
  layerModels: { fast: 'gemini-2.5-flash', balanced: 'gpt-4o-mini', deep: 'gemini-2.5-pro' },
  reward: { costWeight: 10, latencyWeight: 0.05 },
  policy: { explorationCap: 0.1, minSamples: 20, halfLife: 200 },
  experiment: { rulePattern: '\\b(summari[sz]e|tl;?dr)\\b', candidates: ['gpt-4o-mini', 'qwen-2.5-72b'] },
  staticRules: SPEC_RULES,
};

export const SCENARIOS: Record<string, Scenario> = { coding: CODING, support: SUPPORT };

/** truth[model][taskType] from per-model latency/cost and per-task-type success rows (models in the order given). */
function table(
  models: Record<string, { latencyMs: number; cost: number }>,
  success: Record<string, number[]>,
): Record<string, Record<string, ModelTruth>> {
  const names = Object.keys(models);
  return Object.fromEntries(
    names.map((model, column) => [
      model,
      Object.fromEntries(Object.entries(success).map(([taskType, row]) => [taskType, { ...models[model]!, success: row[column]! }])),
    ]),
  );
}

export interface SimulationOptions {
  seed: number;
  requests: number;
  /** Request index from which the degraded model is worse. */
  degradeAt: number;
  /** Request index from which the new model is available. */
  newModelAt: number;
}

/** One request of the stream. */
export interface SimRequest {
  index: number;
  taskType: string;
  prompt: string;
  /** Requests of one conversation share a key (three in a row), so an experiment keeps a conversation in one arm. */
  requestKey: string;
}

export interface SimOutcome {
  success: boolean;
  latencyMs: number;
  cost: number;
}

/** The world of one run: a scenario with its seed and event times. Pure functions of (request index, model). */
export class World {
  readonly taskTypeNames: string[];
  private readonly shares: number[];

  constructor(
    readonly scenario: Scenario,
    readonly options: SimulationOptions,
  ) {
    this.taskTypeNames = scenario.taskTypes.map((taskType) => taskType.name);
    this.shares = scenario.taskTypes.map((taskType) => taskType.share);
  }

  request(index: number): SimRequest {
    const random = mulberry32(mixSeed(this.options.seed, index, 1));
    const spec = this.scenario.taskTypes[pickWeighted(this.shares, random)]!;
    return {
      index,
      taskType: spec.name,
      prompt: spec.prompt(random),
      requestKey: `conversation-${this.options.seed}-${Math.floor(index / 3)}`,
    };
  }

  /** Models an operator can route to at request `index`. */
  available(index: number): string[] {
    return index >= this.options.newModelAt ? [...this.scenario.models, this.scenario.newModel] : this.scenario.models;
  }

  /** The hidden figures of a model on a task type at request `index` (the degradation applied). */
  truth(model: string, taskType: string, index: number): ModelTruth {
    const figures = this.scenario.truth[model]?.[taskType];
    if (!figures) throw new Error(`scenario ${this.scenario.name} has no truth for ${model} on ${taskType}`);
    const { degrade } = this.scenario;
    if (index >= this.options.degradeAt && model === degrade.model && taskType === degrade.taskType) {
      return { ...figures, success: Math.max(0, figures.success - degrade.drop) };
    }
    return figures;
  }

  /** Expected reward of serving request `index` (of `taskType`) with `model`. */
  expectedReward(model: string, taskType: string, index: number): number {
    const { success, latencyMs, cost } = this.truth(model, taskType, index);
    const meanLatencyS = (latencyMs * Math.exp((LATENCY_SIGMA * LATENCY_SIGMA) / 2)) / 1000;
    return success - this.scenario.reward.costWeight * cost - this.scenario.reward.latencyWeight * meanLatencyS;
  }

  /** The oracle: the available model with the best expected reward for the task type at that request. */
  oracle(taskType: string, index: number): { model: string; reward: number } {
    let best = { model: '', reward: -Infinity };
    for (const model of this.available(index)) {
      const reward = this.expectedReward(model, taskType, index);
      if (reward > best.reward) best = { model, reward };
    }
    return best;
  }

  /** What happens when request `index` is served by `model`: the same draws for every model (common random numbers). */
  outcome(model: string, taskType: string, index: number): SimOutcome {
    const { success, latencyMs, cost } = this.truth(model, taskType, index);
    const random = mulberry32(mixSeed(this.options.seed, index, 2));
    const u = random();
    const latency = latencyMs * Math.exp(LATENCY_SIGMA * normal(random));
    const costDraw = cost * Math.exp(COST_SIGMA * normal(random) - (COST_SIGMA * COST_SIGMA) / 2);
    return { success: u < success, latencyMs: Math.round(latency), cost: Number(costDraw.toPrecision(6)) };
  }

  /** The reward an outcome earned (the policy's formula). */
  reward(outcome: SimOutcome): number {
    const { costWeight, latencyWeight } = this.scenario.reward;
    return (outcome.success ? 1 : 0) - costWeight * outcome.cost - (latencyWeight * outcome.latencyMs) / 1000;
  }
}

/**
 * Reads --seed, --requests, --degrade-at, --new-model-at and --scenario or --scenario-file (scenario-file.ts) (defaults: 1,
 * 50 000, 40 % and 60 % of the run, coding).
 */
export function simulationOptions(options: Record<string, string>): { scenario: Scenario; simulation: SimulationOptions } {
  const file = options['scenario-file'];
  if (file !== undefined && options.scenario !== undefined)
    throw new Error('--scenario and --scenario-file exclude each other: a scenario file extends a built-in one with "extends"');
  const scenario = file !== undefined ? loadScenarioFile(file, SCENARIOS) : SCENARIOS[options.scenario ?? 'coding'];
  if (!scenario) throw new Error(`unknown --scenario=${options.scenario}; the scenarios are ${Object.keys(SCENARIOS).join(', ')}`);
  const integer = (name: string, fallback: number) => {
    const text = options[name];
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer, got ${text}`);
    return value;
  };
  const requests = integer('requests', 50_000);
  return {
    scenario,
    simulation: {
      seed: integer('seed', 1),
      requests,
      degradeAt: integer('degrade-at', Math.round(requests * 0.4)),
      newModelAt: integer('new-model-at', Math.round(requests * 0.6)),
    },
  };
}
