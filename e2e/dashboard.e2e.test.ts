import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../server/testing/hone-server';
import { SCREENSHOTS, useSeededDashboard } from './browser';

// The dashboard in Debian's Chromium against `next start` on a freshly seeded embedded database.

const README_SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');
/** The README's screenshots are tracked files: rewritten only when asked (HONE_README_SCREENSHOTS=1), not on every run. */
const UPDATE_README_SCREENSHOTS = process.env.HONE_README_SCREENSHOTS === '1';

const dashboard = useSeededDashboard();

async function open(pathAndQuery: string, { expectClientCalls = false } = {}): Promise<Page> {
  const page = await dashboard.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const failures: string[] = [];
  const apiCalls: string[] = [];
  page.on('pageerror', (error) => failures.push(error.message));
  page.on('request', (request) => request.url().includes('/api/trpc/') && apiCalls.push(request.url()));
  await page.goto(`${dashboard.server.url}${pathAndQuery}`, { waitUntil: 'networkidle' });
  expect(failures, 'errors thrown in the page').toEqual([]);
  // The server component prefetched every query the page shows: the browser asks for nothing on load.
  if (!expectClientCalls) expect(apiCalls, 'tRPC calls made by the browser on load').toEqual([]);
  return page;
}

/** Waits until the chart left its loading state and checks it is drawn; returns its series count. */
async function readyChart(page: Page, testId: string): Promise<number> {
  const card = page.locator(`[data-testid="${testId}"]`);
  await card.and(page.locator('[data-state="ready"]')).waitFor({ timeout: 15_000 });
  return Number(await card.getAttribute('data-series-count'));
}

const count = (page: Page, testId: string, selector: string) => page.locator(`[data-testid="${testId}"] ${selector}`).count();

async function screenshot(page: Page, name: string, alsoForReadme = false) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  if (alsoForReadme && UPDATE_README_SCREENSHOTS) {
    mkdirSync(README_SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(README_SCREENSHOTS, `${name}.png`), fullPage: true });
  }
}

describe('every page loads with its charts drawn', () => {
  it('overview', async () => {
    const page = await open('/');
    expect(await readyChart(page, 'overview-hit-rate')).toBe(1);
    expect(await count(page, 'overview-hit-rate', '.recharts-line-curve')).toBe(1);
    const categories = await readyChart(page, 'overview-bugs');
    expect(categories).toBeGreaterThanOrEqual(3);
    expect(await count(page, 'overview-bugs', '.recharts-bar-rectangle')).toBeGreaterThan(categories);
    expect(await page.locator('[data-testid="stat-tests"] .value').textContent()).toBe('6');
    expect(await page.locator('[data-testid="top-models"] tbody tr').count()).toBe(5);
    await screenshot(page, 'overview');
    await page.close();
  });

  it('models', async () => {
    const page = await open('/models');
    // Seeded: coding has claude-sonnet-4, gpt-4o, gpt-4o-mini, llama-3.1-70b and the low-sample mistral-large.
    expect(await readyChart(page, 'ranking-coding')).toBe(5);
    expect(await count(page, 'ranking-coding', '.recharts-bar-rectangle')).toBe(5);
    const taskTypes = await readyChart(page, 'cost-success');
    expect(taskTypes).toBe(4);
    expect(await count(page, 'cost-success', '.recharts-scatter-symbol')).toBe(13);
    for (const chart of ['trend-success', 'trend-latency', 'trend-cost']) {
      const series = await readyChart(page, chart);
      expect(series).toBeGreaterThan(0);
      expect(await count(page, chart, '.recharts-line-curve')).toBe(series);
    }
    // Default choice: the leader of each of the 4 task types, p50 and p95 each.
    expect(await readyChart(page, 'trend-latency')).toBe(8);
    await expect(page.locator('[data-testid="leaderboard-table"] tr.low-sample').textContent()).resolves.toContain('mistral-large');
    await screenshot(page, 'models', true);
    await page.close();
  });

  it('bug patterns, and a pattern in detail', async () => {
    const page = await open('/bugs');
    const categories = await readyChart(page, 'bug-trends');
    expect(categories).toBeGreaterThanOrEqual(3);
    expect(await count(page, 'bug-trends', '.recharts-bar-rectangle')).toBeGreaterThan(categories);
    await page.getByRole('button', { name: 'By severity' }).click();
    await page.locator('[data-testid="bug-trends"]', { hasText: 'Occurrences by severity' }).waitFor();
    expect(await readyChart(page, 'bug-trends')).toBe(4);
    await screenshot(page, 'bugs');
    await page.getByRole('link', { name: 'LLM timeout on large context' }).click();
    await page.waitForURL(/\/bugs\/\d+/);
    await expect(page.locator('[data-testid="bug-tests"]').textContent()).resolves.toContain('timeout_chunked_large_context');
    expect(await readyChart(page, 'bug-detail-trend')).toBe(1);
    expect(await count(page, 'bug-detail-trend', '.recharts-bar-rectangle')).toBeGreaterThan(0);
    await expect(page.locator('[data-testid="bug-facts"]').textContent()).resolves.toContain('Solution');
    await screenshot(page, 'bug-detail');
    await page.close();
  });

  it('heuristics', async () => {
    const page = await open('/heuristics');
    const lines = await readyChart(page, 'hit-rate-chart');
    expect(lines).toBe(8); // overall + the 7 active demo rules that fire
    expect(await count(page, 'hit-rate-chart', '.recharts-line-curve')).toBe(lines);
    expect(await page.locator('[data-testid="rules-table"] tbody tr').count()).toBe(8);
    // The Suggestions card settles (the demo history may or may not call for a change), one row per suggestion.
    const suggestions = page.locator('[data-testid="suggestions-card"]');
    await expect.poll(() => suggestions.getAttribute('data-state')).toMatch(/^(ready|empty)$/);
    expect(Number(await suggestions.getAttribute('data-series-count'))).toBe(
      await suggestions.locator('[data-testid="suggestion"]').count(),
    );
    await screenshot(page, 'heuristics', true);
    await page.close();
  });

  it('regression tests', async () => {
    const page = await open('/tests');
    expect(await page.locator('[data-testid="test-list"] article').count()).toBe(6);
    expect(await page.locator('[data-testid="test-list"] pre code .hljs-keyword').count()).toBeGreaterThan(6);
    await screenshot(page, 'tests');
    await page.close();
  });

  it('metrics', async () => {
    const page = await open('/metrics?metric=routing_latency&groupBy=layer');
    expect(await readyChart(page, 'metric-chart')).toBe(3);
    expect(await count(page, 'metric-chart', '.recharts-line-curve')).toBe(3);
    await expect(page.locator('[data-testid="metric-chart"]').textContent()).resolves.toContain('in ms');
    await screenshot(page, 'metrics');
    await page.close();
  });
});

describe('shared controls', () => {
  it('changing the date range changes the plotted data and the URL', async () => {
    const page = await open('/models');
    await readyChart(page, 'trend-success');
    const ticks = () => page.locator('[data-testid="trend-success"] .recharts-xAxis-tick-labels text').allTextContents();
    const callsOf = () => page.locator('[data-testid="leaderboard-table"] tbody tr').first().locator('td').last().textContent();
    await expect.poll(async () => (await ticks()).length, { timeout: 15_000 }).toBeGreaterThan(0); // drawn once measured
    const weekTicks = await ticks();
    const weekCalls = await callsOf();
    expect(weekTicks.every((t) => !t.includes(':'))).toBe(true); // daily buckets
    await page.getByRole('button', { name: 'Last 24h' }).click();
    await page.waitForURL(/range=24h/);
    await expect.poll(ticks, { timeout: 15_000 }).not.toEqual(weekTicks);
    expect((await ticks()).some((t) => t.includes(':'))).toBe(true); // hourly buckets
    await expect.poll(callsOf, { timeout: 15_000 }).not.toBe(weekCalls);
    const hourTicks = await ticks();

    // A custom range of whole days: the last three, through the date inputs.
    const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
    await page.getByRole('button', { name: 'Custom' }).click();
    await page.getByLabel('From').fill(day(2));
    await page.getByLabel('To').fill(day(0));
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(new RegExp(`range=custom&from=${day(2)}&to=${day(0)}`));
    await expect.poll(ticks, { timeout: 15_000 }).not.toEqual(hourTicks);
    expect((await ticks()).every((t) => !t.includes(':'))).toBe(true); // 72 hours: daily buckets again
    await page.close();
  });

  it('a chart whose query fails says so instead of staying blank', async () => {
    // Over 400 days: the server refuses the range, naming the field.
    const page = await open('/models?range=custom&from=2020-01-01&to=2026-01-01', { expectClientCalls: true });
    const card = page.locator('[data-testid="cost-success"]');
    await card.and(page.locator('[data-state="error"]')).waitFor({ timeout: 15_000 });
    expect(await card.textContent()).toContain('from: range must be at most 400 days');
    await page.close();
  });
});

async function rulePatterns(): Promise<string[]> {
  const response = await fetch(
    `${dashboard.server.url}/api/trpc/routing.listHeuristics?input=${encodeURIComponent(JSON.stringify({ activeOnly: false }))}`,
  );
  const body = (await response.json()) as { result: { data: { pattern: string }[] } };
  return body.result.data.map((r) => r.pattern);
}

/** Calls a tool over REST, as a script would (for a test's own rows, so it leaves the demo data as it found it). */
async function callTool(name: string, input: Record<string, unknown>): Promise<any> {
  const response = await fetch(`${dashboard.server.url}/tools/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  expect(response.status, name).toBe(200);
  return response.json();
}

describe('heuristics forms', () => {
  it('creates a rule through the form; after a reload it is listed', async () => {
    const page = await open('/heuristics');
    const form = page.locator('[data-testid="rule-form-new"]');
    await form.locator('[name="pattern"]').fill('\\be2e-created\\b');
    await form.locator('[name="preferredLayer"]').selectOption('deep');
    await form.locator('[name="preferredModel"]').fill('claude-sonnet-4');
    await form.locator('[name="priority"]').fill('5');
    await form.getByRole('button', { name: 'Create rule' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved rule' }).waitFor();
    await page.reload({ waitUntil: 'networkidle' });
    const row = page.locator('[data-testid="rules-table"] tr[data-pattern="\\\\be2e-created\\\\b"]');
    await expect(row.textContent()).resolves.toContain('claude-sonnet-4');
    expect(await rulePatterns()).toContain('\\be2e-created\\b');
    await page.close();
    const rules = (await callTool('get_routing_heuristics', { activeOnly: false })) as { id: number; pattern: string }[];
    await callTool('delete_routing_heuristic', { id: rules.find((rule) => rule.pattern === '\\be2e-created\\b')!.id });
  });

  it('checks the rule being written while typing, and answers its save with the warnings', async () => {
    const broad = (await callTool('update_routing_heuristic', { pattern: 'e2e-broad', preferredLayer: 'fast', priority: 900 })) as {
      heuristic: { id: number };
    };
    const page = await open('/heuristics');
    const form = page.locator('[data-testid="rule-form-new"]');
    await form.locator('[name="pattern"]').fill('e2e-broad (one|two)');
    await form.locator('[name="preferredLayer"]').selectOption('deep');
    await form.locator('[name="priority"]').fill('1');
    const live = form.locator('[data-testid="rule-warnings-new"] li[data-kind="never_fires"]');
    await live.waitFor();
    expect(await live.textContent()).toContain(`rule #${broad.heuristic.id}`);
    await form.getByRole('button', { name: 'Create rule' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved rule' }).waitFor();
    const saved = form.locator('[data-testid="rule-warnings-saved-new"] li[data-kind="never_fires"]');
    await saved.waitFor();
    expect(await saved.textContent()).toContain(`rule #${broad.heuristic.id}`);
    await page.close();
    const rules = (await callTool('get_routing_heuristics', { activeOnly: false })) as { id: number; pattern: string }[];
    for (const pattern of ['e2e-broad', 'e2e-broad (one|two)']) {
      await callTool('delete_routing_heuristic', { id: rules.find((rule) => rule.pattern === pattern)!.id });
    }
  });

  it('reorders rules with the arrows', async () => {
    const page = await open('/heuristics');
    const order = () =>
      page.locator('[data-testid="rules-table"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-pattern')));
    const [first, second] = await order();
    await page.getByRole('button', { name: `Move /${first}/ down` }).click();
    await expect.poll(async () => (await order()).slice(0, 2), { timeout: 10_000 }).toEqual([second, first]);
    await page.reload({ waitUntil: 'networkidle' });
    expect((await order()).slice(0, 2)).toEqual([second, first]);
    await page.getByRole('button', { name: `Move /${first}/ up` }).click();
    await expect.poll(async () => (await order()).slice(0, 2), { timeout: 10_000 }).toEqual([first, second]);
    await page.close();
  });

  it('edits, deactivates and deletes a rule from the table', async () => {
    await callTool('update_routing_heuristic', { pattern: 'e2e-to-change', preferredLayer: 'balanced' });
    const page = await open('/heuristics');
    const row = (pattern: string) => page.locator(`[data-testid="rules-table"] tr[data-pattern="${pattern}"]`);
    await row('e2e-to-change').getByRole('button', { name: 'Edit' }).click();
    const form = page.locator('form[data-testid^="rule-form-edit-"]');
    await form.locator('[name="pattern"]').fill('e2e-change(d)?');
    await form.locator('[name="preferredLayer"]').selectOption('fast');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await row('e2e-change(d)?').waitFor();
    expect(await row('e2e-change(d)?').textContent()).toContain('fast');
    expect(await rulePatterns()).not.toContain('e2e-to-change');

    await row('e2e-change(d)?').getByRole('button', { name: 'Deactivate' }).click();
    await row('e2e-change(d)?').getByRole('button', { name: 'Activate' }).waitFor();

    page.once('dialog', (dialog) => void dialog.accept());
    await row('e2e-change(d)?').getByRole('button', { name: 'Delete' }).click();
    await row('e2e-change(d)?').waitFor({ state: 'detached' });
    expect(await rulePatterns()).not.toContain('e2e-change(d)?');
    await page.close();
  });

  it('names an adaptive policy for a rule through the form, and clears it; the table says who chooses the model', async () => {
    const { policy } = (await callTool('save_routing_policy', {
      name: 'e2e policy',
      candidates: ['gpt-4o-mini', 'claude-sonnet-4'],
    })) as { policy: { id: number } };
    await callTool('update_routing_heuristic', { pattern: 'e2e-adaptive', preferredLayer: 'balanced', preferredModel: 'gpt-4o' });
    const storedPolicyId = async () => {
      const rules = (await callTool('get_routing_heuristics', { activeOnly: false })) as { pattern: string; policyId: number | null }[];
      return rules.find((rule) => rule.pattern === 'e2e-adaptive')!.policyId;
    };
    const page = await open('/heuristics');
    const row = page.locator('[data-testid="rules-table"] tr[data-pattern="e2e-adaptive"]');
    const form = page.locator('form[data-testid^="rule-form-edit-"]');
    const modelCell = row.locator('[data-testid^="rule-model-"]');

    await row.getByRole('button', { name: 'Edit' }).click();
    await form.locator('[name="policyId"]').selectOption(String(policy.id));
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => modelCell.textContent(), { timeout: 10_000 }).toBe('policy e2e policy');
    expect(await storedPolicyId()).toBe(policy.id);

    // Edited again, the form shows the stored policy; "none" clears it and the rule's own model decides again.
    await row.getByRole('button', { name: 'Edit' }).click();
    expect(await form.locator('[name="policyId"]').inputValue()).toBe(String(policy.id));
    await form.locator('[name="policyId"]').selectOption('');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => modelCell.textContent(), { timeout: 10_000 }).toBe('gpt-4o');
    expect(await storedPolicyId()).toBeNull();
    await page.close();

    const rules = (await callTool('get_routing_heuristics', { activeOnly: false })) as { id: number; pattern: string }[];
    await callTool('delete_routing_heuristic', { id: rules.find((rule) => rule.pattern === 'e2e-adaptive')!.id });
    await callTool('delete_routing_policy', { id: policy.id });
  });

  it.each([
    ['algo(?=rithm)', /lookaround/],
    ['(', /not a valid regular expression/],
  ])('an invalid pattern %s shows the error on the field and saves nothing', async (pattern, message) => {
    const before = await rulePatterns();
    const page = await open('/heuristics');
    const form = page.locator('[data-testid="rule-form-new"]');
    await form.locator('[name="pattern"]').fill(pattern);
    await form.getByRole('button', { name: 'Create rule' }).click();
    const error = form.locator('[data-error-for="pattern"]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(message);
    expect(await form.locator('[name="pattern"]').getAttribute('aria-invalid')).toBe('true');
    expect(await rulePatterns()).toEqual(before);
    await page.close();
  });

  it('the try-it box names the rule that matches, without counting a decision', async () => {
    const page = await open('/heuristics');
    const decisionsBefore = await page.locator('[data-testid="overall-hit-rate"]').textContent();
    await page.locator('#try-input').fill('Please implement a sorting algorithm in Rust');
    await page.getByRole('button', { name: 'Try it' }).click();
    const result = page.locator('[data-testid="try-result"]');
    await result.waitFor();
    expect(await result.textContent()).toContain('/.*implement.*algorithm.*/');
    expect(await result.textContent()).toContain('deep');
    expect(await result.textContent()).toContain('claude-sonnet-4');
    await page.reload({ waitUntil: 'networkidle' });
    expect(await page.locator('[data-testid="overall-hit-rate"]').textContent()).toBe(decisionsBefore);
    await page.close();
  });

  it('the try-it box also says what the rule being written would do, before it is saved', async () => {
    const page = await open('/heuristics');
    const form = page.locator('[data-testid="rule-form-new"]');
    await form.locator('[name="pattern"]').fill('\\bsorting\\b');
    await form.locator('[name="preferredLayer"]').selectOption('fast');
    await form.locator('[name="priority"]').fill('500');
    await page.locator('#try-input').fill('Please implement a sorting algorithm in Rust');
    await page.getByRole('button', { name: 'Try it' }).click();
    const draft = page.locator('[data-testid="try-draft"]');
    await draft.waitFor();
    expect(await draft.textContent()).toMatch(/would match first → layer fast/);
    await form.locator('[name="priority"]').fill('1');
    await expect.poll(() => draft.textContent()).toMatch(/is checked before it/);
    expect(await rulePatterns()).not.toContain('\\bsorting\\b');
    await page.close();
  });

  it('the try-it box replays the rule being written over the sampled decisions, with a chart', async () => {
    const page = await open('/heuristics');
    const form = page.locator('[data-testid="rule-form-new"]');
    await form.locator('[name="pattern"]').fill('\\bsorting\\b');
    await form.locator('[name="preferredLayer"]').selectOption('fast');
    await page.getByRole('button', { name: 'Replay this rule' }).click();
    const result = page.locator('[data-testid="replay-result"]');
    await expect.poll(() => result.getAttribute('data-takeovers')).toMatch(/^\d+$/);
    expect(await result.textContent()).toMatch(/Replayed \/\\bsorting\\b\/ on [\d,]+ sampled decision/);
    const chart = page.locator('[data-testid="replay-chart"]');
    expect(await chart.getAttribute('data-state')).toMatch(/^(ready|empty)$/);
    expect(await rulePatterns()).not.toContain('\\bsorting\\b');
    await page.close();
  });
});

describe('the routing engine on the heuristics page and the overview', () => {
  it('shows versions, measured vs stated success, shadow counts, check warnings and the edit markers', async () => {
    const page = await open('/heuristics');
    const row = (pattern: string) => page.locator(`[data-testid="rules-table"] tr[data-pattern="${pattern}"]`);
    const newForm = page.locator('[data-testid="rule-form-new"]');
    const create = async (fields: { pattern: string; layer: string; priority: string; successRate?: string; state?: string }) => {
      await newForm.locator('[name="pattern"]').fill(fields.pattern);
      await newForm.locator('[name="preferredLayer"]').selectOption(fields.layer);
      await newForm.locator('[name="priority"]').fill(fields.priority);
      if (fields.successRate) await newForm.locator('[name="successRate"]').fill(fields.successRate);
      if (fields.state) await newForm.locator('[name="state"]').selectOption(fields.state);
      await newForm.getByRole('button', { name: 'Create rule' }).click();
      await newForm.getByRole('status').filter({ hasText: `Saved rule` }).filter({ hasText: fields.pattern }).waitFor();
      await row(fields.pattern).waitFor();
    };

    // A rule, then an edit of it (its layer): two versions.
    await create({ pattern: 'e2e-route-[a-z]+', layer: 'deep', priority: '700', successRate: '90' });
    await row('e2e-route-[a-z]+').getByRole('button', { name: 'Edit' }).click();
    const editForm = page.locator('form[data-testid^="rule-form-edit-"]');
    await editForm.locator('[name="preferredLayer"]').selectOption('fast');
    await editForm.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => row('e2e-route-[a-z]+').textContent(), { timeout: 10_000 }).toContain('v2');
    // A shadow rule ranked ahead of it, and an equal-priority rule overlapping it.
    await create({ pattern: 'e2e-route-alpha', layer: 'balanced', priority: '800', state: 'shadow' });
    expect(await row('e2e-route-alpha').getAttribute('data-state')).toBe('shadow');
    await callTool('update_routing_heuristic', { pattern: 'e2e-route-overlap', preferredLayer: 'balanced', priority: 700 });

    const rules = (await callTool('get_routing_heuristics', { activeOnly: false })) as { id: number; pattern: string }[];
    const idOf = (pattern: string) => rules.find((rule) => rule.pattern === pattern)!.id;
    const [main, shadow, overlapping] = ['e2e-route-[a-z]+', 'e2e-route-alpha', 'e2e-route-overlap'].map(idOf) as [number, number, number];

    // Four decisions through REST, all by the edited rule (the shadow one would have decided each), and their outcomes.
    const outcomes = [
      { success: true, latencyMs: 100, cost: 0.01 },
      { success: true, latencyMs: 200, cost: 0.01 },
      { success: true, latencyMs: 300, cost: 0.01 },
      { success: false, latencyMs: 400, cost: 0.01 },
    ];
    for (const outcome of outcomes) {
      const decision = (await callTool('resolve_route', { input: 'please e2e-route-alpha this', taskType: 'coding' })) as {
        decisionId: string;
        ruleId: number;
      };
      expect(decision.ruleId).toBe(main);
      await callTool('record_route_outcome', { decisionId: decision.decisionId, ...outcome });
    }

    await page.reload({ waitUntil: 'networkidle' });
    // Measured (3 of 4, Wilson 95% interval 30–95%) beside the stated 90%, with the latency and cost means.
    expect(await page.locator(`[data-testid="rule-measured-${main}"]`).textContent()).toContain('75.0% (30–95%, n=4)');
    expect(await page.locator(`[data-testid="rule-stated-${main}"]`).textContent()).toBe('90.0%');
    expect(await row('e2e-route-[a-z]+').textContent()).toContain('250 ms');
    // The shadow rule never decided, would have four times, displacing the edited rule's second version.
    const shadowHits = await page.locator(`[data-testid="rule-hits-${shadow}"]`).textContent();
    expect(shadowHits).toContain('4 would have matched, 4 would have decided');
    expect(shadowHits).toContain(`displacing #${main} v2 ×4`);
    // The overlap is reported on the rows.
    await page
      .locator(`[data-testid="rule-warnings-row-${main}"], [data-testid="rule-warnings-row-${overlapping}"]`)
      .locator('li[data-kind="overlap"]')
      .first()
      .waitFor();
    // The history: who/when/what, newest first, each version with its own figures.
    await page.getByRole('button', { name: 'History of /e2e-route-[a-z]+/' }).click();
    const history = page.locator(`[data-testid="rule-history-${main}"] tbody tr`);
    await history.first().waitFor();
    expect(await history.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-version')))).toEqual(['2', '1']);
    expect(await history.first().textContent()).toMatch(/preferredLayer: deep → fast/);
    expect(await history.first().textContent()).toContain('n=4');
    expect(await history.last().textContent()).toContain('created');
    await screenshot(page, 'heuristics-routing-engine');
    await page.close();

    // The overview's hit-rate chart marks the edits made today.
    const overview = await open('/?range=24h');
    await readyChart(overview, 'overview-hit-rate');
    expect(Number(await overview.locator('[data-testid="overview-edit-count"]').textContent())).toBeGreaterThan(0);
    const marker = overview.locator('[data-testid="overview-hit-rate"] .recharts-reference-line');
    // A vertical line has no width: Playwright would call it hidden, so the marker is awaited in the DOM.
    await marker.first().waitFor({ state: 'attached' });
    // recharts draws the labels in a layer of their own, elsewhere in the chart.
    expect(await overview.locator('[data-testid="overview-hit-rate"]').textContent()).toMatch(/#\d+ v\d+|\d+ edits/);
    await overview.close();

    for (const id of [main, shadow, overlapping]) await callTool('delete_routing_heuristic', { id });
  });
});

describe('regression test download', () => {
  it('answers one test by name, and refuses a missing or unknown one', async () => {
    const one = await fetch(`${dashboard.server.url}/tests/download?name=parsing_stream_resume`);
    expect(one.status).toBe(200);
    expect(one.headers.get('content-disposition')).toBe('attachment; filename="parsing_stream_resume.test.ts"');
    const body = await one.text();
    expect(body.match(/^describe\(/gm)).toHaveLength(1);
    expect((await fetch(`${dashboard.server.url}/tests/download`)).status).toBe(400);
    expect((await fetch(`${dashboard.server.url}/tests/download?name=parsing_stream`)).status).toBe(404);
  });

  it('downloads a category as a file that Vitest runs and passes', async () => {
    const page = await open('/tests?category=routing');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="download-category"]').click()]);
    expect(download.suggestedFilename()).toBe('routing.regression.test.ts');
    mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
    const dir = mkdtempSync(path.join(ROOT, 'test-results', 'download-'));
    try {
      const file = path.join(dir, download.suggestedFilename());
      await download.saveAs(file);
      expect(readFileSync(file, 'utf8')).toContain("from 'vitest'");
      // A clean environment: this suite's own Vitest variables must not leak into the child run.
      const env = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'),
      ) as NodeJS.ProcessEnv;
      // Its own minimal config, so the run is the downloaded file alone and not this repository's projects.
      writeFileSync(path.join(dir, 'vitest.config.mjs'), "export default { test: { include: ['*.test.ts'] } };\n");
      const run = spawnSync(
        path.join(ROOT, 'node_modules', '.bin', 'vitest'),
        ['run', '--root', dir, '--config', path.join(dir, 'vitest.config.mjs'), '--reporter', 'verbose'],
        {
          cwd: dir,
          env,
          encoding: 'utf8',
        },
      );
      const output = `${run.stdout}\n${run.stderr}`;
      expect(run.status, output).toBe(0);
      expect(output).toMatch(/2 passed/);
      expect(output).toContain('routing_timeout_recovery');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await page.close();
    }
  });
});
