// Adaptive policies on a real database: the store refuses bad input naming the field and writes nothing; a rule names
// a policy; recompute reads outcomes written through ingest, discounted by rank, in one set-based read; resolve_route
// chooses by the recomputed shares and says why (posterior means, sample sizes), its cached snapshot following each
// recompute. The maths alone: server/services/adaptive/policy-maths.unit.test.ts.
import { describe, expect, it } from 'vitest';
import { policyStatsFromOutcomes } from '../services/adaptive/outcome-stats';
import { computePolicyArms } from '../services/adaptive/policy-maths';
import { LONG_HALF_LIFE_FACTOR, recomputePolicyParams, scheduleAdaptiveRecompute } from '../services/adaptive/recompute';
import type { PolicyArmParams } from '../services/routing/engine';
import { routingSnapshot, routingSnapshotVersion } from '../services/routing/snapshot';
import type { PrismaClient } from '../db/client';
import { expectBadRequest, testDatabaseKind, useTestDatabase } from './database';

const t = useTestDatabase();

const base = { name: 'coding models', candidates: ['model-a', 'model-b'] };

/** A decision id that sorts by `i`: outcomes of one batch share their time, and the rank falls back on the id. */
const idOf = (batch: number, i: number) => `00000000-0000-4000-8${String(batch).padStart(3, '0')}-${String(i).padStart(12, '0')}`;

/**
 * Writes decisions made under `policyId` and their outcomes through ingest, in the given order (the last is the newest).
 * One batch shares its decided_at and outcome_at to the millisecond, so the ids order them, ascending as a gateway's
 * time-ordered decision ids are (packages/client/src/routing/decision-id.js).
 */
async function ingestOutcomes(
  policyId: number,
  outcomes: { model: string; success: boolean; taskType?: string; cost?: number; latencyMs?: number }[],
  batch = 0,
) {
  const routeDecisions = outcomes.map((o, i) => ({
    decisionId: idOf(batch, i + 1),
    versionId: null,
    ruleId: null,
    layer: 'balanced' as const,
    model: o.model,
    taskType: o.taskType ?? 'coding',
    policyId,
  }));
  const routeOutcomes = outcomes.map((o, i) => ({
    decisionId: idOf(batch, i + 1),
    success: o.success,
    ...(o.cost !== undefined && { cost: o.cost }),
    ...(o.latencyMs !== undefined && { latencyMs: o.latencyMs }),
  }));
  const answer = await t.db.caller.ingest.batch({ routeDecisions, routeOutcomes });
  expect(answer.outcomes.routeOutcomes.every((verdict: unknown) => verdict === 'stored')).toBe(true);
}

const armsOf = async (policyId: number, taskType: string) =>
  (await t.db.prisma.routingPolicyParams.findUnique({ where: { policyId_taskType: { policyId, taskType } } }))?.arms as unknown as
    PolicyArmParams[] | undefined;

describe(`adaptive policy store (${testDatabaseKind})`, () => {
  it('refuses bad input with a 400 naming the field, writing nothing', async () => {
    const { caller } = t.db;
    await expectBadRequest(caller.adaptive.savePolicy({ ...base, name: '  ' }), 'name');
    await expectBadRequest(caller.adaptive.savePolicy({ ...base, candidates: ['only-one'] }), 'candidates');
    await expectBadRequest(caller.adaptive.savePolicy({ ...base, candidates: ['a', 'a'] }), 'candidates');
    await expectBadRequest(caller.adaptive.savePolicy({ ...base, candidates: ['a', ' '] }), 'candidates');
    await expectBadRequest(caller.adaptive.savePolicy({ ...base, costWeight: -1 }), 'costWeight');
    await expectBadRequest(caller.adaptive.savePolicy({ ...base, latencyWeight: -0.1 }), 'latencyWeight');
    await expectBadRequest(caller.adaptive.savePolicy({ ...base, explorationCap: 1.5 }), 'explorationCap');
    await expectBadRequest(caller.adaptive.savePolicy({ ...base, minSamples: 0 }), 'minSamples');
    await expectBadRequest(caller.adaptive.savePolicy({ ...base, halfLife: 0 }), 'halfLife');
    await expectBadRequest(caller.adaptive.savePolicy({ ...base, costCeiling: 0 }), 'costCeiling');
    await expectBadRequest(caller.adaptive.savePolicy({ name: 'no candidates' }), 'candidates');
    expect(await t.db.prisma.routingPolicy.count()).toBe(0);
  });

  it('saves with defaults, updates by name keeping omitted fields, and allows one enabled policy per task type', async () => {
    const { caller } = t.db;
    const { created, policy } = await caller.adaptive.savePolicy({ ...base, taskType: 'coding' });
    expect(created).toBe(true);
    expect(policy).toMatchObject({
      taskType: 'coding',
      costWeight: 0,
      latencyWeight: 0,
      costCeiling: null,
      explorationCap: 0.1,
      minSamples: 20,
      halfLife: 200,
      enabled: true,
    });
    const again = await caller.adaptive.savePolicy({ name: base.name, costWeight: 5 });
    expect(again).toMatchObject({
      created: false,
      policy: { id: policy.id, candidates: base.candidates, costWeight: 5, taskType: 'coding' },
    });
    expect(Date.parse(again.policy.updatedAt)).toBeGreaterThan(Date.parse(policy.updatedAt));

    const clash = await caller.adaptive.savePolicy({ name: 'rival', candidates: ['x', 'y'], taskType: 'coding' }).catch((e: unknown) => e);
    expect(clash).toMatchObject({ code: 'CONFLICT' });
    expect((clash as Error).message).toContain('task type coding');
    // Disabled, it may name the same task type; enabling it then clashes.
    const rival = await caller.adaptive.savePolicy({ name: 'rival', candidates: ['x', 'y'], taskType: 'coding', enabled: false });
    await expect(caller.adaptive.savePolicy({ name: 'rival', enabled: true })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await t.db.prisma.routingPolicy.findUnique({ where: { id: rival.policy.id } })).toMatchObject({ enabled: false });
    await expect(caller.adaptive.savePolicy({ id: 999_999, ...base })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lets a rule name a policy (versioned, listed) and refuses deleting a policy a rule names', async () => {
    const { caller } = t.db;
    const { policy } = await caller.adaptive.savePolicy(base);
    await expectBadRequest(caller.routing.updateHeuristic({ pattern: 'sort', preferredLayer: 'deep', policyId: 999_999 }), 'policyId');
    expect(await t.db.prisma.routingRule.count()).toBe(0);
    const { heuristic } = await caller.routing.updateHeuristic({ pattern: 'sort', preferredLayer: 'deep', policyId: policy.id });
    expect(heuristic).toMatchObject({ policyId: policy.id, version: 1 });
    expect((await caller.routing.listHeuristics({}))[0]).toMatchObject({ id: heuristic.id, policyId: policy.id });
    // Omitted, it stays; null clears it, making a new version.
    expect((await caller.routing.updateHeuristic({ pattern: 'sort', preferredLayer: 'deep', priority: 1 })).heuristic.policyId).toBe(
      policy.id,
    );

    const refused = await caller.adaptive.deletePolicy({ id: policy.id }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'CONFLICT' });
    expect((refused as Error).message).toContain(`#${heuristic.id}`);
    expect(await t.db.prisma.routingPolicy.count()).toBe(1);

    const cleared = await caller.routing.updateHeuristic({ pattern: 'sort', preferredLayer: 'deep', policyId: null });
    expect(cleared.heuristic).toMatchObject({ policyId: null, version: 3 });
    expect((await caller.adaptive.deletePolicy({ id: policy.id })).deleted.id).toBe(policy.id);
    expect(await t.db.prisma.routingPolicy.count()).toBe(0);
    await expect(caller.adaptive.deletePolicy({ id: policy.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe(`the routing snapshot (${testDatabaseKind})`, () => {
  it('pairs its version with the state it read, when a policy edit commits while it is read', async () => {
    const { caller, prisma } = t.db;
    await caller.adaptive.savePolicy({ ...base, taskType: 'coding', explorationCap: 0.1 });
    const before = await routingSnapshot(prisma);
    // Commits an edit right after the snapshot's first statement, as a concurrent save would.
    let edited = false;
    const editingAfterFirstRead = prisma.$extends({
      query: {
        async $queryRaw({ args, query }) {
          const answer = await query(args);
          if (!edited) {
            edited = true;
            await caller.adaptive.savePolicy({ ...base, explorationCap: 0.3 });
          }
          return answer;
        },
      },
    }) as unknown as PrismaClient;
    const during = await routingSnapshot(editingAfterFirstRead);
    const after = await routingSnapshot(prisma);
    expect(edited).toBe(true);
    expect(after.version).not.toBe(before.version);
    expect(after.policies![0]!.explorationCap).toBe(0.3);
    // A version names one state: the snapshot read during the edit is the state before it or after it, whole.
    const matching = [before, after].find((snapshot) => snapshot.version === during.version);
    expect(matching, 'the version read during the edit is one of the two states').toBeDefined();
    expect(during).toEqual(matching);
    expect(await routingSnapshotVersion(prisma)).toBe(after.version);
  });
});

describe(`recomputing adaptive parameters (${testDatabaseKind})`, () => {
  it("reads the outcomes of the policy's decisions, discounted by rank, per task type and over all", async () => {
    const { caller, prisma } = t.db;
    const { policy } = await caller.adaptive.savePolicy({
      ...base,
      candidates: ['model-a', 'model-b', 'model-c'],
      halfLife: 4,
      minSamples: 3,
    });
    // Oldest first: 6 outcomes of model-a on coding (the older 3 failures), 3 of model-b on coding, 2 of model-a on writing.
    const coding = [
      ...[false, false, false, true, true, true].map((success) => ({ model: 'model-a', success, cost: 0.01, latencyMs: 1000 })),
      ...[true, false, true].map((success) => ({ model: 'model-b', success, cost: 0.03 })),
    ];
    await ingestOutcomes(policy.id, coding, 1);
    await ingestOutcomes(
      policy.id,
      [
        { model: 'model-a', success: true, taskType: 'writing' },
        { model: 'model-a', success: false, taskType: 'writing' },
      ],
      2,
    );
    // An outcome without a policy is no part of it.
    await t.db.caller.ingest.batch({
      routeDecisions: [{ decisionId: idOf(3, 1), versionId: null, ruleId: null, layer: 'fast', model: 'model-c', taskType: 'coding' }],
      routeOutcomes: [{ decisionId: idOf(3, 1), success: true }],
    });

    const result = await recomputePolicyParams(prisma, { seed: 1 });
    expect(result.policies).toHaveLength(1);
    expect(result.policies[0]!.taskTypes.map((x) => x.taskType).sort()).toEqual(['', 'coding', 'writing']);

    // Newest first in coding, ranked among each model's own outcomes (rank 0 = its last written): model-b has ranks
    // 0..2 (successes at 0 and 2), model-a 0..5 (successes at 0..2). Short weights at the half-life (4), long-run ones
    // at LONG_HALF_LIFE_FACTOR half-lives; with this few outcomes the recent rates are well within DRIFT_Z standard
    // deviations of the long-run ones, so the arms carry the long-run sums.
    const w = (rank: number) => Math.pow(0.5, rank / 4);
    const wl = (rank: number) => Math.pow(0.5, rank / (4 * LONG_HALF_LIFE_FACTOR));
    const codingArms = (await armsOf(policy.id, 'coding'))!;
    const [a, b, c] = codingArms;
    expect(a!.outcomes).toBe(6);
    const shortA = [0, 1, 2, 3, 4, 5].reduce((sum, r) => sum + w(r), 0);
    const longA = [0, 1, 2, 3, 4, 5].reduce((sum, r) => sum + wl(r), 0);
    expect(shortA).toBeLessThan(longA);
    expect(a!.effectiveSamples).toBeCloseTo(longA, 9);
    expect(a!.successMean).toBeCloseTo((1 + wl(0) + wl(1) + wl(2)) / (2 + longA), 9);
    expect(a!.costMean).toBeCloseTo(0.01, 12);
    expect(a!.latencyMsMean).toBeCloseTo(1000, 9);
    expect(b!.effectiveSamples).toBeCloseTo(wl(0) + wl(1) + wl(2), 9);
    expect(b!.successMean).toBeCloseTo((1 + wl(0) + wl(2)) / (2 + b!.effectiveSamples), 9);
    expect(b!.latencyMsMean).toBeNull();
    expect(c).toMatchObject({ model: 'model-c', outcomes: 0, effectiveSamples: 0, trusted: false });
    expect(codingArms.reduce((sum, arm) => sum + arm.share, 0)).toBeCloseTo(1, 9);

    // The '' row reads every task type together: 11 outcomes of which model-a has 8.
    const all = (await armsOf(policy.id, ''))!;
    expect(all[0]!.outcomes).toBe(8);
    expect(all[1]!.outcomes).toBe(3);
    // Each recompute appends its shares, one row per model per task type.
    expect(await prisma.routingPolicyShare.count()).toBe(9);

    // Concurrent recomputes at the same instant queue on the lock and keep one share row per model.
    const at = new Date();
    await Promise.all([recomputePolicyParams(prisma, { now: at }), recomputePolicyParams(prisma, { now: at })]);
    expect(await prisma.routingPolicyShare.count({ where: { at } })).toBe(9);

    const history = await caller.adaptive.policies({ history: true });
    expect(history.policies[0]!.history!.map((series) => series.taskType).sort()).toEqual(['', 'coding', 'writing']);
    expect(history.policies[0]!.params.find((p) => p.taskType === 'coding')!.arms).toHaveLength(3);
  });

  it('ranks the outcomes of one batch (one outcome_at) by when their decisions were made, not by their ids', async () => {
    const { caller } = t.db;
    const { policy } = await caller.adaptive.savePolicy({ ...base, halfLife: 5, minSamples: 1 });
    // 40 decisions a second apart whose ids sort oldest first: the older 20 succeeded, the newer 20 failed.
    const start = Date.now() - 3_600_000;
    const decided = Array.from({ length: 40 }, (_, i) => ({
      decisionId: idOf(2, i + 1),
      at: new Date(start + i * 1000).toISOString(),
      success: i < 20,
    }));
    const answer = await caller.ingest.batch({
      routeDecisions: decided.map(({ decisionId, at }) => ({
        decisionId,
        at,
        versionId: null,
        ruleId: null,
        layer: 'balanced' as const,
        model: 'model-a',
        taskType: 'coding',
        policyId: policy.id,
      })),
      routeOutcomes: decided.map(({ decisionId, success }) => ({ decisionId, success })),
    });
    expect(answer.outcomes.routeOutcomes.every((verdict: unknown) => verdict === 'stored')).toBe(true);
    await recomputePolicyParams(t.db.prisma, { seed: 1 });
    const modelA = (await armsOf(policy.id, 'coding'))!.find((arm) => arm.model === 'model-a')!;
    // The newer outcomes, all failures, weigh more than the older successes (ranked by id, it was the other way: 0.58).
    expect(modelA.successMean).toBeLessThan(0.45);
  });

  it('in the background job, leaves a policy without new outcomes or edits alone', async () => {
    const { caller, prisma } = t.db;
    const { policy } = await caller.adaptive.savePolicy(base);
    const stop = scheduleAdaptiveRecompute(prisma, { intervalMs: 10 });
    try {
      // A new policy gets its all-task-types row at once, uniform.
      await expect.poll(() => armsOf(policy.id, ''), { timeout: 30_000, interval: 50 }).toBeDefined();
    } finally {
      stop();
    }
    expect((await armsOf(policy.id, ''))!.map((arm) => arm.share)).toEqual([0.5, 0.5]);
    const computedAt = async () =>
      (await prisma.routingPolicyParams.findMany({ where: { policyId: policy.id } })).map((row) => row.computedAt.getTime());
    const before = await computedAt();
    expect((await recomputePolicyParams(prisma, { onlyChanged: true })).policies).toEqual([]);
    expect(await computedAt()).toEqual(before);
    // A new outcome, or an edit, makes it recompute; the tool always does.
    await ingestOutcomes(policy.id, [{ model: 'model-a', success: true }]);
    expect((await recomputePolicyParams(prisma, { onlyChanged: true })).policies.map((p) => p.policyId)).toEqual([policy.id]);
    expect((await recomputePolicyParams(prisma, { onlyChanged: true })).policies).toEqual([]);
    // An edit of what the parameters are computed from recomputes them in the save: the job then has nothing to do.
    const beforeEdit = await computedAt();
    await caller.adaptive.savePolicy({ name: base.name, halfLife: 50 });
    const afterEdit = await computedAt();
    expect(afterEdit.every((time) => time > Math.max(...beforeEdit))).toBe(true);
    expect((await recomputePolicyParams(prisma, { onlyChanged: true })).policies).toEqual([]);
    // Enabling it again recomputes in the save too.
    await caller.adaptive.savePolicy({ name: base.name, enabled: false });
    await caller.adaptive.savePolicy({ name: base.name, enabled: true });
    const afterEnable = await computedAt();
    expect(afterEnable.every((time) => time > Math.max(...afterEdit))).toBe(true);
    expect((await recomputePolicyParams(prisma, { onlyChanged: true })).policies).toEqual([]);
    // Any other edit (here the task type) leaves them to the job.
    await caller.adaptive.savePolicy({ name: base.name, taskType: 'writing' });
    expect(await computedAt()).toEqual(afterEnable);
    expect((await recomputePolicyParams(prisma, { onlyChanged: true })).policies.map((p) => p.policyId)).toEqual([policy.id]);
    expect((await caller.adaptive.recompute({})).policies.map((p) => p.policyId)).toEqual([policy.id]);
  });

  it('judges a model that breaks down at once on its latest outcomes, counted in SQL as in the JS mirror', async () => {
    const { caller, prisma } = t.db;
    const { policy } = await caller.adaptive.savePolicy({ ...base, halfLife: 100, minSamples: 10 });
    // 400 outcomes at about 90%, then 25 failures in a row.
    const history = [
      ...Array.from({ length: 400 }, (_, i) => ({ model: 'model-a', success: (i * 7919) % 100 < 90, cost: 0.01, latencyMs: 500 })),
      ...Array.from({ length: 25 }, () => ({ model: 'model-a', success: false, cost: 0.01, latencyMs: 500 })),
    ];
    await ingestOutcomes(policy.id, history.slice(0, 400), 12);
    await ingestOutcomes(policy.id, history.slice(400), 13);
    await recomputePolicyParams(prisma, { seed: 3 });
    const modelA = (await armsOf(policy.id, 'coding'))!.find((arm) => arm.model === 'model-a')!;
    // The last 25 (0 successes) break from the long run far beyond CHANGE_EVIDENCE: they alone count, not the
    // discounted ~145 the recent weights would give.
    expect(modelA.effectiveSamples).toBe(25);
    expect(modelA.successMean).toBeCloseTo(1 / 27, 9);
    // The SQL's window counts are the mirror's (policyStatsFromOutcomes), which the replay and the simulations use.
    const mirrored = policyStatsFromOutcomes(history, 100)[0]!;
    expect(mirrored.windowOutcomes).toEqual([25, 50, 100]);
    expect(mirrored.windowSuccesses).toEqual([
      0,
      history.slice(375, 400).filter((o) => o.success).length,
      history.slice(325, 400).filter((o) => o.success).length,
    ]);
    const [mirroredArm] = computePolicyArms({ ...policy, candidates: ['model-a'] }, [mirrored], () => 0.5);
    expect(mirroredArm).toMatchObject({ effectiveSamples: modelA.effectiveSamples, successMean: modelA.successMean });
  });

  it('moves traffic away from a model within a few hundred outcomes of it degrading', async () => {
    const { caller, prisma } = t.db;
    const { policy } = await caller.adaptive.savePolicy({ ...base, halfLife: 100, minSamples: 10 });
    const outcomesOf = (n: number, rateA: number) =>
      Array.from({ length: n }, (_, i) => ({
        model: i % 10 === 0 ? 'model-b' : 'model-a',
        success: i % 10 === 0 ? i % 20 === 0 || i % 30 === 0 : (i * 7919) % 100 < rateA * 100,
      }));
    // model-a succeeds 90% of the time, model-b about 67%: model-a gets at least 1 - cap.
    await ingestOutcomes(policy.id, outcomesOf(400, 0.9), 10);
    const before = await recomputePolicyParams(prisma, { seed: 2 });
    const share = (result: typeof before, model: string) =>
      result.policies[0]!.taskTypes.find((x) => x.taskType === 'coding')!.arms.find((arm) => arm.model === model)!.share;
    expect(share(before, 'model-a')).toBeGreaterThanOrEqual(0.9 - 1e-9);
    // Then model-a fails 70% of the time: within 200 outcomes model-b takes over.
    await ingestOutcomes(policy.id, outcomesOf(200, 0.3), 11);
    const after = await recomputePolicyParams(prisma, { seed: 2 });
    expect(share(after, 'model-b')).toBeGreaterThanOrEqual(0.9 - 1e-9);
    expect(after.policies[0]!.taskTypes.find((x) => x.taskType === 'coding')!.arms[1]!.previousShare).toBeLessThanOrEqual(0.1 + 1e-9);
  });
});

describe(`resolve_route with an adaptive policy (${testDatabaseKind})`, () => {
  it('chooses by the recomputed shares and says why; the cached snapshot follows each recompute', async () => {
    const { caller, prisma } = t.db;
    const { policy } = await caller.adaptive.savePolicy({ ...base, taskType: 'coding', minSamples: 5, explorationCap: 0 });
    const first = await caller.routing.resolve({ input: 'anything', taskType: 'coding' });
    expect(first).toMatchObject({ policyId: policy.id, choice: { policyId: policy.id, paramsTaskType: null } });
    expect(first.reasoning).toContain('no outcomes yet, uniform');
    // Another task type: no policy chooses.
    expect(await caller.routing.resolve({ input: 'anything', taskType: 'writing' })).toMatchObject({ policyId: null, choice: null });

    await ingestOutcomes(policy.id, [
      ...Array.from({ length: 30 }, () => ({ model: 'model-a', success: false })),
      ...Array.from({ length: 30 }, () => ({ model: 'model-b', success: true })),
    ]);
    await recomputePolicyParams(prisma, { seed: 3 });
    for (let i = 0; i < 5; i++) {
      const decision = await caller.routing.resolve({ input: 'anything', taskType: 'coding' });
      expect(decision.model).toBe('model-b');
      expect(decision.choice).toMatchObject({ paramsTaskType: 'coding', explored: false, model: 'model-b', share: 1 });
      const b = decision.choice!.arms.find((arm) => arm.model === 'model-b')!;
      expect(b).toMatchObject({ trusted: true, share: 1 });
      expect(b.effectiveSamples).toBeGreaterThan(5);
      expect(decision.reasoning).toMatch(/Adaptive policy "coding models" chose model-b \(best posterior reward; task type "coding"\)/);
      expect(decision.reasoning).toMatch(/model-b 100% \(success \d+\.\d%, reward \d\.\d{3}, n=\d+\)/);
    }
  });
});
