// Rule matching in the built app: the match worker loads under `next start`, cuts off slow matching while the server
// keeps answering other requests, and the save-time bound and the rule cap hold over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKind } from './database';
import { createServerDatabase, startHoneServer, type HoneServer, type ServerDatabase } from '../testing/hone-server';
import { parseExposition, sampleSum } from '../testing/prometheus-text';
import { randomAbs } from '../testing/slow-matching';

const MATCH_TIMEOUT_MS = 500;
const MAX_RULES = 64;
/**
 * Each passes the save check yet takes 25-250 ms on randomAbs(32 KiB), depending on the machine: 48 of them take 1.2 s
 * or more, past MATCH_TIMEOUT_MS on the fastest machine seen (16 took 0.4 s there and were not cut off).
 */
const SLOW_PATTERNS = Array.from({ length: 48 }, (_, k) => `[ab]*a[ab]{62}[0-${k % 10}]${'x?'.repeat(Math.floor(k / 10))}`);

let db: ServerDatabase;
let server: HoneServer;
let specRuleId: number;

beforeAll(async () => {
  db = await createServerDatabase(testDatabaseKind);
  specRuleId = await db.withPrisma(async (prisma) => {
    // Written behind Hone's back, at the top priority, as a rule set grown over time would be.
    for (const pattern of SLOW_PATTERNS) {
      await prisma.$executeRaw`INSERT INTO routing_rules (pattern, preferred_layer, priority, updated_at) VALUES (${pattern}, 'deep', 1000000, now())`;
    }
    const rule = await prisma.routingRule.create({
      data: { pattern: '.*implement.*algorithm.*', preferredLayer: 'deep', preferredModel: 'claude-sonnet-4' },
    });
    return rule.id;
  });
  server = await startHoneServer({
    env: { ...db.env, HONE_AUTH: 'off', HONE_ROUTE_MATCH_TIMEOUT_MS: String(MATCH_TIMEOUT_MS), HONE_MAX_ROUTING_RULES: String(MAX_RULES) },
  });
});

afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

/** What these tests read of a tool's answer: a decision, or the error shape every HTTP route shares. */
interface ToolAnswer {
  ruleId?: number | null;
  reasoning?: string;
  error?: { message: string; issues: { path: string[]; message: string }[] };
}

async function post(name: string, body: unknown) {
  const response = await fetch(`${server.url}/tools/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as ToolAnswer };
}

describe(`rule matching in the built app (${testDatabaseKind})`, () => {
  it('matches in the worker under next start', async () => {
    const { status, body } = await post('preview_route', { input: 'please implement a sorting algorithm' });
    expect(status, server.output()).toBe(200);
    expect(body).toMatchObject({ ruleId: specRuleId, layer: 'deep', model: 'claude-sonnet-4' });
  });

  it('cuts off slow matching with the default layer while other requests are answered', async () => {
    const finished: string[] = [];
    const slow = post('preview_route', { input: randomAbs(32_768) }).then((answer) => (finished.push('preview'), answer));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const read = await fetch(`${server.url}/tools/get_routing_heuristics`);
    finished.push('read');
    expect(read.status).toBe(200);
    const { status, body } = await slow;
    expect(status).toBe(200);
    expect(body).toMatchObject({ ruleId: null, layer: 'balanced', counted: false });
    expect(body.reasoning).toContain(`cut off because matching took longer than ${MATCH_TIMEOUT_MS} ms`);
    // Matching on the main thread would have held the read until the preview ended.
    expect(finished).toEqual(['read', 'preview']);
    expect(server.output()).toMatch(/matching was cut off .* on an input of 32,768 characters/);
    // A fresh worker takes the next decision.
    expect((await post('resolve_route', { input: 'implement an algorithm' })).body).toMatchObject({ ruleId: specRuleId, counted: true });
  });

  it('counts a decision whose matching was cut off as cut_off in /api/metrics', async () => {
    const cutOffs = async () =>
      sampleSum(parseExposition(await (await fetch(`${server.url}/api/metrics`)).text()), 'hone_routing_decisions_total', {
        layer: 'balanced',
        outcome: 'cut_off',
      });
    const before = await cutOffs();
    const { body } = await post('resolve_route', { input: randomAbs(32_768) });
    expect(body).toMatchObject({ ruleId: null, layer: 'balanced', counted: true });
    expect(await cutOffs()).toBe(before + 1);
  });

  it('refuses the probe pattern at save, naming the bound', async () => {
    const { status, body } = await post('update_routing_heuristic', {
      pattern: '\\p{L}{1000}\\p{N}',
      preferredLayer: 'deep',
      priority: 1_000_000,
    });
    expect(status).toBe(400);
    expect(body.error?.issues.map(({ path }) => path)).toEqual([['pattern']]);
    expect(body.error?.issues[0]!.message).toMatch(/1,001 character-class steps in sequence, more than the 64 allowed/);
  });

  it('refuses a rule beyond HONE_MAX_ROUTING_RULES with 409', async () => {
    const stored = SLOW_PATTERNS.length + 1;
    for (let i = stored; i < MAX_RULES; i++)
      expect((await post('update_routing_heuristic', { pattern: `rule-${i}`, preferredLayer: 'fast' })).status).toBe(200);
    const { status, body } = await post('update_routing_heuristic', { pattern: 'one-too-many', preferredLayer: 'fast' });
    expect(status).toBe(409);
    expect(body.error?.message).toContain(`at most ${MAX_RULES} routing rules (HONE_MAX_ROUTING_RULES)`);
    const listed = (await (await fetch(`${server.url}/tools/get_routing_heuristics?activeOnly=false`)).json()) as unknown[];
    expect(listed).toHaveLength(MAX_RULES);
  });
});
