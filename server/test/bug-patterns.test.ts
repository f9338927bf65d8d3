import { describe, expect, it } from 'vitest';
import { expectBadRequest, useTestDatabase } from './database';

const t = useTestDatabase();

const specExample = {
  category: 'timeout',
  pattern: 'LLM timeout on large context',
  description: 'Model times out when context > 100K tokens',
  solution: 'Split context into chunks, use compression',
  severity: 'high' as const,
};

describe('record_bug_pattern', () => {
  it('creates a pattern with one occurrence', async () => {
    const bug = await t.db.caller.bugPatterns.record(specExample);
    expect(bug).toMatchObject({ ...specExample, id: expect.any(Number), occurrences: 1 });
    expect(bug.firstSeen).toBe(bug.lastSeen);
  });

  it('counts repeats, keeps the highest severity and the newest non-empty description and solution', async () => {
    await t.db.caller.bugPatterns.record(specExample);
    const second = await t.db.caller.bugPatterns.record({ ...specExample, severity: 'low', description: '', solution: 'Use streaming' });
    expect(second).toMatchObject({ occurrences: 2, severity: 'high', description: specExample.description, solution: 'Use streaming' });
    const third = await t.db.caller.bugPatterns.record({
      category: 'timeout',
      pattern: specExample.pattern,
      severity: 'critical',
      description: 'Newer text',
    });
    expect(third).toMatchObject({ occurrences: 3, severity: 'critical', description: 'Newer text', solution: 'Use streaming' });
    expect(new Date(third.lastSeen).getTime()).toBeGreaterThanOrEqual(new Date(third.firstSeen).getTime());

    const log = await t.db.prisma.bugPatternOccurrence.findMany({ orderBy: { id: 'asc' } });
    expect(log.map((o) => o.severity)).toEqual(['high', 'low', 'critical']);
    expect(log.every((o) => o.bugPatternId === third.id)).toBe(true);
  });

  it('keeps the same pattern text in another category apart', async () => {
    await t.db.caller.bugPatterns.record(specExample);
    await t.db.caller.bugPatterns.record({ ...specExample, category: 'api' });
    expect(await t.db.prisma.bugPattern.count()).toBe(2);
  });

  it('loses nothing under 200 concurrent reports of one new pattern', async () => {
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => t.db.caller.bugPatterns.record({ ...specExample, severity: i === 150 ? 'critical' : 'low' })),
    );
    const rows = await t.db.prisma.bugPattern.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ occurrences: 200, severity: 'critical' });
    expect(await t.db.prisma.bugPatternOccurrence.count()).toBe(200);
  });

  it.each([
    ['severity', { severity: 'urgent' }],
    ['category', { category: '' }],
    ['pattern', { pattern: undefined }],
  ])('refuses a bad %s and writes nothing', async (field, patch) => {
    await expectBadRequest(t.db.caller.bugPatterns.record({ ...specExample, ...patch } as never), field);
    expect(await t.db.prisma.bugPattern.count()).toBe(0);
    expect(await t.db.prisma.bugPatternOccurrence.count()).toBe(0);
  });
});

describe('get_bug_patterns', () => {
  async function report(pattern: string, times: number, severity: 'low' | 'medium' | 'high' | 'critical', category = 'api') {
    for (let i = 0; i < times; i++) await t.db.caller.bugPatterns.record({ category, pattern, severity });
  }

  it('sorts by occurrences, then severity rank (not alphabetically), then last seen', async () => {
    await report('medium-once', 1, 'medium');
    await report('critical-once', 1, 'critical');
    await report('low-once', 1, 'low');
    await report('high-once', 1, 'high');
    await report('low-thrice', 3, 'low');
    await report('medium-once-later', 1, 'medium');
    const { items } = await t.db.caller.bugPatterns.list();
    expect(items.map((b) => b.pattern)).toEqual([
      'low-thrice',
      'critical-once',
      'high-once',
      'medium-once-later',
      'medium-once',
      'low-once',
    ]);
    expect(items[0]!.occurrences).toBe(3);
  });

  it('filters by category and severity and paginates', async () => {
    await report('a', 3, 'high', 'timeout');
    await report('b', 2, 'high', 'timeout');
    await report('c', 1, 'low', 'timeout');
    await report('d', 5, 'high', 'api');
    const timeouts = await t.db.caller.bugPatterns.list({ category: 'timeout' });
    expect(timeouts.items.map((b) => b.pattern)).toEqual(['a', 'b', 'c']);
    const high = await t.db.caller.bugPatterns.list({ category: 'timeout', severity: 'high' });
    expect(high.items.map((b) => b.pattern)).toEqual(['a', 'b']);
    const page1 = await t.db.caller.bugPatterns.list({ limit: 2 });
    expect(page1.items.map((b) => b.pattern)).toEqual(['d', 'a']);
    const page2 = await t.db.caller.bugPatterns.list({ limit: 2, cursor: page1.nextCursor! });
    expect(page2.items.map((b) => b.pattern)).toEqual(['b', 'c']);
    expect(page2.nextCursor).toBeNull();
    await expectBadRequest(t.db.caller.bugPatterns.list({ limit: 5000 }), 'limit');
  });
});
