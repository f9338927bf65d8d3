import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NEVER_HITS_MIN_DECISIONS } from '../services/suggestions/suggest';
import { expectBadRequest, useTestDatabase } from './database';

const t = useTestDatabase();

type Layer = 'fast' | 'balanced' | 'deep';
interface Decider {
  id: number;
  versionId: number | null;
  preferredLayer: Layer;
  preferredModel: string | null;
}

/**
 * `count` decisions by a rule (null: the default layer, balanced) of a task type, sent through ingest like a gateway's
 * router, with an outcome for the first `outcomes` of them of which `successes` succeeded.
 */
async function decide(rule: Decider | null, taskType: string, count: number, outcomes = 0, successes = 0, cost?: number) {
  const ids = Array.from({ length: count }, () => randomUUID());
  const routeDecisions = ids.map((decisionId) => ({
    decisionId,
    versionId: rule?.versionId ?? null,
    ruleId: rule?.id ?? null,
    layer: rule?.preferredLayer ?? ('balanced' as const),
    model: rule?.preferredModel ?? null,
    taskType,
  }));
  const routeOutcomes = ids
    .slice(0, outcomes)
    .map((decisionId, i) => ({ decisionId, success: i < successes, latencyMs: 500, ...(cost === undefined ? {} : { cost }) }));
  for (let i = 0; i < routeDecisions.length; i += 2000) {
    const { rejected } = await t.db.caller.ingest.batch({ routeDecisions: routeDecisions.slice(i, i + 2000) });
    expect(rejected).toBe(0);
  }
  if (routeOutcomes.length) {
    const { rejected } = await t.db.caller.ingest.batch({ routeOutcomes });
    expect(rejected).toBe(0);
  }
}

/** `n` calls of a model on a task type through update_model_performance, `successes` of them successful. */
async function modelCalls(modelId: string, taskType: string, n: number, successes: number, cost: number) {
  for (let i = 0; i < n; i++)
    await t.db.caller.modelPerformance.update({ modelId, taskType, success: i < successes, latencyMs: 700, cost });
}

const saveRule = async (pattern: string, preferredLayer: Layer, preferredModel: string | null, priority = 0) =>
  (await t.db.caller.routing.updateHeuristic({ pattern, preferredLayer, preferredModel, priority })).heuristic;

/**
 * Rule U (refund → balanced, model-u) succeeds in 40 of 100 outcomes where the default layer (balanced too) succeeds
 * in 160 of 200: underperforming. Rule C (translate → deep, big) serves translation, where big succeeds in 90 of 100
 * calls at $0.05, small in 192 of 200 at $0.005 (cheaper and as good), mid in 57 of 60 at $0.08 (better by its point
 * estimate, intervals overlapping: worth an experiment) and tiny in 10 of 10 at $0.001 (too few calls: skipped).
 * model-best succeeds in 38 of 40 support calls: what U should try.
 */
async function history() {
  const u = await saveRule('refund', 'balanced', 'model-u');
  const c = await saveRule('translate', 'deep', 'big', 5);
  await decide(u, 'support', 100, 100, 40, 0.01);
  await decide(null, 'support', 200, 200, 160, 0.01);
  await decide(c, 'translation', 20);
  await t.db.caller.ingest.batch({
    modelCalls: [
      ...Array.from({ length: 100 }, (_, i) => ({ modelId: 'big', taskType: 'translation', success: i < 90, latencyMs: 900, cost: 0.05 })),
      ...Array.from({ length: 200 }, (_, i) => ({
        modelId: 'small',
        taskType: 'translation',
        success: i < 192,
        latencyMs: 300,
        cost: 0.005,
      })),
      ...Array.from({ length: 60 }, (_, i) => ({ modelId: 'mid', taskType: 'translation', success: i < 57, latencyMs: 600, cost: 0.08 })),
      // Another task type C never served: it must not count.
      ...Array.from({ length: 100 }, () => ({ modelId: 'mid', taskType: 'poetry', success: false, latencyMs: 600, cost: 0.08 })),
    ],
  });
  await modelCalls('tiny', 'translation', 10, 10, 0.001);
  await t.db.caller.ingest.batch({
    modelCalls: Array.from({ length: 40 }, (_, i) => ({
      modelId: 'model-best',
      taskType: 'support',
      success: i < 38,
      latencyMs: 500,
      cost: 0.02,
    })),
  });
  return { u, c };
}

describe('suggest_routing_changes', () => {
  it('finds an underperforming rule, a cheaper model, a model worth an experiment, with evidence, n and intervals', async () => {
    const { u, c } = await history();
    const answer = await t.db.caller.routing.suggestions({});
    const byId = new Map(answer.suggestions.map((s) => [s.id, s]));

    const under = byId.get(`underperforming_rule:rule-${u.id}:v${u.versionId}`);
    expect(under).toMatchObject({ kind: 'underperforming_rule', ruleId: u.id, versionId: u.versionId, sampleSize: 100 });
    // Wilson 95% of 40/100: 30.94–49.80; the rest of the layer 160/200 = 80%.
    expect(under!.interval.low).toBeCloseTo(30.94, 1);
    expect(under!.interval.high).toBeCloseTo(49.8, 1);
    expect(under!.evidence).toContain('40.0% of 100 outcomes');
    expect(under!.evidence).toContain('80.0% of 200');
    // The best-measured model on its task type (support) is the one to try.
    expect(under!.evidence).toContain('model-best measured 95.0% on support (n=40)');
    expect(under!.action).toEqual({
      shadowRule: expect.objectContaining({
        pattern: '(?:refund)',
        preferredLayer: 'balanced',
        preferredModel: 'model-best',
        priority: 1,
        state: 'shadow',
      }),
      experiment: expect.objectContaining({
        ruleId: u.id,
        arms: [
          { name: 'control', variant: { kind: 'control' } },
          { name: 'model-best', variant: { kind: 'model', model: 'model-best' } },
        ],
      }),
    });

    const cheaper = byId.get(`cheaper_model:rule-${c.id}:v${c.versionId}:small`);
    expect(cheaper).toMatchObject({ kind: 'cheaper_model', ruleId: c.id, sampleSize: 200 });
    expect(cheaper!.evidence).toContain('small succeeded in 96.0% of 200 calls on translation');
    expect(cheaper!.evidence).toContain('big (rule');
    expect(cheaper!.evidence).toContain('90.0% of 100');
    expect(cheaper!.interval.low).toBeGreaterThanOrEqual(89);
    expect(cheaper!.action).toEqual({
      shadowRule: {
        pattern: '(?:translate)',
        preferredLayer: 'deep',
        preferredModel: 'small',
        priority: 6,
        state: 'shadow',
        reasoning: expect.stringContaining('small'),
      },
      experiment: {
        name: expect.stringContaining(`rule ${c.id}`),
        ruleId: c.id,
        arms: [
          { name: 'control', variant: { kind: 'control' } },
          { name: 'small', variant: { kind: 'model', model: 'small' } },
        ],
      },
    });

    const worth = byId.get(`worth_experiment:rule-${c.id}:v${c.versionId}:mid`);
    expect(worth).toMatchObject({ kind: 'worth_experiment', ruleId: c.id, sampleSize: 60 });
    expect(worth!.evidence).toContain('intervals overlap');
    expect(worth!.action.experiment?.arms[1]).toEqual({ name: 'mid', variant: { kind: 'model', model: 'mid' } });

    // tiny is cheaper and better on its 10 calls: too few, so skipped, and said so.
    expect([...byId.keys()].some((id) => id.endsWith(':tiny'))).toBe(false);
    expect(answer.skipped).toContainEqual(
      expect.objectContaining({
        kind: 'cheaper_model',
        ruleId: c.id,
        model: 'tiny',
        sampleSize: 10,
        reason: expect.stringContaining('fewer than 30'),
      }),
    );
    // Kind order, then impact.
    const kinds = answer.suggestions.map((s) => s.kind);
    expect(kinds).toEqual([...kinds].sort((a, b) => KINDS.indexOf(a) - KINDS.indexOf(b)));
    // Deterministic: the same figures, the same answer.
    expect((await t.db.caller.routing.suggestions({})).suggestions).toEqual(answer.suggestions);
  });

  it('suggests nothing from fewer than minOutcomes outcomes, and lists the candidates skipped', async () => {
    const { u, c } = await history();
    const answer = await t.db.caller.routing.suggestions({ minOutcomes: 101 });
    expect(answer.minOutcomes).toBe(101);
    expect(answer.suggestions.filter((s) => s.ruleId === u.id && s.kind === 'underperforming_rule')).toEqual([]);
    // big has 100 calls: no comparison with it stands.
    expect(answer.suggestions.filter((s) => s.ruleId === c.id)).toEqual([]);
    expect(answer.skipped).toContainEqual(
      expect.objectContaining({
        kind: 'underperforming_rule',
        ruleId: u.id,
        sampleSize: 100,
        reason: expect.stringContaining('fewer than 101'),
      }),
    );
    expect(answer.skipped).toContainEqual(
      expect.objectContaining({ kind: 'cheaper_model', ruleId: c.id, model: 'small', sampleSize: 100 }),
    );
  });

  it('finds an active rule that never hit over enough decisions, older than the range; fewer decisions: skipped', async () => {
    const silent = await saveRule('never matches anything', 'fast', null);
    const inactive = (await t.db.caller.routing.updateHeuristic({ pattern: 'switched off', preferredLayer: 'fast', active: false }))
      .heuristic;
    // Hits as the demo history writes them (the per-rule table only) count as hits.
    const seeded = await saveRule('hit by the demo history', 'fast', null);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const from = new Date().toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    await t.db.prisma.ruleHitHourly.create({
      data: { ruleId: seeded.id, hour: new Date(Math.floor(Date.parse(from) / 3_600_000) * 3_600_000), taskType: 'chat', hits: 3 },
    });
    const young = await saveRule('created inside the range', 'fast', null);

    await decide(null, 'chat', NEVER_HITS_MIN_DECISIONS - 1);
    const few = await t.db.caller.routing.suggestions({ from, to });
    expect(few.suggestions).toEqual([]);
    expect(few.skipped).toEqual([
      expect.objectContaining({ kind: 'never_hits', ruleId: silent.id, sampleSize: NEVER_HITS_MIN_DECISIONS - 1 }),
    ]);

    await decide(null, 'chat', 1);
    const { suggestions } = await t.db.caller.routing.suggestions({ from, to });
    expect(suggestions).toEqual([
      expect.objectContaining({
        id: `never_hits:rule-${silent.id}:v${silent.versionId}`,
        kind: 'never_hits',
        ruleId: silent.id,
        sampleSize: 1000,
        evidence: expect.stringContaining('none of the 1,000 decisions'),
        action: {
          shadowRule: expect.objectContaining({ id: silent.id, pattern: silent.pattern, preferredLayer: 'fast', state: 'shadow' }),
        },
      }),
    ]);
    // Wilson 95% of 0/1000: 0–0.38.
    expect(suggestions[0]!.interval.low).toBe(0);
    expect(suggestions[0]!.interval.high).toBeCloseTo(0.38, 2);
    expect(suggestions.map((s) => s.ruleId)).not.toContain(inactive.id);
    expect(suggestions.map((s) => s.ruleId)).not.toContain(young.id);
    expect(suggestions.map((s) => s.ruleId)).not.toContain(seeded.id);

    // Applied: the existing rule is edited to shadow (a new version), no rule is added.
    const applied = await t.db.caller.routing.applySuggestion({ id: suggestions[0]!.id, as: 'shadow_rule', from, to });
    expect(applied).toMatchObject({ applied: 'shadow_rule', created: false, rule: { id: silent.id, state: 'shadow', version: 2 } });
    expect(await t.db.prisma.routingRule.count()).toBe(4);
    // It no longer applies.
    await expect(t.db.caller.routing.applySuggestion({ id: suggestions[0]!.id, as: 'shadow_rule', from, to })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('analyze_metrics recommendations', () => {
  it('include the top routing suggestions (title and evidence), only when there are some', async () => {
    const none = await t.db.caller.modelPerformance.analyze({});
    expect(none.recommendations!.filter((r) => r.kind === 'routing-suggestion')).toEqual([]);
    expect(none.report).not.toContain('apply_routing_suggestion');

    const { c } = await history();
    const { suggestions } = await t.db.caller.routing.suggestions({});
    const { recommendations, report } = await t.db.caller.modelPerformance.analyze({});
    const routing = recommendations!.filter((r) => r.kind === 'routing-suggestion');
    expect(routing.map((r) => r.evidence.id)).toEqual(suggestions.slice(0, 5).map((s) => s.id));
    const cheaper = routing.find((r) => r.evidence.id === `cheaper_model:rule-${c.id}:v${c.versionId}:small`)!;
    expect(cheaper.message).toContain('small is as good as big');
    expect(cheaper.evidence).toMatchObject({ suggestionKind: 'cheaper_model', ruleId: c.id, sampleSize: 200 });
    expect(report).toContain(cheaper.message);
    // Without the report part, no recommendations at all.
    expect((await t.db.caller.modelPerformance.analyze({ includeReport: false })).recommendations).toBeNull();
  });
});

const KINDS = ['underperforming_rule', 'cheaper_model', 'worth_experiment', 'never_hits'];

describe('apply_routing_suggestion', () => {
  it('makes the suggested shadow rule through the rule store', async () => {
    const { c } = await history();
    const id = `cheaper_model:rule-${c.id}:v${c.versionId}:small`;
    const applied = await t.db.caller.routing.applySuggestion({ id, as: 'shadow_rule' });
    expect(applied).toMatchObject({
      applied: 'shadow_rule',
      created: true,
      rule: { pattern: '(?:translate)', preferredLayer: 'deep', preferredModel: 'small', priority: 6, state: 'shadow', version: 1 },
    });
    const stored = await t.db.prisma.routingRule.findUniqueOrThrow({ where: { pattern: '(?:translate)' } });
    expect(stored).toMatchObject({ preferredLayer: 'deep', preferredModel: 'small', priority: 6, state: 'shadow' });
    // The original rule is untouched; applying again makes another equivalent shadow pattern, never edits the first.
    expect(await t.db.prisma.routingRule.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({
      state: 'active',
      preferredModel: 'big',
    });
    const again = await t.db.caller.routing.applySuggestion({ id, as: 'shadow_rule' });
    expect(again).toMatchObject({ created: true, rule: { pattern: '(?:(?:translate))' } });
  });

  it('answers 404 naming id for a suggestion that does not apply, 400 naming the field for bad input', async () => {
    await history();
    await expect(t.db.caller.routing.applySuggestion({ id: 'cheaper_model:rule-999:v1:nothing', as: 'shadow_rule' })).rejects.toMatchObject(
      {
        code: 'NOT_FOUND',
        message: expect.stringContaining('cheaper_model:rule-999:v1:nothing'),
      },
    );
    const rules = await t.db.prisma.routingRule.count();
    await expectBadRequest(t.db.caller.routing.applySuggestion({ id: 'x', as: 'bogus' as 'shadow_rule' }), 'as');
    await expectBadRequest(t.db.caller.routing.applySuggestion({ id: '', as: 'shadow_rule' }), 'id');
    await expectBadRequest(t.db.caller.routing.suggestions({ minOutcomes: 0 }), 'minOutcomes');
    await expectBadRequest(t.db.caller.routing.suggestions({ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }), 'from');
    expect(await t.db.prisma.routingRule.count()).toBe(rules);
  });

  it('applies a suggestion as an experiment: control vs the suggested model on the rule, running at once', async () => {
    const { c } = await history();
    const id = `cheaper_model:rule-${c.id}:v${c.versionId}:small`;
    const applied = await t.db.caller.routing.applySuggestion({ id, as: 'experiment' });
    expect(applied.applied).toBe('experiment');
    const experiment = await t.db.prisma.routingExperiment.findFirstOrThrow({ include: { arms: { orderBy: { position: 'asc' } } } });
    expect(experiment).toMatchObject({ ruleId: c.id, status: 'running' });
    expect(experiment.arms.map((arm) => arm.variant)).toEqual([{ kind: 'control' }, { kind: 'model', model: 'small' }]);
    // The same suggestion again: one running experiment per rule and task type.
    await expect(t.db.caller.routing.applySuggestion({ id, as: 'experiment' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
