import { afterEach, describe, expect, it, vi } from 'vitest';
import { activeRuleSet, invalidateRoutingRules } from '../services/routing/active-rules';
import { useTestDatabase } from './database';

const t = useTestDatabase();

afterEach(() => {
  vi.restoreAllMocks();
  invalidateRoutingRules(t.db.prisma);
});

describe('the active rule set', () => {
  it('is compiled once per process: another copy of the module (another Next bundle) gets the same rules', async () => {
    const { heuristic } = await t.db.caller.routing.updateHeuristic({ pattern: 'deploy', preferredLayer: 'fast', priority: 1 });
    // A stored pattern the matcher refuses (written behind Hone's back): skipped, and said once, not once per bundle.
    await t.db.prisma.$executeRaw`UPDATE routing_rules SET pattern = '(a)\\1' WHERE id = ${heuristic.id}`;
    invalidateRoutingRules(t.db.prisma);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});

    const rules = await activeRuleSet(t.db.prisma);
    vi.resetModules();
    const otherCopy = await import('../services/routing/active-rules');
    expect(otherCopy.activeRuleSet).not.toBe(activeRuleSet);
    expect(await otherCopy.activeRuleSet(t.db.prisma)).toBe(rules);

    expect(await rules.match('(a)a')).toMatchObject({ ruleIndex: -1 });
    expect(warn.mock.calls.filter(([message]) => String(message).includes(`#${heuristic.id}`))).toHaveLength(1);
  });
});
