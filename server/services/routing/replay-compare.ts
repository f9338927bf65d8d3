/**
 * The pure part of replay_routing_rule: applying a candidate rule to a snapshot, telling which replayed decisions
 * change and tallying them, and projecting the change in success rate, latency and cost from measured figures.
 * No database, no server imports, so it is unit-tested on its own and could run in the browser.
 */
import type { RoutingLayer, RoutingSnapshot, SnapshotMatch, SnapshotRule } from './decide.mjs';

/**
 * The candidate's stand-in version id: it has no version yet. Negative, so it never collides with a stored version
 * id nor with 0, which the outcome tables use for the default layer.
 */
export const CANDIDATE_VERSION_ID = -1;
/** The stand-in rule id of a rule that does not exist yet. */
export const NEW_RULE_ID = -1;

/** The rule as it would be saved: what the snapshot would carry for it. */
export interface CandidateRule {
  /** The rule it replaces (an edit), or null for a new rule. */
  ruleId: number | null;
  pattern: string;
  layer: RoutingLayer;
  model: string | null;
  priority: number;
  state: 'active' | 'shadow' | 'inactive';
  reasoning: string | null;
}

/** What the replay tries: a rule saved (new or edited), or an existing rule deleted. */
export type Candidate = { kind: 'save'; rule: CandidateRule } | { kind: 'delete'; ruleId: number };

/**
 * The snapshot as it would be once the candidate is saved. The edited (or deleted) rule leaves its place; a saved
 * active or shadow rule goes where evaluation order (priority desc, most recently updated, id) puts a rule saved
 * now: ahead of every rule of its priority, since every save stamps updated_at.
 */
export function applyCandidate(snapshot: RoutingSnapshot, candidate: Candidate): RoutingSnapshot {
  const replacedRuleId = candidate.kind === 'delete' ? candidate.ruleId : candidate.rule.ruleId;
  const rules = snapshot.rules.filter((rule) => rule.ruleId !== replacedRuleId);
  if (candidate.kind === 'save' && candidate.rule.state !== 'inactive') {
    const { rule } = candidate;
    const state = rule.state === 'shadow' ? 'shadow' : 'active';
    const previous = snapshot.rules.find((r) => r.ruleId === rule.ruleId);
    const inserted: SnapshotRule = {
      ruleId: rule.ruleId ?? NEW_RULE_ID,
      versionId: CANDIDATE_VERSION_ID,
      version: (previous?.version ?? 0) + 1,
      pattern: rule.pattern,
      layer: rule.layer,
      model: rule.model,
      priority: rule.priority,
      state,
      reasoning: rule.reasoning,
    };
    const at = rules.findIndex((r) => r.priority <= rule.priority);
    rules.splice(at === -1 ? rules.length : at, 0, inserted);
  }
  return { ...snapshot, version: `${snapshot.version}+candidate`, rules };
}

/** Who decided a replayed input, and where it went. `ruleId` null: no rule matched, the default layer decided. */
export interface DecisionEnd {
  ruleId: number | null;
  /** The deciding version; CANDIDATE_VERSION_ID for the candidate; null for the default layer. */
  versionId: number | null;
  layer: RoutingLayer;
  model: string | null;
}

/** The decision a match stands for (only active rules decide, so the match's rule index is all it takes). */
export function decisionEnd(snapshot: RoutingSnapshot, match: SnapshotMatch): DecisionEnd {
  const rule = match.ruleIndex === -1 ? undefined : snapshot.rules[match.ruleIndex];
  if (!rule) return { ruleId: null, versionId: null, layer: snapshot.defaultLayer, model: null };
  return { ruleId: rule.ruleId, versionId: rule.versionId, layer: rule.layer, model: rule.model };
}

/**
 * Whether the candidate changes a decision: another rule decides, or the request goes elsewhere. An edit that keeps
 * deciding an input the way the rule did (same rule, same layer and model) does not count as taking it over.
 */
export function decidedDifferently(before: DecisionEnd, after: DecisionEnd): boolean {
  return before.ruleId !== after.ruleId || before.layer !== after.layer || before.model !== after.model;
}

/** Decisions that went from one end to another, for one task type. */
export interface Takeover {
  taskType: string;
  from: DecisionEnd;
  to: DecisionEnd;
  decisions: number;
}

export interface TaskTypeTally {
  taskType: string;
  samples: number;
  takeovers: number;
}

export interface DayTally {
  /** Start of the UTC day, ISO. */
  t: string;
  samples: number;
  takeovers: number;
}

const DAY_MS = 86_400_000;
const endKey = (end: DecisionEnd) => `${end.ruleId}|${end.versionId}|${end.layer}|${end.model ?? ''}`;

/** Counts replayed decisions as they come, keeping only sums (the samples themselves are not held). */
export class ReplayTally {
  samples = 0;
  takeovers = 0;
  firstAt: Date | null = null;
  lastAt: Date | null = null;
  private readonly byChange = new Map<string, Takeover>();
  private readonly byTaskType = new Map<string, TaskTypeTally>();
  private readonly byDay = new Map<number, DayTally>();

  add(sample: { taskType: string; sampledAt: Date }, before: DecisionEnd, after: DecisionEnd): void {
    const changed = decidedDifferently(before, after);
    this.samples++;
    if (!this.firstAt || sample.sampledAt < this.firstAt) this.firstAt = sample.sampledAt;
    if (!this.lastAt || sample.sampledAt > this.lastAt) this.lastAt = sample.sampledAt;
    const task = this.byTaskType.get(sample.taskType) ?? { taskType: sample.taskType, samples: 0, takeovers: 0 };
    task.samples++;
    this.byTaskType.set(sample.taskType, task);
    const dayStart = Math.floor(sample.sampledAt.getTime() / DAY_MS) * DAY_MS;
    const day = this.byDay.get(dayStart) ?? { t: new Date(dayStart).toISOString(), samples: 0, takeovers: 0 };
    day.samples++;
    this.byDay.set(dayStart, day);
    if (!changed) return;
    this.takeovers++;
    task.takeovers++;
    day.takeovers++;
    const key = `${sample.taskType}\u0000${endKey(before)}\u0000${endKey(after)}`;
    const change = this.byChange.get(key) ?? { taskType: sample.taskType, from: before, to: after, decisions: 0 };
    change.decisions++;
    this.byChange.set(key, change);
  }

  /** Takeovers, most decisions first (then task type), for a stable answer. */
  changes(): Takeover[] {
    return [...this.byChange.values()].sort(
      (a, b) => b.decisions - a.decisions || a.taskType.localeCompare(b.taskType) || endKey(a.from).localeCompare(endKey(b.from)),
    );
  }

  taskTypes(): TaskTypeTally[] {
    return [...this.byTaskType.values()].sort((a, b) => b.takeovers - a.takeovers || a.taskType.localeCompare(b.taskType));
  }

  /** One entry per UTC day of `days` (ISO day starts), days without samples at zero: the chart's axis. */
  perDay(days: readonly string[]): DayTally[] {
    return days.map((t) => this.byDay.get(Date.parse(t)) ?? { t, samples: 0, takeovers: 0 });
  }
}

/** Measured figures of where a decision goes, for one task type. */
export interface EndFigures {
  /** Percent, 0–100. */
  successRate: number;
  avgLatencyMs: number;
  /** USD per call. */
  avgCost: number;
  /**
   * range: the model's calls in the replayed range; all-time: its lifetime figures (none in the range);
   * layer-mix: a layer-only decision, figured as the mean of the models that layer's decisions used, weighted by
   * their outcomes.
   */
  source: 'range' | 'all-time' | 'layer-mix';
}

export interface MetricProjection {
  /** Mean over the changed decisions with figures on both ends, as they are decided now. */
  before: number;
  /** The same decisions as the candidate would decide them. */
  after: number;
  /** after − before: the change per changed decision. */
  delta: number;
  /** The change spread over every replayed decision (unchanged ones count zero): the effect on the whole traffic. */
  deltaOverSample: number;
}

export interface Projection {
  /** Changed decisions with measured figures on both ends: what the means below are made of. */
  decisionsWithFigures: number;
  /** Changed decisions where either end had no measured figures: left out of the means. */
  decisionsWithoutFigures: number;
  /** Percentage points. Null when no changed decision had figures on both ends. */
  successRate: MetricProjection | null;
  latencyMs: MetricProjection | null;
  /** USD per call. */
  cost: MetricProjection | null;
}

/** Count-weighted means of the ends' figures over the changed decisions that have figures on both ends. */
export function projectChanges(
  changes: readonly (Takeover & { fromFigures: EndFigures | null; toFigures: EndFigures | null })[],
  sampleSize: number,
): Projection {
  let withFigures = 0;
  let withoutFigures = 0;
  const sums = { successRate: [0, 0], latencyMs: [0, 0], cost: [0, 0] };
  for (const change of changes) {
    const { fromFigures: from, toFigures: to, decisions } = change;
    if (!from || !to) {
      withoutFigures += decisions;
      continue;
    }
    withFigures += decisions;
    sums.successRate[0]! += decisions * from.successRate;
    sums.successRate[1]! += decisions * to.successRate;
    sums.latencyMs[0]! += decisions * from.avgLatencyMs;
    sums.latencyMs[1]! += decisions * to.avgLatencyMs;
    sums.cost[0]! += decisions * from.avgCost;
    sums.cost[1]! += decisions * to.avgCost;
  }
  const metric = ([beforeSum, afterSum]: number[]): MetricProjection | null => {
    if (!withFigures) return null;
    const before = beforeSum! / withFigures;
    const after = afterSum! / withFigures;
    return { before, after, delta: after - before, deltaOverSample: (afterSum! - beforeSum!) / sampleSize };
  };
  return {
    decisionsWithFigures: withFigures,
    decisionsWithoutFigures: withoutFigures,
    successRate: metric(sums.successRate),
    latencyMs: metric(sums.latencyMs),
    cost: metric(sums.cost),
  };
}

/** A model's share of a layer's decisions and its figures. */
export interface LayerMixEntry {
  weight: number;
  figures: Omit<EndFigures, 'source'> | null;
}

/** A layer's figures: the weighted mean of the models it used that have figures; null when none has. */
export function layerMixFigures(mix: readonly LayerMixEntry[]): EndFigures | null {
  let weight = 0;
  let successRate = 0;
  let avgLatencyMs = 0;
  let avgCost = 0;
  for (const entry of mix) {
    if (!entry.figures || entry.weight <= 0) continue;
    weight += entry.weight;
    successRate += entry.weight * entry.figures.successRate;
    avgLatencyMs += entry.weight * entry.figures.avgLatencyMs;
    avgCost += entry.weight * entry.figures.avgCost;
  }
  if (!weight) return null;
  return { successRate: successRate / weight, avgLatencyMs: avgLatencyMs / weight, avgCost: avgCost / weight, source: 'layer-mix' };
}
