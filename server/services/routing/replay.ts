import type { z } from 'zod';
import type { PrismaClient } from '../../db/client';
import { Prisma } from '../../db/generated/client';
import { HoneError } from '../../errors';
import type { RoutingLayerValue, RoutingRuleStateValue } from '../../schemas/routing';
import { requestedRuleState } from '../../schemas/routing';
import type { ReplayRoutingRuleInput } from '../../schemas/routing-replay';
import { modelCallFigures } from '../model-trends';
import { bucketStarts, resolveTimeRange } from '../time-buckets';
import { compileSnapshot } from './decide.mjs';
import {
  applyCandidate,
  CANDIDATE_VERSION_ID,
  decisionEnd,
  layerMixFigures,
  projectChanges,
  ReplayTally,
  type Candidate,
  type CandidateRule,
  type DayTally,
  type DecisionEnd,
  type EndFigures,
  type Projection,
  type TaskTypeTally,
  type Takeover,
} from './replay-compare';
import { routingSnapshot } from './snapshot';

// replay_routing_rule: what a rule change would have done to the decisions of a stored sample of recent inputs
// (routing_decision_samples), and what that would change in success, latency and cost by the models' measured figures.
// Both the current rules and the rules with the change are replayed with the same engine, so the comparison is not
// muddled by rule changes made since the samples were taken. Reads only.

export type ReplayInput = z.output<typeof ReplayRoutingRuleInput>;

/** Samples are read this many at a time, so memory stays bounded whatever the limit and the event loop gets a turn. */
const SAMPLE_CHUNK = 500;
/** The breakdown lists at most this many (task type, from, to) rows; the projection counts them all. */
export const MAX_REPLAY_CHANGES = 200;

export interface ReplayCandidate {
  /** new: no rule has this pattern yet; edit: replaces rule `ruleId` (by id, or because it has the pattern); delete: removes it. */
  kind: 'new' | 'edit' | 'delete';
  ruleId: number | null;
  pattern: string;
  preferredLayer: RoutingLayerValue;
  preferredModel: string | null;
  priority: number;
  state: RoutingRuleStateValue;
  /** 1-based place in evaluation order among the active and shadow rules once saved; null when it would not be evaluated. */
  position: number | null;
}

export interface ReplayChange extends Takeover {
  /** The figures of where the decisions go now, for the task type; null: nothing measured. */
  fromFigures: EndFigures | null;
  /** The figures of where the candidate would send them. */
  toFigures: EndFigures | null;
}

export interface RoutingReplay {
  from: string;
  to: string;
  candidate: ReplayCandidate;
  sample: {
    /** Samples replayed. */
    size: number;
    /** Samples stored in the range; more than `size` when the limit cut them (then an evenly spread subset was replayed). */
    inRange: number;
    truncated: boolean;
    /** The period the replayed samples cover: the first and last sampled_at (null without samples). */
    firstAt: string | null;
    lastAt: string | null;
  };
  /** Replayed decisions the candidate decides differently: another rule, layer or model. */
  takeovers: number;
  /** takeovers / sample size; null without samples. */
  takeoverRate: number | null;
  /** From → to, per task type, most decisions first (at most MAX_REPLAY_CHANGES). */
  changes: ReplayChange[];
  changesTruncated: boolean;
  taskTypes: TaskTypeTally[];
  projected: Projection;
  /** Replayed samples and takeovers per UTC day of the range: the chart's series. */
  series: { bucket: 'day'; points: DayTally[] };
  notes: string[];
}

export async function replayRoutingRule(prisma: PrismaClient, input: ReplayInput): Promise<RoutingReplay> {
  const range = resolveTimeRange(input);
  const [candidate, snapshot] = await Promise.all([resolveCandidate(prisma, input), routingSnapshot(prisma)]);
  const changed = applyCandidate(snapshot, candidate.candidate);
  const before = compileSnapshot(snapshot);
  const after = compileSnapshot(changed);

  const inRange = await samplesInRange(prisma, range);
  const ids = await sampleIds(prisma, range, inRange, input.sampleLimit);
  const tally = new ReplayTally();
  for (let i = 0; i < ids.length; i += SAMPLE_CHUNK) {
    const rows = await prisma.$queryRaw<{ input: string; task_type: string; sampled_at: Date }[]>`
      SELECT input, task_type, sampled_at FROM routing_decision_samples WHERE id = ANY(${ids.slice(i, i + SAMPLE_CHUNK)}::bigint[])`;
    for (const row of rows) {
      tally.add(
        { taskType: row.task_type, sampledAt: row.sampled_at },
        decisionEnd(snapshot, before.match(row.input)),
        decisionEnd(changed, after.match(row.input)),
      );
    }
  }

  const takeovers = tally.changes();
  const figures = await figuresFor(prisma, range, takeovers, snapshot.defaultLayer);
  const changes = takeovers.map((change) => ({
    ...change,
    fromFigures: figures(change.from, change.taskType),
    toFigures: figures(change.to, change.taskType),
  }));
  const position = changed.rules.findIndex((rule) => rule.versionId === CANDIDATE_VERSION_ID);
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    candidate: { ...candidate.described, position: position === -1 ? null : position + 1 },
    sample: {
      size: tally.samples,
      inRange,
      truncated: tally.samples < inRange,
      firstAt: tally.firstAt?.toISOString() ?? null,
      lastAt: tally.lastAt?.toISOString() ?? null,
    },
    takeovers: tally.takeovers,
    takeoverRate: tally.samples ? tally.takeovers / tally.samples : null,
    changes: changes.slice(0, MAX_REPLAY_CHANGES),
    changesTruncated: changes.length > MAX_REPLAY_CHANGES,
    taskTypes: tally.taskTypes(),
    projected: projectChanges(changes, tally.samples),
    series: { bucket: 'day', points: tally.perDay(bucketStarts({ ...range, bucket: 'day' })) },
    notes: notesOn(candidate.described, before.unusable.length, inRange),
  };
}

const noRule = (id: number) =>
  new HoneError('NOT_FOUND', `No routing rule with id ${id}`, [{ path: ['id'], message: `no routing rule with id ${id}` }]);

/** The rule as a save of this input would leave it, following update_routing_heuristic's rules for omitted fields. */
async function resolveCandidate(
  prisma: PrismaClient,
  input: ReplayInput,
): Promise<{ candidate: Candidate; described: Omit<ReplayCandidate, 'position'> }> {
  const stored =
    input.id !== undefined
      ? await prisma.routingRule.findUnique({ where: { id: input.id } })
      : await prisma.routingRule.findUnique({ where: { pattern: input.pattern! } });
  if (input.id !== undefined && !stored) throw noRule(input.id);
  if (input.delete && stored) {
    const { id, pattern, preferredLayer, preferredModel, priority, state } = stored;
    return {
      candidate: { kind: 'delete', ruleId: id },
      described: { kind: 'delete', ruleId: id, pattern, preferredLayer, preferredModel, priority, state },
    };
  }
  if (stored && input.pattern !== undefined && input.pattern !== stored.pattern) {
    const other = await prisma.routingRule.findUnique({ where: { pattern: input.pattern }, select: { id: true } });
    if (other)
      throw new HoneError('CONFLICT', `Another routing rule already has the pattern ${input.pattern}`, [
        { path: ['pattern'], message: `rule #${other.id} already has this pattern` },
      ]);
  }
  const storedReasoning = (stored?.metadata as Record<string, unknown> | undefined)?.reasoning;
  const rule: CandidateRule = {
    ruleId: stored?.id ?? null,
    pattern: input.pattern ?? stored!.pattern,
    layer: input.preferredLayer ?? stored!.preferredLayer,
    model: input.preferredModel !== undefined ? input.preferredModel : (stored?.preferredModel ?? null),
    priority: input.priority ?? stored?.priority ?? 0,
    state: requestedRuleState(input) ?? stored?.state ?? 'active',
    reasoning: typeof storedReasoning === 'string' ? storedReasoning : null,
  };
  return {
    candidate: { kind: 'save', rule },
    described: {
      kind: stored ? 'edit' : 'new',
      ruleId: rule.ruleId,
      pattern: rule.pattern,
      preferredLayer: rule.layer,
      preferredModel: rule.model,
      priority: rule.priority,
      state: rule.state,
    },
  };
}

async function samplesInRange(prisma: PrismaClient, range: { from: Date; to: Date }): Promise<number> {
  const [row] = await prisma.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM routing_decision_samples WHERE sampled_at >= ${range.from} AND sampled_at < ${range.to}`;
  return Number(row?.n ?? 0);
}

/**
 * The ids of the samples to replay: all of them, or past the limit a subset in hash order of their ids, which spreads
 * it evenly over the range (the most recent ones alone would cover a shorter period) and answers the same each time.
 */
async function sampleIds(prisma: PrismaClient, range: { from: Date; to: Date }, inRange: number, limit: number): Promise<bigint[]> {
  const order = inRange > limit ? Prisma.sql`md5(id::text)` : Prisma.sql`id`;
  const rows = await prisma.$queryRaw<{ id: bigint }[]>`
    SELECT id FROM routing_decision_samples WHERE sampled_at >= ${range.from} AND sampled_at < ${range.to}
    ORDER BY ${order} LIMIT ${limit}`;
  return rows.map((row) => row.id);
}

type Figures = Omit<EndFigures, 'source'>;
const pairKey = (model: string, taskType: string) => `${model}\u0000${taskType}`;

/**
 * Where a decision goes, in figures, for a task type. A named model: its calls in the range, else its lifetime
 * figures. A layer without a model (the gateway picks the model): the mean of the models that layer's model-less
 * decisions were answered by for that task type (by their outcomes: in the range, else all time), weighted by
 * outcomes, over the models with figures. Null when nothing is measured.
 */
async function figuresFor(
  prisma: PrismaClient,
  range: { from: Date; to: Date },
  changes: readonly Takeover[],
  defaultLayer: RoutingLayerValue,
): Promise<(end: DecisionEnd, taskType: string) => EndFigures | null> {
  const ends = changes.flatMap((c) => [
    { end: c.from, taskType: c.taskType },
    { end: c.to, taskType: c.taskType },
  ]);
  const layerTaskTypes = [...new Set(ends.filter((e) => e.end.model === null).map((e) => e.taskType))];
  const mixRows = layerTaskTypes.length ? await layerMixes(prisma, range, layerTaskTypes, defaultLayer) : [];
  const models = [...new Set([...ends.flatMap((e) => (e.end.model === null ? [] : [e.end.model])), ...mixRows.map((r) => r.model)])];
  const [inRange, lifetime] = models.length
    ? await Promise.all([
        modelCallFigures(prisma, { from: range.from, to: range.to, modelIds: models }),
        prisma.modelPerformance.findMany({ where: { modelId: { in: models } } }),
      ])
    : [[], []];
  const rangeFigures = new Map(inRange.filter((f) => f.totalCalls > 0).map((f) => [pairKey(f.modelId, f.taskType), f]));
  const lifetimeFigures = new Map(lifetime.filter((f) => f.totalCalls > 0n).map((f) => [pairKey(f.modelId, f.taskType), f]));
  const modelFigures = (model: string, taskType: string): EndFigures | null => {
    const key = pairKey(model, taskType);
    const found = rangeFigures.get(key);
    if (found) return pick(found, 'range');
    const allTime = lifetimeFigures.get(key);
    return allTime ? pick(allTime, 'all-time') : null;
  };
  const mixes = new Map<string, { model: string; inRange: number; allTime: number }[]>();
  for (const row of mixRows) {
    const key = pairKey(row.layer, row.task_type);
    mixes.set(key, [...(mixes.get(key) ?? []), { model: row.model, inRange: Number(row.in_range), allTime: Number(row.all_time) }]);
  }
  return (end, taskType) => {
    if (end.model !== null) return modelFigures(end.model, taskType);
    const mix = mixes.get(pairKey(end.layer, taskType)) ?? [];
    const useRange = mix.some((m) => m.inRange > 0);
    return layerMixFigures(mix.map((m) => ({ weight: useRange ? m.inRange : m.allTime, figures: modelFigures(m.model, taskType) })));
  };
}

function pick(f: Figures, source: EndFigures['source']): EndFigures {
  return { successRate: f.successRate, avgLatencyMs: f.avgLatencyMs, avgCost: f.avgCost, source };
}

interface LayerMixRow {
  layer: RoutingLayerValue;
  task_type: string;
  model: string;
  in_range: bigint;
  all_time: bigint;
}

/**
 * The models that answered model-less decisions, per layer and task type, with their outcomes in the range and in
 * all: decisions of rule versions without a model, and of the default layer (version 0, counted as today's default).
 */
function layerMixes(prisma: PrismaClient, range: { from: Date; to: Date }, taskTypes: string[], defaultLayer: RoutingLayerValue) {
  return prisma.$queryRaw<LayerMixRow[]>`
    SELECT CASE WHEN o.version_id = 0 THEN ${defaultLayer}::routing_layer ELSE v.preferred_layer END AS layer,
           o.task_type, o.model,
           coalesce(sum(o.outcomes) FILTER (WHERE o.hour >= ${range.from} AND o.hour < ${range.to}), 0)::bigint AS in_range,
           sum(o.outcomes)::bigint AS all_time
    FROM routing_outcomes_hourly o LEFT JOIN routing_rule_versions v ON v.id = o.version_id
    WHERE o.model <> '' AND o.task_type = ANY(${taskTypes}::text[])
      AND (o.version_id = 0 OR (v.id IS NOT NULL AND v.preferred_model IS NULL))
    GROUP BY 1, 2, 3`;
}

function notesOn(candidate: Omit<ReplayCandidate, 'position'>, unusableRules: number, inRange: number): string[] {
  const notes: string[] = [];
  if (inRange === 0)
    notes.push('No decision inputs were sampled in this range (sampling may be off: HONE_STORE_DECISION_INPUTS), so nothing was replayed.');
  if (candidate.kind !== 'delete' && candidate.state === 'shadow')
    notes.push(
      'A shadow rule never decides, so saved as shadow it changes no decision: replay it with state active to see what it would take over.',
    );
  if (candidate.kind !== 'delete' && candidate.state === 'inactive')
    notes.push('Saved inactive, the rule is not evaluated: the replay shows the effect of taking it out.');
  if (unusableRules)
    notes.push(`${unusableRules} stored rule(s) have patterns the engine refuses and were left out of both replays (see the rule checks).`);
  return notes;
}
