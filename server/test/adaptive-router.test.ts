// hone.router() follows an adaptive policy's parameters: decisions made in the test's process, their outcomes reported
// through hone.track, a recompute over REST, and within about a second (the change feed's event stream, not a poll)
// the local choices follow the new shares, each saying why (posterior means, sample sizes). Against `next start`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHoneClient, type HoneClient } from '../hone-client';
import { testDatabaseKind } from './database';
import { createServerDatabase, startHoneServer, type HoneServer, type ServerDatabase } from '../testing/hone-server';

const SERVER_TEST_TIMEOUT_MS = 240_000;

let db: ServerDatabase;
let server: HoneServer;
let hone: HoneClient;

beforeAll(async () => {
  db = await createServerDatabase(testDatabaseKind);
  // The background recompute stays out of the way: the test recomputes when it means to.
  server = await startHoneServer({ env: { ...db.env, HONE_ADAPTIVE_RECOMPUTE_SECONDS: '3600' } });
  hone = createHoneClient({ url: server.url });
}, SERVER_TEST_TIMEOUT_MS);

afterAll(async () => {
  await hone?.track.close({ timeoutMs: 1_000 });
  await server?.stop();
  await db?.drop();
});

describe(`hone.router() with an adaptive policy (${testDatabaseKind})`, () => {
  it('follows a recompute within about a second, its choices following the new shares', async () => {
    const { policy } = await hone.adaptive.savePolicy.mutate({
      name: 'coding models',
      taskType: 'coding',
      candidates: ['model-a', 'model-b'],
      minSamples: 5,
      explorationCap: 0,
      halfLife: 20,
    });
    // Polling is off in effect: only the event stream can bring a new snapshot in time.
    const router = hone.router({ pollIntervalMs: 600_000 });
    try {
      expect(await router.ready({ timeoutMs: 30_000 })).toBe(true);
      const decideAndReport = (n: number, succeeds: (model: string) => boolean) => {
        const models: string[] = [];
        for (let i = 0; i < n; i++) {
          const decision = router.decide('please write some code', { taskType: 'coding' });
          expect(decision.policyId).toBe(policy.id);
          models.push(decision.model!);
          router.recordOutcome(decision, { success: succeeds(decision.model!), latencyMs: 100, cost: 0.001 });
        }
        return models;
      };
      // No parameters yet: uniform, and it says so.
      const first = router.decide('please write some code', { taskType: 'coding' });
      expect(first.choice).toMatchObject({ paramsTaskType: null, policyName: 'coding models' });
      expect(first.reasoning).toContain('no outcomes yet, uniform');
      const uniform = decideAndReport(80, (model) => model === 'model-b');
      expect(new Set(uniform)).toEqual(new Set(['model-a', 'model-b']));
      expect(await hone.track.flush({ timeoutMs: 60_000 })).toBe(true);

      const versionBefore = router.status().snapshotVersion;
      const started = Date.now();
      const recomputed = await hone.adaptive.recompute.mutate({ seed: 1 });
      const coding = recomputed.policies[0]!.taskTypes.find((x) => x.taskType === 'coding')!;
      expect(coding.arms.map((arm) => [arm.model, arm.share])).toEqual([
        ['model-a', 0],
        ['model-b', 1],
      ]);
      await expect
        .poll(() => router.decide('x', { taskType: 'coding' }).choice?.paramsTaskType, { timeout: 5_000, interval: 20 })
        .toBe('coding');
      const followedMs = Date.now() - started;
      // "Within a second" on a quiet machine; the bound leaves room for a loaded test runner, far under the 600 s poll.
      expect(followedMs).toBeLessThan(5_000);
      expect(router.status().snapshotVersion).not.toBe(versionBefore);
      const decision = router.decide('please write some code', { taskType: 'coding' });
      expect(decision).toMatchObject({ model: 'model-b', policyId: policy.id, choice: { model: 'model-b', share: 1, explored: false } });
      expect(decision.choice!.arms.find((arm) => arm.model === 'model-b')!.effectiveSamples).toBeGreaterThan(5);
      expect(decision.reasoning).toMatch(/chose model-b \(best posterior reward; task type "coding"\)/);

      // A new candidate, model-c, with an exploration cap: the save recomputes the parameters from what was measured,
      // so model-b keeps its lead (nothing goes uniform) and model-c gets the untrusted floor (cap / 3) at once.
      await hone.adaptive.savePolicy.mutate({ name: 'coding models', candidates: ['model-a', 'model-b', 'model-c'], explorationCap: 1 });
      const armsNow = () => router.decide('x', { taskType: 'coding' }).choice?.arms ?? [];
      await expect.poll(() => armsNow().length, { timeout: 5_000, interval: 20 }).toBe(3);
      const share = Object.fromEntries(armsNow().map((arm) => [arm.model, arm.share]));
      expect(share['model-c']).toBeCloseTo(1 / 3, 9);
      expect(share['model-b']).toBeGreaterThan(0.6);
      expect(
        router.decide('x', { taskType: 'coding' }).choice!.arms.find((arm) => arm.model === 'model-b')!.effectiveSamples,
      ).toBeGreaterThan(5);
      // model-b starts failing and model-c succeeds: after a recompute the shares turn to model-c. model-b is judged on
      // its latest outcomes, a change its latest 100 do not confirm yet, so it keeps the exploration floor (cap / 3).
      decideAndReport(80, (model) => model === 'model-c');
      expect(await hone.track.flush({ timeoutMs: 60_000 })).toBe(true);
      const turned = await hone.adaptive.recompute.mutate({ seed: 2 });
      const shareOf = (model: string) =>
        turned.policies[0]!.taskTypes.find((x) => x.taskType === 'coding')!.arms.find((arm) => arm.model === model)!.share;
      expect(shareOf('model-c')).toBeGreaterThan(0.6);
      expect(shareOf('model-b')).toBeCloseTo(1 / 3, 9);
      expect(shareOf('model-a')).toBeLessThan(0.01);
      await expect
        .poll(
          () => {
            const models = Array.from({ length: 60 }, () => router.decide('x', { taskType: 'coding' }).model);
            return models.filter((model) => model === 'model-c').length;
          },
          { timeout: 5_000, interval: 20 },
        )
        .toBeGreaterThan(30);
    } finally {
      await router.close();
    }
  });

  it('answers resolve_route over HTTP with the choice and why', async () => {
    const decision = await hone.routing.resolve.mutate({ input: 'please write some code', taskType: 'coding' });
    expect(decision.choice).toMatchObject({ policyName: 'coding models', paramsTaskType: 'coding' });
    expect(decision.choice!.arms.every((arm) => typeof arm.successMean === 'number' && typeof arm.effectiveSamples === 'number')).toBe(
      true,
    );
    expect(decision.reasoning).toContain('Adaptive policy "coding models"');
  });
});
