import { describe, expect, it } from 'vitest';
import { useTestDatabase } from './database';

const t = useTestDatabase();

const save = (rule: Parameters<typeof t.db.caller.routing.updateHeuristic>[0]) => t.db.caller.routing.updateHeuristic(rule);
const nextHour = () => new Date(Date.now() + 3_600_000).toISOString();
/** Versions are stamped with their transaction's time: a pause makes "after this moment" unambiguous. */
const pause = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('get_routing_hit_rates edits', () => {
  it('lists the versions made in the range, oldest first, with the fields each changed', async () => {
    const { heuristic: rule } = await save({ pattern: 'edits-a', preferredLayer: 'fast', priority: 1 });
    await pause();
    const since = new Date().toISOString();
    await pause();
    await save({ id: rule.id, pattern: 'edits-a', preferredLayer: 'deep' });
    await save({ id: rule.id, pattern: 'edits-a', preferredLayer: 'deep', reasoning: 'no versioned field changes' });
    const { heuristic: other } = await save({ pattern: 'edits-b', preferredLayer: 'balanced', state: 'shadow' });
    await save({ id: rule.id, pattern: 'edits-a2', preferredLayer: 'deep', priority: 2, state: 'inactive' });
    await t.db.caller.routing.deleteHeuristic({ id: rule.id });

    const { edits } = await t.db.caller.routing.hitRates({ from: since, to: nextHour() });
    expect(edits.map(({ ruleId, version, change, fields, pattern }) => ({ ruleId, version, change, fields, pattern }))).toEqual([
      { ruleId: rule.id, version: 2, change: 'updated', fields: ['preferredLayer'], pattern: 'edits-a' },
      { ruleId: other.id, version: 1, change: 'created', fields: [], pattern: 'edits-b' },
      { ruleId: rule.id, version: 3, change: 'updated', fields: ['pattern', 'priority', 'state'], pattern: 'edits-a2' },
      { ruleId: rule.id, version: 4, change: 'deleted', fields: [], pattern: 'edits-a2' },
    ]);
    const history = await t.db.caller.routing.ruleHistory({ id: rule.id });
    const versionIds = new Map(history.versions.map((v) => [v.version, v.versionId]));
    expect(edits.filter((e) => e.ruleId === rule.id).map((e) => e.versionId)).toEqual([2, 3, 4].map((v) => versionIds.get(v)));
    expect(edits.every((e) => e.at >= since && e.changedBy === null)).toBe(true);
  });

  it('answers no edits for a range before any', async () => {
    await save({ pattern: 'edits-c', preferredLayer: 'fast' });
    const { edits } = await t.db.caller.routing.hitRates({ from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' });
    expect(edits).toEqual([]);
  });
});
