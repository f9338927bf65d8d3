import { describe, expect, it } from 'vitest';
import { createExperiment, guardRunningExperiments } from '../services/experiments/experiments';
import { flushRouteDecisions } from '../services/routing/decision-recorder';
import { assignArm, compileSnapshot, decide } from '../services/routing/engine';
import { routingSnapshot } from '../services/routing/snapshot';
import { expectBadRequest, testDatabaseKind, useTestDatabase, writeKeyCaller } from './database';

const t = useTestDatabase();

const callerWithKey = (name: string) => writeKeyCaller(t.db.prisma, name);

async function seededRule(pattern = 'refactor', state: 'active' | 'shadow' | 'inactive' = 'active') {
  const { heuristic } = await t.db.caller.routing.updateHeuristic({
    pattern,
    preferredLayer: 'balanced',
    preferredModel: 'gpt-4o-mini',
    state,
  });
  return heuristic;
}

const controlAndModel = (model = 'claude-sonnet-4', weights: [number, number] = [1, 1]) => [
  { name: 'control', weight: weights[0], variant: { kind: 'control' as const } },
  { name: 'sonnet', weight: weights[1], variant: { kind: 'model' as const, model } },
];

describe(`experiments (${testDatabaseKind})`, () => {
  it('refuses bad input with a 400 naming the field, and writes nothing', async () => {
    const rule = await seededRule();
    const shadow = await seededRule('shadowy', 'shadow');
    const create = t.db.caller.experiments.create;
    const base = { name: 'x', ruleId: rule.id, arms: controlAndModel() };
    await expectBadRequest(create({ ...base, ruleId: 999_999 }), 'ruleId');
    await expectBadRequest(create({ ...base, ruleId: shadow.id }), 'ruleId');
    await expectBadRequest(create({ ...base, arms: base.arms.slice(0, 1) }), 'arms');
    await expectBadRequest(create({ ...base, arms: [base.arms[1]!, base.arms[0]!] }), 'arms.0.variant.kind');
    await expectBadRequest(create({ ...base, arms: [base.arms[0]!, { ...base.arms[1]!, weight: 0 }] }), 'arms.1.weight');
    await expectBadRequest(
      create({ ...base, arms: [base.arms[0]!, { name: 'b', variant: { kind: 'model', model: '  ' } }] }),
      'arms.1.variant.model',
    );
    await expectBadRequest(
      // @ts-expect-error -- a layer that does not exist
      create({ ...base, arms: [base.arms[0]!, { name: 'b', variant: { kind: 'layer', layer: 'huge' } }] }),
      'arms.1.variant.layer',
    );
    await expectBadRequest(
      create({ ...base, arms: [base.arms[0]!, { name: 'b', variant: { kind: 'policy', policyId: 4242 } }] }),
      'arms.1.variant.policyId',
    );
    await expectBadRequest(
      create({ ...base, arms: [base.arms[0]!, { name: 'b', variant: { kind: 'rule', pattern: '(' } }] }),
      'arms.1.variant.pattern',
    );
    await expectBadRequest(create({ ...base, arms: [base.arms[0]!, { name: 'b', variant: { kind: 'rule' } }] }), 'arms.1.variant');
    await expectBadRequest(
      create({ ...base, arms: [base.arms[0]!, { name: 'control', variant: { kind: 'model', model: 'm' } }] }),
      'arms.1.name',
    );
    expect(await t.db.prisma.routingExperiment.count()).toBe(0);
    expect(await t.db.prisma.routingExperimentArm.count()).toBe(0);

    const first = await create({ ...base, taskType: 'coding' });
    expect(first).toMatchObject({ status: 'running', taskType: 'coding', verdict: { status: 'collecting' } });
    // Another one on the same rule and task type (or on every task type) clashes; another task type does not.
    for (const taskType of ['coding', null]) {
      const error = await create({ ...base, taskType }).then(
        () => expect.fail('expected a conflict'),
        (e: { code?: string; message: string }) => e,
      );
      expect(error.code).toBe('CONFLICT');
      expect(error.message).toContain(`#${first.id}`);
    }
    await expect(create({ ...base, taskType: 'docs' })).resolves.toMatchObject({ status: 'running' });
    expect(await t.db.prisma.routingExperiment.count()).toBe(2);
  });

  it('splits by a stable hash of the request key, in proportion to the weights', async () => {
    const rule = await seededRule();
    const experiment = await t.db.caller.experiments.create({
      name: 'split',
      ruleId: rule.id,
      arms: controlAndModel('claude-sonnet-4', [1, 3]),
    });
    const [snapshotExperiment] = (await routingSnapshot(t.db.prisma)).experiments!;
    expect(snapshotExperiment).toMatchObject({ experimentId: experiment.id, ruleId: rule.id });
    const counts = new Map<number, number>();
    for (let i = 0; i < 10_000; i++) {
      const arm = assignArm(snapshotExperiment!, `conversation-${i}`);
      counts.set(arm.armId, (counts.get(arm.armId) ?? 0) + 1);
    }
    // 1:3 → 2,500 / 7,500; a binomial sd is ~43, so ±200 is over 4 sd.
    expect(Math.abs((counts.get(experiment.arms[0]!.id) ?? 0) - 2500)).toBeLessThan(200);
    expect(Math.abs((counts.get(experiment.arms[1]!.id) ?? 0) - 7500)).toBeLessThan(200);

    // The same key lands in the same arm on every call, through resolve_route.
    for (const key of ['alice', 'bob', 'carol']) {
      const arms = new Set<number | null>();
      for (let i = 0; i < 5; i++) arms.add((await t.db.caller.routing.resolve({ input: 'please refactor this', requestKey: key })).armId);
      expect(arms.size).toBe(1);
      expect([...arms][0]).toBe(assignArm(snapshotExperiment!, key).armId);
    }
  });

  it('counts decisions and outcomes per arm through resolve_route and record_route_outcome, and the arm decides the model', async () => {
    const rule = await seededRule();
    const experiment = await t.db.caller.experiments.create({ name: 'counters', ruleId: rule.id, arms: controlAndModel() });
    const [control, sonnet] = experiment.arms;
    const expected = new Map([
      [control!.id, { decisions: 0, outcomes: 0, successes: 0, latency: 0, cost: 0 }],
      [sonnet!.id, { decisions: 0, outcomes: 0, successes: 0, latency: 0, cost: 0 }],
    ]);
    const decisions = [];
    for (let i = 0; i < 60; i++) {
      const decision = await t.db.caller.routing.resolve({ input: 'refactor the parser', requestKey: `key-${i}`, taskType: 'coding' });
      expect(decision.experimentId).toBe(experiment.id);
      expect(decision.model).toBe(decision.armId === sonnet!.id ? 'claude-sonnet-4' : 'gpt-4o-mini');
      expected.get(decision.armId!)!.decisions += 1;
      decisions.push(decision);
    }
    // A decision another rule makes is not in the experiment.
    expect((await t.db.caller.routing.resolve({ input: 'something else', requestKey: 'key-1' })).armId).toBeNull();
    await flushRouteDecisions(t.db.prisma);
    for (const [i, decision] of decisions.entries()) {
      if (i % 3 === 0) continue; // no outcome for a third of them
      const success = decision.armId === sonnet!.id ? i % 5 !== 0 : i % 2 === 0;
      await t.db.caller.routing.recordOutcome({ decisionId: decision.decisionId, success, latencyMs: 100 + i, cost: 0.001 * i });
      const e = expected.get(decision.armId!)!;
      e.outcomes += 1;
      e.successes += success ? 1 : 0;
      e.latency += 100 + i;
      e.cost += 0.001 * i;
    }
    const read = await t.db.caller.experiments.get({ id: experiment.id });
    for (const arm of read.arms) {
      const e = expected.get(arm.id)!;
      expect(arm).toMatchObject({ decisions: e.decisions, outcomes: e.outcomes, successes: e.successes });
      expect(arm.latency!.mean * arm.latency!.n).toBeCloseTo(e.latency, 6);
      expect(arm.cost!.mean * arm.cost!.n).toBeCloseTo(e.cost, 9);
      expect(arm.successRate).toBeCloseTo(e.successes / e.outcomes, 12);
    }
    expect(read.verdict.status).toBe('collecting');
  });

  it("counts decisions a gateway's hone.router() made with a request key, sent through ingest with their outcomes", async () => {
    const rule = await seededRule();
    const experiment = await t.db.caller.experiments.create({ name: 'gateway', ruleId: rule.id, arms: controlAndModel() });
    // What hone.router() does in the gateway: decide locally from the served snapshot, then send decisions and outcomes.
    const compiled = compileSnapshot(await routingSnapshot(t.db.prisma));
    const decisions = Array.from({ length: 40 }, (_, i) =>
      decide(compiled, 'refactor it', { requestKey: `conv-${i % 10}`, taskType: 'coding' }),
    );
    const result = await t.db.caller.ingest.batch({
      routeDecisions: decisions.map((d) => ({
        decisionId: d.decisionId,
        versionId: d.versionId,
        ruleId: d.ruleId,
        layer: d.layer,
        model: d.model,
        taskType: 'coding',
        shadow: d.shadow,
        policyId: d.policyId,
        experimentId: d.experimentId,
        armId: d.armId,
      })),
      routeOutcomes: decisions.map((d, i) => ({ decisionId: d.decisionId, success: i % 2 === 0, latencyMs: 200 })),
    });
    expect(result).toBeDefined();
    const read = await t.db.caller.experiments.get({ id: experiment.id });
    for (const arm of read.arms) {
      const mine = decisions.map((d, i) => ({ d, i })).filter(({ d }) => d.armId === arm.id);
      expect(arm.decisions).toBe(mine.length);
      expect(arm.outcomes).toBe(mine.length);
      expect(arm.successes).toBe(mine.filter(({ i }) => i % 2 === 0).length);
    }
    expect(read.arms.reduce((sum, arm) => sum + arm.decisions, 0)).toBe(40);
  });

  it('get_experiment on a textbook case: 500/1000 vs 550/1000 gives p = 1/3.31209, persisted as the running minimum', async () => {
    const rule = await seededRule();
    const experiment = await t.db.caller.experiments.create({ name: 'textbook', ruleId: rule.id, arms: controlAndModel() });
    await t.db.prisma.routingExperimentArm.update({ where: { id: experiment.arms[0]!.id }, data: { outcomes: 1000, successes: 500 } });
    await t.db.prisma.routingExperimentArm.update({ where: { id: experiment.arms[1]!.id }, data: { outcomes: 1000, successes: 550 } });
    const read = await t.db.caller.experiments.get({ id: experiment.id });
    const arm = read.arms[1]!;
    expect(arm.pValue).toBeCloseTo(1 / 3.31209, 4);
    expect(arm.diff!.effect).toBeCloseTo(0.05, 12);
    expect(arm.successCi!.low).toBeCloseTo(0.519, 3); // Wilson 550/1000: 0.5190 to 0.5808
    expect(read.verdict.status).toBe('running');
    const stored = await t.db.prisma.routingExperimentArm.findUniqueOrThrow({ where: { id: arm.id } });
    expect(stored.minPValue).toBeCloseTo(1 / 3.31209, 4);
    // The arm drifts back to the control's rate: the p-value stays at its minimum.
    await t.db.prisma.routingExperimentArm.update({ where: { id: arm.id }, data: { outcomes: 2000, successes: 1000 } });
    await t.db.prisma.routingExperimentArm.update({ where: { id: experiment.arms[0]!.id }, data: { outcomes: 2000, successes: 1000 } });
    expect((await t.db.caller.experiments.get({ id: experiment.id })).arms[1]!.pValue).toBeCloseTo(1 / 3.31209, 4);
  });

  it('the guard stops a clearly worse arm: stored, out of the snapshot, its traffic back to the control', async () => {
    const rule = await seededRule();
    const experiment = await t.db.caller.experiments.create({ name: 'guarded', ruleId: rule.id, arms: controlAndModel('bad-model') });
    await t.db.prisma.routingExperimentArm.update({ where: { id: experiment.arms[0]!.id }, data: { outcomes: 500, successes: 400 } });
    await t.db.prisma.routingExperimentArm.update({ where: { id: experiment.arms[1]!.id }, data: { outcomes: 500, successes: 250 } });
    const before = (await routingSnapshot(t.db.prisma)).version;
    const { experiments: read } = await t.db.caller.experiments.list({});
    expect(read[0]!.arms[1]).toMatchObject({ stopped: true, guardStop: expect.stringContaining('worse than the control by 30.0 points') });
    expect(read[0]!.verdict.status).toBe('control_wins');
    const stored = await t.db.prisma.routingExperimentArm.findUniqueOrThrow({ where: { id: experiment.arms[1]!.id } });
    expect(stored.stoppedAt).not.toBeNull();
    expect(stored.stopReason).toMatch(/^guard: worse/);
    const snapshot = await routingSnapshot(t.db.prisma);
    expect(snapshot.version).not.toBe(before);
    expect(snapshot.experiments![0]!.arms[1]!.weight).toBe(0);
    for (let i = 0; i < 20; i++)
      expect((await t.db.caller.routing.resolve({ input: 'refactor', requestKey: `k${i}` })).model).toBe('gpt-4o-mini');
    // A second look does not stop it again (the first stop stays).
    const again = await t.db.caller.experiments.get({ id: experiment.id });
    expect(again.arms[1]!.guardStop).toBeUndefined();
    expect(again.arms[1]!.stoppedAt).toBe(stored.stoppedAt!.toISOString());
  });

  it("promoting an arm makes a new rule version with the arm's model, authored by the caller; the experiment records it", async () => {
    const rule = await seededRule();
    const experiment = await t.db.caller.experiments.create({ name: 'promote', ruleId: rule.id, arms: controlAndModel() });
    const caller = callerWithKey('release-bot');
    const stopped = await caller.experiments.stop({ id: experiment.id, promoteArmId: experiment.arms[1]!.id });
    const after = await t.db.prisma.routingRule.findUniqueOrThrow({ where: { id: rule.id } });
    expect(after).toMatchObject({ preferredModel: 'claude-sonnet-4', preferredLayer: 'balanced', version: rule.version + 1 });
    expect(stopped).toMatchObject({
      status: 'promoted',
      promotedArmId: experiment.arms[1]!.id,
      promotedVersionId: after.versionId,
      verdict: { status: 'promoted' },
      rule: { model: 'claude-sonnet-4', version: rule.version + 1 },
    });
    const version = await t.db.prisma.routingRuleVersion.findUniqueOrThrow({ where: { id: after.versionId! } });
    expect(version).toMatchObject({ preferredModel: 'claude-sonnet-4', changedBy: 'release-bot', change: 'updated' });
    // No longer split; a second stop is refused.
    expect((await routingSnapshot(t.db.prisma)).experiments).toEqual([]);
    const decision = await t.db.caller.routing.resolve({ input: 'refactor', requestKey: 'x' });
    expect(decision).toMatchObject({ experimentId: null, model: 'claude-sonnet-4', versionId: after.versionId });
    await expect(caller.experiments.stop({ id: experiment.id })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('a layer arm promoted changes the layer; a plain stop leaves the rule alone; an unknown arm is refused', async () => {
    const rule = await seededRule();
    const experiment = await t.db.caller.experiments.create({
      name: 'layers',
      ruleId: rule.id,
      arms: [
        { name: 'control', variant: { kind: 'control' } },
        { name: 'deep', variant: { kind: 'layer', layer: 'deep', model: null } },
      ],
    });
    await expectBadRequest(t.db.caller.experiments.stop({ id: experiment.id, promoteArmId: 999_999 }), 'promoteArmId');
    expect((await t.db.caller.experiments.get({ id: experiment.id })).status).toBe('running');
    await t.db.caller.experiments.stop({ id: experiment.id, promoteArmId: experiment.arms[1]!.id });
    expect(await t.db.prisma.routingRule.findUniqueOrThrow({ where: { id: rule.id } })).toMatchObject({
      preferredLayer: 'deep',
      preferredModel: null,
    });

    const other = await seededRule('other');
    const plain = await t.db.caller.experiments.create({ name: 'plain', ruleId: other.id, arms: controlAndModel() });
    const result = await t.db.caller.experiments.stop({ id: plain.id, reason: 'not needed' });
    expect(result).toMatchObject({ status: 'stopped', stopReason: 'not needed', promotedArmId: null, verdict: { status: 'stopped' } });
    expect((await t.db.prisma.routingRule.findUniqueOrThrow({ where: { id: other.id } })).version).toBe(other.version);
  });

  it("a pattern variant: decided per arm through resolve_route, and promoted as the rule's new pattern", async () => {
    const rule = await seededRule('refactor');
    await t.db.caller.routing.updateHeuristic({ pattern: 'rewrite|code', preferredLayer: 'fast', preferredModel: 'small', priority: -1 });
    const experiment = await t.db.caller.experiments.create({
      name: 'wider',
      ruleId: rule.id,
      arms: [
        { name: 'control', variant: { kind: 'control' } },
        { name: 'wider', variant: { kind: 'rule', pattern: 'refactor|rewrite' } },
      ],
    });
    const [control, wider] = experiment.arms;
    const seen = new Map<number, Set<string | null>>();
    for (let i = 0; i < 40; i++) {
      const decision = await t.db.caller.routing.resolve({ input: 'rewrite this module', requestKey: `k${i}` });
      expect(decision.experimentId).toBe(experiment.id);
      seen.set(decision.armId!, (seen.get(decision.armId!) ?? new Set()).add(decision.model));
    }
    expect(seen.get(control!.id)).toEqual(new Set(['small'])); // the control's rule does not match: the next rule decides
    expect(seen.get(wider!.id)).toEqual(new Set(['gpt-4o-mini'])); // the variant matches and ranks first
    expect((await t.db.caller.routing.resolve({ input: 'write code', requestKey: 'k1' })).experimentId).toBeNull();
    await flushRouteDecisions(t.db.prisma);
    const read = await t.db.caller.experiments.get({ id: experiment.id });
    expect(read.arms.reduce((sum, arm) => sum + arm.decisions, 0)).toBe(40);

    await t.db.caller.experiments.stop({ id: experiment.id, promoteArmId: wider!.id });
    expect(await t.db.prisma.routingRule.findUniqueOrThrow({ where: { id: rule.id } })).toMatchObject({
      pattern: 'refactor|rewrite',
      version: rule.version + 1,
    });
    expect(await t.db.caller.routing.resolve({ input: 'rewrite this module' })).toMatchObject({ ruleId: rule.id, experimentId: null });
  });

  it('a pattern another rule has cannot be promoted: 409, nothing changes', async () => {
    const rule = await seededRule('refactor');
    await seededRule('taken');
    const experiment = await t.db.caller.experiments.create({
      name: 'clash',
      ruleId: rule.id,
      arms: [
        { name: 'control', variant: { kind: 'control' } },
        { name: 'taken', variant: { kind: 'rule', pattern: 'taken', priority: 5 } },
      ],
    });
    await expect(t.db.caller.experiments.stop({ id: experiment.id, promoteArmId: experiment.arms[1]!.id })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect((await t.db.caller.experiments.get({ id: experiment.id })).status).toBe('running');
    expect((await t.db.prisma.routingRule.findUniqueOrThrow({ where: { id: rule.id } })).version).toBe(rule.version);
  });

  it("the background guard stops a worse arm without anyone looking; the service takes the tool's input as is", async () => {
    const rule = await seededRule();
    const experiment = await createExperiment(t.db.prisma, { name: 'unwatched', ruleId: rule.id, arms: controlAndModel('bad-model') });
    expect(experiment).toMatchObject({ alpha: 0.025, minOutcomes: 100, guard: true });
    await expect(createExperiment(t.db.prisma, { name: '', ruleId: rule.id, arms: controlAndModel() })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      issues: [{ path: ['name'] }],
    });
    expect(await guardRunningExperiments(t.db.prisma)).toBe(0);
    await t.db.prisma.routingExperimentArm.update({ where: { id: experiment.arms[0]!.id }, data: { outcomes: 400, successes: 360 } });
    await t.db.prisma.routingExperimentArm.update({ where: { id: experiment.arms[1]!.id }, data: { outcomes: 400, successes: 280 } });
    expect(await guardRunningExperiments(t.db.prisma)).toBe(1);
    expect(await guardRunningExperiments(t.db.prisma)).toBe(0);
    expect((await t.db.prisma.routingExperimentArm.findUniqueOrThrow({ where: { id: experiment.arms[1]!.id } })).stoppedAt).not.toBeNull();
  });

  it('a running experiment made by a named key records its author', async () => {
    const rule = await seededRule();
    const made = await callerWithKey('ops').experiments.create({ name: 'authored', ruleId: rule.id, arms: controlAndModel() });
    expect(made.createdBy).toBe('ops');
  });
});
