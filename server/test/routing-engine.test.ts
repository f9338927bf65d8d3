import { describe, expect, it } from 'vitest';
import type { RequestAuth } from '../auth/request-auth';
import { createInnerContext } from '../trpc/context';
import { createCaller } from '../trpc/routers/_app';
import { useTestDatabase } from './database';

const t = useTestDatabase();

/** A tRPC caller authenticated as a write key of the given name, as a request with HONE_AUTH=required would be. */
function callerWithKey(name: string) {
  const auth: RequestAuth = {
    mode: 'required',
    principal: { keyId: 1, name, scope: 'write' },
    via: 'bearer',
    badCredential: false,
    crossOrigin: false,
    caller: null,
  };
  return createCaller(createInnerContext({ prisma: t.db.prisma, auth }));
}

describe('rule versions', () => {
  it('makes a version on creation and on each change of pattern, layer, model, priority or state; none otherwise', async () => {
    const routing = t.db.caller.routing;
    const { heuristic: created } = await routing.updateHeuristic({ pattern: 'deploy', preferredLayer: 'fast', reasoning: 'ops' });
    expect(created).toMatchObject({ version: 1, versionId: expect.any(Number) });
    const { heuristic: same } = await routing.updateHeuristic({
      pattern: 'deploy',
      preferredLayer: 'fast',
      reasoning: 'still ops',
      successRate: 80,
    });
    expect(same).toMatchObject({ version: 1, versionId: created.versionId, reasoning: 'still ops' });
    const { heuristic: deeper } = await routing.updateHeuristic({ id: created.id, pattern: 'deploy', preferredLayer: 'deep' });
    expect(deeper.version).toBe(2);
    expect(deeper.versionId).not.toBe(created.versionId);
    const { heuristic: renamed } = await routing.updateHeuristic({
      id: created.id,
      pattern: 'deploy|ship',
      preferredLayer: 'deep',
      preferredModel: 'gpt-4o',
      priority: 3,
      state: 'shadow',
    });
    expect(renamed).toMatchObject({ version: 3, state: 'shadow', active: false });
    await routing.deleteHeuristic({ id: created.id });

    const history = await routing.ruleHistory({ id: created.id });
    expect(history.exists).toBe(false);
    expect(history.versions.map((v) => [v.version, v.change])).toEqual([
      [4, 'deleted'],
      [3, 'updated'],
      [2, 'updated'],
      [1, 'created'],
    ]);
    expect(history.versions[1]!.changes).toEqual([
      { field: 'pattern', from: 'deploy', to: 'deploy|ship' },
      { field: 'preferredModel', from: null, to: 'gpt-4o' },
      { field: 'priority', from: 0, to: 3 },
      { field: 'state', from: 'active', to: 'shadow' },
    ]);
    expect(history.versions[2]!.changes).toEqual([{ field: 'preferredLayer', from: 'fast', to: 'deep' }]);
    expect(history.versions[3]!.changes).toContainEqual({ field: 'pattern', from: null, to: 'deploy' });
    expect(history.versions[3]).toMatchObject({ reasoning: 'ops', changedBy: null });
    expect(history.versions[0]).toMatchObject({ changes: [], pattern: 'deploy|ship', state: 'shadow' });
  });

  it('records the API key name as the author when auth is on', async () => {
    const { heuristic } = await callerWithKey('release-bot').routing.updateHeuristic({ pattern: 'release', preferredLayer: 'fast' });
    await callerWithKey('alice').routing.updateHeuristic({ id: heuristic.id, pattern: 'release', preferredLayer: 'balanced' });
    await callerWithKey('bob').routing.deleteHeuristic({ id: heuristic.id });
    const history = await t.db.caller.routing.ruleHistory({ id: heuristic.id });
    expect(history.versions.map((v) => [v.version, v.changedBy])).toEqual([
      [3, 'bob'],
      [2, 'alice'],
      [1, 'release-bot'],
    ]);
  });

  it('gives concurrent saves of one rule distinct, consecutive version numbers', async () => {
    const { heuristic } = await t.db.caller.routing.updateHeuristic({ pattern: 'race', preferredLayer: 'fast' });
    await Promise.all(
      Array.from({ length: 20 }, (_, k) =>
        t.db.caller.routing.updateHeuristic({ id: heuristic.id, pattern: 'race', preferredLayer: 'fast', priority: k + 1 }),
      ),
    );
    const versions = await t.db.prisma.routingRuleVersion.findMany({ where: { ruleId: heuristic.id }, orderBy: { version: 'asc' } });
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 21 }, (_, k) => k + 1));
    const rule = await t.db.prisma.routingRule.findUniqueOrThrow({ where: { id: heuristic.id } });
    expect(rule).toMatchObject({ version: 21, versionId: versions.at(-1)!.id, priority: versions.at(-1)!.priority });
  });

  it('versions rules written behind the service too, and refuses history of a rule that never was', async () => {
    await t.db.prisma.$executeRaw`INSERT INTO routing_rules (pattern, preferred_layer) VALUES ('raw', 'deep')`;
    await t.db.prisma.$executeRaw`UPDATE routing_rules SET priority = 5 WHERE pattern = 'raw'`;
    const rule = await t.db.prisma.routingRule.findUniqueOrThrow({ where: { pattern: 'raw' } });
    expect(rule.version).toBe(2);
    expect((await t.db.caller.routing.ruleHistory({ id: rule.id })).versions[0]!.versionId).toBe(rule.versionId);
    await expect(t.db.caller.routing.ruleHistory({ id: rule.id + 1000 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
