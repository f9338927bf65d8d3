import type { z } from 'zod';
import type { PrismaClient } from '../../db/client';
import { env } from '../../env';
import type { RoutingLayerValue, RoutingRuleStateValue } from '../../schemas/routing';
import { MAX_PATTERN_LENGTH, ROUTING_LAYERS } from '../../schemas/routing';
import type { SuggestionKind, SuggestRoutingChangesInput } from '../../schemas/suggestions';
import { modelCallFigures } from '../model-trends';
import { flushRouteDecisions } from '../routing/decision-recorder';
import { patternProblem } from '../routing/matcher';
import { wilsonInterval } from '../routing/wilson';
import { resolveTimeRange } from '../time-buckets';

// Suggestions: what the measured figures say about the rules, each with its evidence, sample size and interval, and
// the shadow rule or experiment that would test it. Read in a few set-based queries (no query per rule); the
// judging is the pure `judgeRoutingFigures` below.

/** never_hits needs at least this many decisions in the range: fewer, and a rule may simply not have had its chance. */
export const NEVER_HITS_MIN_DECISIONS = 1000;
/** cheaper_model: the candidate's lower bound may sit this many points below the rule's model's point estimate. */
export const CHEAPER_TOLERANCE_POINTS = 1;
/** The most suggestions (and skipped candidates) one answer lists, best first. */
export const MAX_SUGGESTIONS = 50;
export const MAX_SKIPPED = 50;

export interface Interval {
  low: number;
  high: number;
}

/** The rule save the suggestion's "Try as shadow rule" makes (update_routing_heuristic's input). */
export interface SuggestedShadowRule {
  /** Set for never_hits: the suggestion edits that existing rule (its state becomes shadow); absent: a new rule. */
  id?: number;
  pattern: string;
  preferredLayer: RoutingLayerValue;
  preferredModel: string | null;
  priority: number;
  state: 'shadow';
  reasoning: string;
}

export type SuggestedVariant =
  { kind: 'control' } | { kind: 'model'; model: string } | { kind: 'layer'; layer: RoutingLayerValue; model?: string | null };

/** create_experiment's input. */
export interface SuggestedExperiment {
  name: string;
  ruleId: number;
  arms: { name: string; variant: SuggestedVariant }[];
}

export interface RoutingSuggestion {
  /** Stable while the suggestion applies: kind, rule and version, and the model it is about. */
  id: string;
  kind: SuggestionKind;
  ruleId: number;
  versionId: number | null;
  title: string;
  /** A sentence with the figures. */
  evidence: string;
  /** Outcomes (or model calls, or decisions for never_hits) the suggestion rests on. */
  sampleSize: number;
  /** Wilson 95% interval, in percent, of the rate the suggestion rests on (see evidence for which). */
  interval: Interval;
  /** What acting on it is expected to change over a range like this one (successes gained, USD saved, decisions). */
  impact: number;
  action: { shadowRule?: SuggestedShadowRule; experiment?: SuggestedExperiment };
}

export interface SkippedCandidate {
  kind: SuggestionKind;
  ruleId: number;
  model: string | null;
  sampleSize: number;
  reason: string;
}

export interface RoutingSuggestions {
  from: string;
  to: string;
  minOutcomes: number;
  /** Best first: by kind (underperforming_rule, cheaper_model, worth_experiment, never_hits), then expected impact, then id. */
  suggestions: RoutingSuggestion[];
  /** Candidates that looked promising but rest on fewer than minOutcomes outcomes (or too few decisions): no suggestion. */
  skipped: SkippedCandidate[];
  /** How many suggestions and skipped candidates were left out past the caps. */
  omitted: { suggestions: number; skipped: number };
}

// ---- the figures the judging reads ----

export interface RuleRow {
  id: number;
  pattern: string;
  preferredLayer: RoutingLayerValue;
  preferredModel: string | null;
  priority: number;
  state: RoutingRuleStateValue;
  versionId: number | null;
  createdAt: Date;
}

export interface Sums {
  n: number;
  successes: number;
  costSum: number;
  costCount: number;
}

/** Outcomes per deciding version (0: default layer), its rule and layer, task type and model. */
export interface OutcomeRow extends Sums {
  versionId: number;
  ruleId: number | null;
  layer: RoutingLayerValue;
  taskType: string;
  model: string;
}

export interface HitRow {
  ruleId: number;
  taskType: string;
  hits: number;
}

/** Model calls per (model, task type) over the range (update_model_performance / ingest modelCalls). */
export interface ModelRow extends Sums {
  modelId: string;
  taskType: string;
}

export interface RoutingFigures {
  rules: RuleRow[];
  outcomes: OutcomeRow[];
  hits: HitRow[];
  decisions: number;
  models: ModelRow[];
}

const KIND_ORDER: SuggestionKind[] = ['underperforming_rule', 'cheaper_model', 'worth_experiment', 'never_hits'];

const ZERO: Sums = { n: 0, successes: 0, costSum: 0, costCount: 0 };
const add = (a: Sums, b: Sums): Sums => ({
  n: a.n + b.n,
  successes: a.successes + b.successes,
  costSum: a.costSum + b.costSum,
  costCount: a.costCount + b.costCount,
});
const minus = (a: Sums, b: Sums): Sums => ({
  n: a.n - b.n,
  successes: a.successes - b.successes,
  costSum: a.costSum - b.costSum,
  costCount: a.costCount - b.costCount,
});
const rate = (s: Sums) => (s.n ? (s.successes * 100) / s.n : 0);
const meanCost = (s: Sums) => (s.costCount ? s.costSum / s.costCount : null);
const interval = (s: Sums): Interval => wilsonInterval(s.successes, s.n) ?? { low: 0, high: 100 };

const pct = (x: number) => `${x.toFixed(1)}%`;
const ci = (i: Interval) => `95% CI ${i.low.toFixed(1)}–${i.high.toFixed(1)}`;
const usd = (x: number) => `$${x.toFixed(x >= 0.01 ? 4 : 6)}`;
const count = (x: number) => x.toLocaleString('en');
const round = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * A pattern matching exactly what `pattern` matches but spelt differently (patterns are unique: a shadow variant
 * cannot share its rule's), not taken by another rule; null when none fits the length limit or compiles.
 */
export function equivalentPattern(pattern: string, taken: ReadonlySet<string>): string | null {
  let candidate = pattern;
  for (let depth = 0; depth < 3; depth++) {
    candidate = `(?:${candidate})`;
    if (candidate.length > MAX_PATTERN_LENGTH) return null;
    if (!taken.has(candidate)) return patternProblem(candidate) ? null : candidate;
  }
  return null;
}

const experimentName = (ruleId: number, what: string) => `rule ${ruleId}: ${what.slice(0, 150)} vs control`;

/**
 * Judges the figures: the suggestions and the candidates skipped for too few outcomes. Pure (the database work is
 * in suggestRoutingChanges), deterministic: the same figures give the same answer in the same order.
 */
export function judgeRoutingFigures(
  figures: RoutingFigures,
  { from, minOutcomes }: { from: Date; minOutcomes: number },
): { suggestions: RoutingSuggestion[]; skipped: SkippedCandidate[] } {
  const suggestions: RoutingSuggestion[] = [];
  const skipped: SkippedCandidate[] = [];
  const takenPatterns = new Set(figures.rules.map((r) => r.pattern));

  // Outcomes per layer (every version deciding in it, the default layer's included) and per version.
  const byLayer = new Map<RoutingLayerValue, Sums>();
  const byVersion = new Map<number, Sums>();
  const byVersionModel = new Map<number, Map<string, number>>();
  for (const row of figures.outcomes) {
    byLayer.set(row.layer, add(byLayer.get(row.layer) ?? ZERO, row));
    byVersion.set(row.versionId, add(byVersion.get(row.versionId) ?? ZERO, row));
    if (row.model) {
      const models = byVersionModel.get(row.versionId) ?? new Map<string, number>();
      models.set(row.model, (models.get(row.model) ?? 0) + row.n);
      byVersionModel.set(row.versionId, models);
    }
  }

  // Hits and task types per rule.
  const hitsOf = new Map<number, number>();
  const taskTypesOf = new Map<number, Set<string>>();
  const noteTaskType = (ruleId: number, taskType: string) => {
    const set = taskTypesOf.get(ruleId) ?? new Set<string>();
    set.add(taskType);
    taskTypesOf.set(ruleId, set);
  };
  for (const row of figures.hits) {
    hitsOf.set(row.ruleId, (hitsOf.get(row.ruleId) ?? 0) + row.hits);
    if (row.hits > 0) noteTaskType(row.ruleId, row.taskType);
  }
  for (const row of figures.outcomes) if (row.ruleId !== null && row.n > 0) noteTaskType(row.ruleId, row.taskType);

  // Model calls per model and task type.
  const modelFigures = new Map<string, Map<string, Sums>>();
  for (const row of figures.models) {
    const perTask = modelFigures.get(row.modelId) ?? new Map<string, Sums>();
    perTask.set(row.taskType, add(perTask.get(row.taskType) ?? ZERO, row));
    modelFigures.set(row.modelId, perTask);
  }
  const modelIds = [...modelFigures.keys()].sort();

  /** Two models' calls over the task types both have figures for among `taskTypes`. */
  const compare = (base: string, candidate: string, taskTypes: ReadonlySet<string>) => {
    const b = modelFigures.get(base);
    const c = modelFigures.get(candidate);
    const common = [...taskTypes].filter((t) => b?.has(t) && c?.has(t)).sort();
    return {
      common,
      base: common.reduce((s, t) => add(s, b!.get(t)!), ZERO),
      candidate: common.reduce((s, t) => add(s, c!.get(t)!), ZERO),
    };
  };

  for (const rule of figures.rules) {
    if (rule.state !== 'active') continue;
    const hits = hitsOf.get(rule.id) ?? 0;
    const taskTypes = taskTypesOf.get(rule.id) ?? new Set<string>();
    const version = rule.versionId === null ? ZERO : (byVersion.get(rule.versionId) ?? ZERO);
    const versionModels = rule.versionId === null ? undefined : byVersionModel.get(rule.versionId);
    const mostServed = versionModels ? [...versionModels].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] : undefined;
    const ruleModel = rule.preferredModel ?? mostServed ?? null;
    const shadowPattern = equivalentPattern(rule.pattern, takenPatterns);
    const ref = `rule-${rule.id}:v${rule.versionId ?? 0}`;
    const shadowOf = (
      preferredLayer: RoutingLayerValue,
      preferredModel: string | null,
      reasoning: string,
    ): SuggestedShadowRule | undefined =>
      shadowPattern === null
        ? undefined
        : { pattern: shadowPattern, preferredLayer, preferredModel, priority: rule.priority + 1, state: 'shadow', reasoning };

    // ---- underperforming_rule ----
    if (version.n > 0) {
      const layer = byLayer.get(rule.preferredLayer) ?? ZERO;
      const others = minus(layer, version);
      const own = interval(version);
      if (version.n < minOutcomes || others.n < minOutcomes) {
        if (others.n > 0 && rate(version) < rate(others))
          skipped.push({
            kind: 'underperforming_rule',
            ruleId: rule.id,
            model: null,
            sampleSize: Math.min(version.n, others.n),
            reason:
              version.n < minOutcomes
                ? `its current version has ${count(version.n)} outcome(s), fewer than ${count(minOutcomes)}`
                : `the rest of the ${rule.preferredLayer} layer has ${count(others.n)} outcome(s), fewer than ${count(minOutcomes)}`,
          });
      } else if (own.high < rate(others)) {
        const othersInterval = interval(others);
        // What to try instead: the best-measured model on its task types, else the best-measured other layer.
        const best = modelIds
          .filter((m) => m !== ruleModel)
          .map((m) => {
            const { candidate, common } = compare(m, m, taskTypes); // the model's own calls on the rule's task types
            return { model: m, sums: candidate, common };
          })
          .filter((m) => m.sums.n >= minOutcomes)
          .sort((a, b) => rate(b.sums) - rate(a.sums) || a.model.localeCompare(b.model))[0];
        const bestLayer = ROUTING_LAYERS.filter((l) => l !== rule.preferredLayer)
          .map((l) => ({ layer: l, sums: byLayer.get(l) ?? ZERO }))
          .filter((l) => l.sums.n >= minOutcomes)
          .sort((a, b) => rate(b.sums) - rate(a.sums) || a.layer.localeCompare(b.layer))[0];
        const gap = rate(others) - rate(version);
        const tryText = best
          ? ` ${best.model} measured ${pct(rate(best.sums))} on ${best.common.join(', ')} (n=${count(best.sums.n)}).`
          : bestLayer
            ? ` The ${bestLayer.layer} layer measured ${pct(rate(bestLayer.sums))} (n=${count(bestLayer.sums.n)}).`
            : '';
        const reasoning = `Suggested: rule ${rule.id} measured ${pct(rate(version))} against ${pct(rate(others))} for the rest of its layer`;
        suggestions.push({
          id: `underperforming_rule:${ref}`,
          kind: 'underperforming_rule',
          ruleId: rule.id,
          versionId: rule.versionId,
          title: `Rule ${rule.id} (${rule.pattern.slice(0, 80)}) succeeds less than the rest of the ${rule.preferredLayer} layer`,
          evidence:
            `Rule ${rule.id}'s current version succeeded in ${pct(rate(version))} of ${count(version.n)} outcomes (${ci(own)}), ` +
            `the rest of the ${rule.preferredLayer} layer (other rules and the default layer) in ${pct(rate(others))} of ` +
            `${count(others.n)} (${ci(othersInterval)}): ${gap.toFixed(1)} points below, beyond its interval.` +
            tryText,
          sampleSize: version.n,
          interval: round2(own),
          impact: round((gap / 100) * Math.max(hits, version.n)),
          action: best
            ? {
                shadowRule: shadowOf(rule.preferredLayer, best.model, `${reasoning}; ${best.model} measured better on its task types`),
                experiment: {
                  name: experimentName(rule.id, best.model),
                  ruleId: rule.id,
                  arms: [
                    { name: 'control', variant: { kind: 'control' } },
                    { name: best.model.slice(0, 100), variant: { kind: 'model', model: best.model } },
                  ],
                },
              }
            : bestLayer
              ? {
                  shadowRule: shadowOf(bestLayer.layer, null, `${reasoning}; the ${bestLayer.layer} layer measured better`),
                  experiment: {
                    name: experimentName(rule.id, `${bestLayer.layer} layer`),
                    ruleId: rule.id,
                    arms: [
                      { name: 'control', variant: { kind: 'control' } },
                      { name: bestLayer.layer, variant: { kind: 'layer', layer: bestLayer.layer, model: null } },
                    ],
                  },
                }
              : {},
        });
      }
    }

    // ---- cheaper_model and worth_experiment: other models on the rule's task types ----
    if (ruleModel !== null && taskTypes.size > 0 && modelFigures.has(ruleModel)) {
      for (const model of modelIds) {
        if (model === ruleModel) continue;
        const { common, base, candidate } = compare(ruleModel, model, taskTypes);
        if (common.length === 0) continue;
        const baseRate = rate(base);
        const candRate = rate(candidate);
        const baseCost = meanCost(base);
        const candCost = meanCost(candidate);
        const cheaper = baseCost !== null && candCost !== null && candCost < baseCost;
        const candInterval = interval(candidate);
        const baseInterval = interval(base);
        const looksCheaper = cheaper && candRate >= baseRate - CHEAPER_TOLERANCE_POINTS;
        const looksBetter = candRate > baseRate;
        if (!looksCheaper && !looksBetter) continue;
        const kind: SuggestionKind = looksCheaper ? 'cheaper_model' : 'worth_experiment';
        if (base.n < minOutcomes || candidate.n < minOutcomes) {
          skipped.push({
            kind,
            ruleId: rule.id,
            model,
            sampleSize: Math.min(base.n, candidate.n),
            reason: `${candidate.n < minOutcomes ? model : ruleModel} has ${count(Math.min(base.n, candidate.n))} call(s) on ${common.join(', ')}, fewer than ${count(minOutcomes)}`,
          });
          continue;
        }
        const on = `on ${common.join(', ')}`;
        const figuresText =
          `${model} succeeded in ${pct(candRate)} of ${count(candidate.n)} calls ${on} (${ci(candInterval)}), ` +
          `${ruleModel} (rule ${rule.id}'s model) in ${pct(baseRate)} of ${count(base.n)} (${ci(baseInterval)})`;
        const experiment: SuggestedExperiment = {
          name: experimentName(rule.id, model),
          ruleId: rule.id,
          arms: [
            { name: 'control', variant: { kind: 'control' } },
            { name: model.slice(0, 100), variant: { kind: 'model', model } },
          ],
        };
        if (cheaper && candInterval.low >= baseRate - CHEAPER_TOLERANCE_POINTS) {
          suggestions.push({
            id: `cheaper_model:${ref}:${model}`,
            kind: 'cheaper_model',
            ruleId: rule.id,
            versionId: rule.versionId,
            title: `${model} is as good as ${ruleModel} for rule ${rule.id} and cheaper`,
            evidence:
              `${figuresText}; its lower bound is within ${CHEAPER_TOLERANCE_POINTS} point of ${ruleModel}'s rate, ` +
              `at ${usd(candCost)} against ${usd(baseCost)} per call.`,
            sampleSize: candidate.n,
            interval: round2(candInterval),
            impact: round((baseCost - candCost) * Math.max(hits, 1)),
            action: {
              shadowRule: shadowOf(
                rule.preferredLayer,
                model,
                `Suggested: ${model} matched ${ruleModel}'s success for rule ${rule.id} at a lower cost`,
              ),
              experiment,
            },
          });
        } else if (looksBetter) {
          // Better by its point estimate (cheaper or not, but not surely as good at a lower cost): worth testing.
          const overlapping = candInterval.low <= baseInterval.high;
          suggestions.push({
            id: `worth_experiment:${ref}:${model}`,
            kind: 'worth_experiment',
            ruleId: rule.id,
            versionId: rule.versionId,
            title: `Test ${model} against ${ruleModel} for rule ${rule.id}`,
            evidence:
              `${figuresText}: ${(candRate - baseRate).toFixed(1)} points higher, ` +
              (overlapping
                ? 'but the intervals overlap; an experiment would tell.'
                : 'beyond both intervals; an experiment would confirm it on this rule’s traffic.'),
            sampleSize: candidate.n,
            interval: round2(candInterval),
            impact: round(((candRate - baseRate) / 100) * Math.max(hits, 1)),
            action: {
              shadowRule: shadowOf(rule.preferredLayer, model, `Suggested: ${model} measured better than ${ruleModel} for rule ${rule.id}`),
              experiment,
            },
          });
        }
      }
    }

    // ---- never_hits ----
    if (hits === 0 && rule.createdAt < from) {
      if (figures.decisions >= NEVER_HITS_MIN_DECISIONS) {
        const hitInterval = round2(wilsonInterval(0, figures.decisions)!);
        suggestions.push({
          id: `never_hits:${ref}`,
          kind: 'never_hits',
          ruleId: rule.id,
          versionId: rule.versionId,
          title: `Rule ${rule.id} (${rule.pattern.slice(0, 80)}) never matched: set it to shadow`,
          evidence:
            `Rule ${rule.id} decided none of the ${count(figures.decisions)} decisions in the range (hit rate 0%, ${ci(hitInterval)}) ` +
            `though it existed before the range began. Setting the existing rule to shadow (an edit, a new version) keeps counting what it would match without it deciding.`,
          sampleSize: figures.decisions,
          interval: hitInterval,
          impact: figures.decisions,
          action: {
            shadowRule: {
              id: rule.id,
              pattern: rule.pattern,
              preferredLayer: rule.preferredLayer,
              preferredModel: rule.preferredModel,
              priority: rule.priority,
              state: 'shadow',
              reasoning: `Suggested: no hit in ${count(figures.decisions)} decisions`,
            },
          },
        });
      } else if (figures.decisions > 0) {
        skipped.push({
          kind: 'never_hits',
          ruleId: rule.id,
          model: null,
          sampleSize: figures.decisions,
          reason: `no hit, but only ${count(figures.decisions)} decision(s) in the range, fewer than ${count(NEVER_HITS_MIN_DECISIONS)}`,
        });
      }
    }
  }

  suggestions.sort(
    (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || b.impact - a.impact || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  skipped.sort(
    (a, b) =>
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
      b.sampleSize - a.sampleSize ||
      a.ruleId - b.ruleId ||
      (a.model ?? '').localeCompare(b.model ?? ''),
  );
  return { suggestions, skipped };
}

function round2(i: Interval): Interval {
  return { low: Math.round(i.low * 100) / 100, high: Math.round(i.high * 100) / 100 };
}

/**
 * suggest_routing_changes: reads the range's figures in four set-based queries (outcomes per version, layer, task type
 * and model; hits per rule and task type; decisions; model calls per model and task type) plus the rules, and judges them.
 */
export async function suggestRoutingChanges(
  prisma: PrismaClient,
  input: Partial<z.output<typeof SuggestRoutingChangesInput>>,
): Promise<RoutingSuggestions> {
  // Read-your-writes within a process: the decisions this server answered are written before they are read.
  await flushRouteDecisions(prisma);
  const range = resolveTimeRange(input);
  const minOutcomes = input.minOutcomes ?? 30;
  const defaultLayer = env().HONE_DEFAULT_LAYER;
  const hourFrom = range.from;
  const [rules, outcomes, hits, decisionRows, models] = await Promise.all([
    prisma.routingRule.findMany({
      select: {
        id: true,
        pattern: true,
        preferredLayer: true,
        preferredModel: true,
        priority: true,
        state: true,
        versionId: true,
        createdAt: true,
      },
      orderBy: { id: 'asc' },
    }),
    prisma.$queryRaw<OutcomeRow[]>`
      SELECT o.version_id AS "versionId", v.rule_id AS "ruleId",
             (CASE WHEN o.version_id = 0 THEN ${defaultLayer}::routing_layer ELSE v.preferred_layer END)::text AS layer,
             o.task_type AS "taskType", o.model,
             sum(o.outcomes)::float8 AS n, sum(o.successes)::float8 AS successes,
             sum(o.cost_sum)::float8 AS "costSum", sum(o.cost_count)::float8 AS "costCount"
      FROM routing_outcomes_hourly o LEFT JOIN routing_rule_versions v ON v.id = o.version_id
      WHERE o.hour >= date_trunc('hour', ${hourFrom}::timestamptz, 'UTC') AND o.hour < ${range.to}
        AND (o.version_id = 0 OR v.id IS NOT NULL)
      GROUP BY 1, 2, 3, 4, 5`,
    // Per rule, as get_routing_hit_rates counts them (every version's hits; the demo history writes only this table).
    prisma.$queryRaw<HitRow[]>`
      SELECT rule_id AS "ruleId", task_type AS "taskType", sum(hits)::float8 AS hits
      FROM routing_rule_hits_hourly
      WHERE hour >= date_trunc('hour', ${hourFrom}::timestamptz, 'UTC') AND hour < ${range.to}
      GROUP BY 1, 2`,
    prisma.$queryRaw<{ decisions: number }[]>`
      SELECT coalesce(sum(decisions), 0)::float8 AS decisions FROM routing_decision_hourly
      WHERE hour >= date_trunc('hour', ${hourFrom}::timestamptz, 'UTC') AND hour < ${range.to}`,
    modelCallFigures(prisma, { from: range.from, to: range.to }),
  ]);
  const judged = judgeRoutingFigures(
    {
      rules,
      outcomes,
      hits,
      decisions: decisionRows[0]?.decisions ?? 0,
      models: models.map((m) => ({
        modelId: m.modelId,
        taskType: m.taskType,
        n: m.totalCalls,
        successes: m.successes,
        costSum: m.totalCost,
        costCount: m.totalCalls,
      })),
    },
    { from: range.from, minOutcomes },
  );
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    minOutcomes,
    suggestions: judged.suggestions.slice(0, MAX_SUGGESTIONS),
    skipped: judged.skipped.slice(0, MAX_SKIPPED),
    omitted: {
      suggestions: Math.max(0, judged.suggestions.length - MAX_SUGGESTIONS),
      skipped: Math.max(0, judged.skipped.length - MAX_SKIPPED),
    },
  };
}
