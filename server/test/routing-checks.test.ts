import { describe, expect, it } from 'vitest';
import { recentDecisionInputs } from '../services/routing/check-rules';
import { expectBadRequest, useTestDatabase } from './database';

const t = useTestDatabase();

const save = (rule: Parameters<typeof t.db.caller.routing.updateHeuristic>[0]) => t.db.caller.routing.updateHeuristic(rule);

/**
 * Stores decision inputs as the spine's sampler will. The table arrives with the spine's migration; until it is merged
 * this suite makes one with the contract's columns, so the checks' reading of it is tested on both databases either way.
 */
async function storeSamples(inputs: readonly string[]) {
  await t.db.prisma.$executeRawUnsafe(`
    CREATE TABLE IF NOT EXISTS routing_decision_samples (
      id bigserial PRIMARY KEY, sampled_at timestamptz NOT NULL DEFAULT now(), input text NOT NULL, task_type text,
      version_id integer, rule_id integer, layer text NOT NULL, model text)`);
  for (const [i, input] of inputs.entries()) {
    await t.db.prisma.$executeRaw`
      INSERT INTO routing_decision_samples (sampled_at, input, task_type, version_id, rule_id, layer, model)
      VALUES (now() - make_interval(secs => ${i}), ${input}, NULL, NULL, NULL, 'balanced', NULL)`;
  }
}

describe('check_routing_rules', () => {
  it('reports a rule a higher-priority rule shadows, from example inputs when no samples are stored', async () => {
    const { heuristic: broad } = await save({ pattern: 'implement', preferredLayer: 'deep', priority: 10 });
    const { heuristic: narrow } = await save({ pattern: 'implement.*algorithm', preferredLayer: 'fast', priority: 0 });
    const { warnings, checked } = await t.db.caller.routing.checkRules({});
    expect(warnings).toEqual([
      expect.objectContaining({ ruleId: narrow.id, kind: 'never_fires', evidence: expect.objectContaining({ otherRuleIds: [broad.id] }) }),
    ]);
    expect(checked).toMatchObject({ rules: 2, samples: 0, corpusUsed: true, complete: true });
  });

  it('takes stored decision inputs, newest first, as evidence that clears a rule', async () => {
    await save({ pattern: 'postgres[x 7]?sql', preferredLayer: 'fast', priority: 5 });
    const { heuristic: late } = await save({ pattern: 'postgres.*sql', preferredLayer: 'deep', priority: 1 });
    expect((await t.db.caller.routing.checkRules({})).warnings.map((w) => [w.ruleId, w.kind])).toEqual([[late.id, 'never_fires']]);

    await storeSamples(['postgres and sql', 'an older input']);
    expect(await recentDecisionInputs(t.db.prisma, 10)).toEqual(['postgres and sql', 'an older input']);
    expect(await recentDecisionInputs(t.db.prisma, 1)).toEqual(['postgres and sql']);
    const { warnings, checked } = await t.db.caller.routing.checkRules({});
    expect(warnings).toEqual([]);
    expect(checked.samples).toBe(2);
  });

  it('judges breadth on the samples once there are enough of them', async () => {
    const { heuristic } = await save({ pattern: 'ticket', preferredLayer: 'fast' });
    await storeSamples([...Array.from({ length: 19 }, (_, i) => `ticket ${i}`), 'unrelated']);
    const { warnings } = await t.db.caller.routing.checkRules({});
    expect(warnings).toEqual([
      expect.objectContaining({
        ruleId: heuristic.id,
        kind: 'matches_almost_everything',
        evidence: { share: { matched: 19, of: 20, basis: 'samples' } },
      }),
    ]);
    expect((await t.db.caller.routing.checkRules({ almostEverythingShare: 0.96 })).warnings).toEqual([]);
    await expectBadRequest(t.db.caller.routing.checkRules({ almostEverythingShare: 2 }), 'almostEverythingShare');
  });

  it('checks an unsaved candidate in place, under a null id, without storing it', async () => {
    const { heuristic: broad } = await save({ pattern: '(?i)translate', preferredLayer: 'fast', priority: 3 });
    const { warnings } = await t.db.caller.routing.checkRules({
      candidate: { pattern: 'translate (this|it) into french', preferredLayer: 'deep', priority: 3 },
    });
    // Same priority, but a save makes the candidate the most recently updated: it would rank first and take the inputs.
    expect(warnings.map((w) => [w.ruleId, w.kind, w.evidence.otherRuleIds])).toEqual([[broad.id, 'overlap', [null]]]);

    const below = await t.db.caller.routing.checkRules({ candidate: { pattern: 'translate (this|it) into french', priority: 2 } });
    expect(below.warnings.map((w) => [w.ruleId, w.kind, w.evidence.otherRuleIds])).toEqual([[null, 'never_fires', [broad.id]]]);
    expect(below.warnings[0]!.message).toMatch(/^The rule being written can never fire/);
    expect(await t.db.prisma.routingRule.count()).toBe(1);
  });

  it('checks an edit in place of the stored rule, by id or by pattern', async () => {
    const { heuristic: broad } = await save({ pattern: 'deploy', preferredLayer: 'fast', priority: 3 });
    const { heuristic: narrow } = await save({ pattern: 'deploy (prod|staging)', preferredLayer: 'deep', priority: 1 });
    expect((await t.db.caller.routing.checkRules({})).warnings.map((w) => w.kind)).toEqual(['never_fires']);
    // Raised above the broad rule, the edit is not shadowed any more; the broad rule still fires on "deploy" alone.
    const raised = await t.db.caller.routing.checkRules({ candidate: { id: narrow.id, pattern: narrow.pattern, priority: 4 } });
    expect(raised.warnings).toEqual([]);
    const byPattern = await t.db.caller.routing.checkRules({ candidate: { pattern: narrow.pattern, priority: 4 } });
    expect(byPattern.warnings).toEqual([]);
    // Deactivating the broad rule frees the narrow one.
    const inactive = await t.db.caller.routing.checkRules({ candidate: { id: broad.id, pattern: broad.pattern, active: false } });
    expect(inactive.warnings).toEqual([]);
  });

  it('reports a candidate pattern the engine refuses as a warning, not a refusal', async () => {
    const { warnings } = await t.db.caller.routing.checkRules({ candidate: { pattern: '(a)\\1' } });
    expect(warnings).toEqual([
      expect.objectContaining({ ruleId: null, kind: 'unusable', evidence: { reason: expect.stringMatching(/backreference/) } }),
    ]);
  });

  it('refuses a contradicting state, an unknown id and an empty pattern by field', async () => {
    await expectBadRequest(
      t.db.caller.routing.checkRules({ candidate: { pattern: 'x', state: 'shadow', active: true } }),
      'candidate.state',
    );
    await expectBadRequest(t.db.caller.routing.checkRules({ candidate: { pattern: '' } }), 'candidate.pattern');
    await expect(t.db.caller.routing.checkRules({ candidate: { id: 424242, pattern: 'x' } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('424242'),
    });
  });
});

describe('update_routing_heuristic warnings', () => {
  it('answers with the warnings concerning the saved rule and saves it all the same', async () => {
    const { heuristic: narrow, warnings: first } = await save({ pattern: 'refactor the (api|cli)', preferredLayer: 'deep', priority: 0 });
    expect(first).toEqual([]);
    const { heuristic: broad, warnings: shadowing } = await save({ pattern: 'refactor', preferredLayer: 'fast', priority: 9 });
    // The broad rule is not itself wrong, but it is what makes the narrow one dead: its save says so.
    expect(shadowing).toEqual([
      expect.objectContaining({ ruleId: narrow.id, kind: 'never_fires', evidence: expect.objectContaining({ otherRuleIds: [broad.id] }) }),
    ]);
    const { created, warnings: again } = await save({ pattern: 'refactor the (api|cli)', preferredLayer: 'deep', priority: 0 });
    expect(created).toBe(false);
    expect(again.map((w) => [w.ruleId, w.kind])).toEqual([[narrow.id, 'never_fires']]);
    const { warnings: unrelated } = await save({ pattern: 'summari[sz]e', preferredLayer: 'fast' });
    expect(unrelated).toEqual([]);
    const { heuristic: empty, warnings: emptyWarnings } = await save({ pattern: '(hello)?', preferredLayer: 'fast', priority: -5 });
    expect(emptyWarnings.map((w) => [w.ruleId, w.kind])).toEqual([
      [empty.id, 'matches_empty'],
      [empty.id, 'matches_almost_everything'],
    ]);
    expect(await t.db.prisma.routingRule.count()).toBe(4);
  });
});
