// Types of the routing engine (decide.js, pattern-set.js, pattern-compiler.js). The engine itself is plain JavaScript
// typed by JSDoc, so that the server's match worker runs it as is (Node, no build step) while the client package compiles
// it with the rest (ESM and CommonJS, declarations generated from these types).

export type RoutingLayer = 'fast' | 'balanced' | 'deep';

/** A rule as the snapshot carries it: one immutable version of an active or shadow rule. */
export interface SnapshotRule {
  ruleId: number;
  versionId: number;
  version: number;
  pattern: string;
  layer: RoutingLayer;
  model: string | null;
  priority: number;
  state: 'active' | 'shadow';
  reasoning: string | null;
  /** An adaptive policy choosing this rule's model among candidates (wins over `model`); null or absent: none. */
  policyId?: number | null;
}

/** What a policy knows of one candidate model for one task type, recomputed by Hone from outcomes. */
export interface PolicyArmParams {
  model: string;
  /** Share of the traffic this model gets: its posterior probability of being best (Thompson), after the exploration cap. */
  share: number;
  /** Whether it has the policy's minimum sample (outcomes within the window read): an untrusted model only gets exploration traffic. */
  trusted: boolean;
  /** Discounted number of outcomes behind the figures, and the raw number of outcomes read. */
  effectiveSamples: number;
  outcomes: number;
  /** Posterior mean success rate (Beta(1 + successes, 1 + failures) on discounted counts). */
  successMean: number;
  /** Mean cost (USD) and latency (ms) per call; null when no outcome reported one. */
  costMean: number | null;
  latencyMsMean: number | null;
  /** Posterior mean reward: successMean - costWeight * costMean - latencyWeight * latencyMsMean / 1000. */
  rewardMean: number;
  /** Why the model gets no traffic, when it gets none (e.g. 'cost_ceiling'). */
  excluded?: string;
}

/** An adaptive policy as the snapshot carries it, with its current parameters per task type. */
export interface SnapshotPolicy {
  policyId: number;
  name: string;
  /** Set: the policy also decides the model for this task type where no rule's model or policy does. */
  taskType: string | null;
  candidates: string[];
  explorationCap: number;
  minSamples: number;
  /** Parameters per task type ('' = every task type of the policy); missing: uniform over the candidates. */
  params: Record<string, { computedAt: string; arms: PolicyArmParams[] }>;
}

/** Why a policy chose a model: the shares and posterior figures it chose from. */
export interface ModelChoice {
  policyId: number;
  policyName: string;
  /** The task type whose parameters were used ('' = the policy's all-task-types row; null = none yet, uniform). */
  paramsTaskType: string | null;
  model: string;
  share: number;
  /** Whether the chosen model is not the one with the best posterior mean reward (exploration). */
  explored: boolean;
  arms: { model: string; share: number; rewardMean: number; successMean: number; effectiveSamples: number; trusted: boolean }[];
}

/** How one arm of an experiment changes the decisions of the experiment's rule. */
export type ExperimentVariant =
  | { kind: 'control' }
  | { kind: 'model'; model: string }
  | { kind: 'layer'; layer: RoutingLayer; model?: string | null }
  | { kind: 'policy'; policyId: number }
  | { kind: 'rule'; pattern?: string; layer?: RoutingLayer; model?: string | null; priority?: number };

export interface SnapshotExperimentArm {
  armId: number;
  name: string;
  /** 0 once stopped (the guard, or by hand): its traffic goes to the control. */
  weight: number;
  variant: ExperimentVariant;
}

/** A running experiment: decisions of `ruleId` (of `taskType`, when set) are split between arms by a stable hash. */
export interface SnapshotExperiment {
  experimentId: number;
  name: string;
  ruleId: number;
  taskType: string | null;
  salt: string;
  /** The first arm is the control. */
  arms: SnapshotExperimentArm[];
}

/** Per decision: the task type (adaptive parameters, experiment scope), the request key (experiment arm), randomness. */
export interface DecideOptions {
  taskType?: string | undefined;
  /** Keeps a conversation in one experiment arm (e.g. the conversation id); the decisionId when absent. */
  requestKey?: string | undefined;
  /** Uniform in [0, 1): Math.random when absent (a simulator passes a seeded one). */
  random?: (() => number) | undefined;
}

/** What a decision needs to know, served to gateways (with `version` as its ETag) and used by the server itself. */
export interface RoutingSnapshot {
  /** Opaque; changes whenever any rule's version changes. */
  version: string;
  defaultLayer: RoutingLayer;
  /** Active and shadow rules in evaluation order (priority descending, most recently updated, id). */
  rules: SnapshotRule[];
  /** Whether decisions' inputs are sampled for replay, and at most how many per hour. */
  sampling: { storeInputs: boolean; samplesPerHour: number };
  /** Enabled adaptive policies with their current parameters (absent from an older Hone: none). */
  policies?: SnapshotPolicy[];
  /** Running experiments (absent from an older Hone: none). */
  experiments?: SnapshotExperiment[];
}

export interface ShadowMatch {
  ruleId: number;
  versionId: number;
  /** Whether it ranks ahead of the deciding rule (or no active rule matched): had it been active, it would have decided. */
  wouldDecide: boolean;
  /** The version it would have displaced; null when it would have displaced the default layer, or displaces nothing. */
  displacedVersionId: number | null;
}

export interface Decision {
  decisionId: string;
  layer: RoutingLayer;
  model: string | null;
  ruleId: number | null;
  versionId: number | null;
  pattern: string | null;
  reasoning: string;
  shadow: ShadowMatch[];
  /** The adaptive policy that chose `model`, and why (null: the rule's or layer's fixed model). */
  policyId: number | null;
  choice: ModelChoice | null;
  /** The experiment and arm this decision fell in (null: none). */
  experimentId: number | null;
  armId: number | null;
  /** Set when matching was cut off (the server's worker ran out of time): the default layer answered. */
  cutOff?: string;
}

/** Indices into `snapshot.rules`: the first active rule that matched (-1: none) and every shadow rule that matched. */
export interface SnapshotMatch {
  ruleIndex: number;
  shadowIndices: number[];
  /**
   * Only for running experiments with an arm that changes the rule's pattern or priority, and only when the input
   * concerns one (the rule or a variant matches): what deciding per arm needs. Absent otherwise.
   */
  experiments?: ExperimentMatch[];
}

/** For one experiment with pattern/priority variants: the variants that match, and every active rule that matches. */
export interface ExperimentMatch {
  experimentId: number;
  /** Arms whose variant pattern matches the input. */
  variantArmIds: number[];
  /** Indexes into snapshot.rules of every matching active rule, in evaluation order. */
  activeIndices: number[];
}

export interface CompiledSnapshot {
  readonly snapshot: RoutingSnapshot;
  /** Rules left out because their pattern does not compile: index into snapshot.rules, and why. */
  readonly unusable: readonly { index: number; reason: string }[];
  match(input: string): SnapshotMatch;
}

/**
 * A condition on which literals occur in an input: exact UTF-16 strings, or with `caseInsensitive` ASCII compared
 * without regard to case.
 */
export type RequiredLiterals =
  | {
      readonly literal: string;
      readonly caseInsensitive?: boolean;
      /** Found only where no word character (ASCII letter, digit, _) precedes it: the pattern has `\b` before it. */
      readonly wordBefore?: boolean;
      /** Found only where no word character follows it: the pattern has `\b` after it. */
      readonly wordAfter?: boolean;
    }
  | { readonly allOf: readonly RequiredLiterals[] }
  | { readonly anyOf: readonly RequiredLiterals[] };

export interface CompiledPattern {
  readonly pattern: string;
  /** The pattern in RE2 syntax (JavaScript syntax translated), as RE2 compiles it. */
  readonly source: string;
  /** Whether every match starts at the beginning of the input (`^…` without the m flag): a failing run is then short. */
  readonly anchoredAtStart: boolean;
  /** What the pattern cannot match without: an input lacking it is not matched. Null when nothing can be shown. */
  readonly requiredLiterals: RequiredLiterals | null;
  /**
   * Character classes (ranges [lo, hi, …] in code points) the input must hold a character of each, or the pattern
   * cannot match. Empty when nothing can be shown.
   */
  readonly requiredClasses: readonly (readonly number[])[];
  /** re2js's simplified syntax tree of the (translated) pattern, for tools reasoning about what it matches. */
  readonly syntaxTree: PatternSyntaxNode;
  /** Whether the pattern matches anywhere in the first MATCHED_INPUT_CHARS characters of the input. */
  test(input: string): boolean;
}

export type PatternCompilation = { ok: true; compiled: CompiledPattern } | { ok: false; reason: string };

/** A node of re2js's simplified syntax tree. */
export interface PatternSyntaxNode {
  readonly op: number;
  readonly flags: number;
  /** Literal: its code points; character class: pairs of inclusive code point ranges. */
  readonly runes: Int32Array;
  readonly subs: readonly PatternSyntaxNode[];
  /** Counted repetition bounds (max -1: unbounded). */
  readonly min: number;
  readonly max: number;
}

export interface CompiledPatternSet {
  /** Patterns left out because they do not compile: their index in the given order and why. */
  readonly unusable: readonly { index: number; reason: string }[];
  /** Each pattern compiled, by index; null for an unusable one. */
  readonly compiled: readonly (CompiledPattern | null)[];
  /** Index of the first pattern, in the given order, that matches the input (its first MATCHED_INPUT_CHARS characters), or -1. */
  firstMatchIndex(input: string): number;
  /**
   * In one pass: the first matching pattern among those not flagged in `collect` (-1 when none), and every matching
   * pattern among those flagged, in order (shadow rules: counted whenever they match, never deciding). `collect` is
   * indexed like the patterns given.
   */
  firstMatchAndCollected(input: string, collect: ArrayLike<unknown>): { first: number; collected: number[] };
  /** Indexes, in the given order, of every pattern that matches the input (its first MATCHED_INPUT_CHARS characters). */
  allMatchIndexes(input: string): number[];
}

/** What a policy's parameters are computed from (a subset of the stored policy). */
export interface PolicyRewardSettings {
  candidates: string[];
  /** Reward lost per USD of cost, and per second of latency. */
  costWeight: number;
  latencyWeight: number;
  /** USD per call; a model measured above it gets no traffic. Null: none. */
  costCeiling: number | null;
  /** Most traffic, 0..1, that goes to models other than the best trusted one. */
  explorationCap: number;
  /** Outcomes a model needs before it is trusted (shares in the Thompson split beyond the exploration budget). */
  minSamples: number;
}

/** The (discounted) outcomes of one model under a policy and task type, as the server reads them. */
export interface PolicyModelStats {
  model: string;
  /** Sum of the outcomes' weights (0.5^(rank / half-life)), and the weighted successes. */
  effectiveSamples: number;
  successes: number;
  /** Outcomes read (raw count within the window): what the minimum sample is checked against. */
  outcomes: number;
  /** Weighted mean and standard deviation of cost (USD) and latency (ms); null when no outcome reported one. */
  costMean: number | null;
  costSd: number | null;
  latencyMsMean: number | null;
  latencyMsSd: number | null;
}
