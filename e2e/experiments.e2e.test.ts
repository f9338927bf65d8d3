import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SCREENSHOTS, useSeededDashboard } from './browser';

// The experiments page in Chromium against `next start` on a seeded embedded database: start an experiment through the
// form, send decisions and outcomes through the REST face, read the arms' figures and verdict, promote the winner.

const RULE_PATTERN = '\\b(refactor|migrate)\\b';

const dashboard = useSeededDashboard();

async function callTool(name: string, input: Record<string, unknown>): Promise<any> {
  const response = await fetch(`${dashboard.server.url}/tools/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  expect(response.status, `${name}: ${response.status}`).toBe(200);
  return response.json();
}

async function open(pathAndQuery: string): Promise<{ page: Page; failures: string[] }> {
  const page = await dashboard.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const failures: string[] = [];
  page.on('pageerror', (error) => failures.push(error.message));
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(`${dashboard.server.url}${pathAndQuery}`, { waitUntil: 'networkidle' });
  return { page, failures };
}

describe('experiments page', () => {
  it('starts an experiment on a seeded rule, shows the arms as outcomes arrive, and promotes the winner to a new rule version', async () => {
    const rules = (await callTool('get_routing_heuristics', { activeOnly: true })) as {
      id: number;
      pattern: string;
      preferredModel: string | null;
      version: number;
    }[];
    const rule = rules.find((candidate) => candidate.pattern === RULE_PATTERN)!;
    expect(rule.preferredModel).toBe('claude-sonnet-4');

    // Start it through the form.
    const { page, failures } = await open('/experiments');
    await page.locator('[data-testid="experiments-list"][data-state="empty"]').waitFor();
    const form = page.locator('[data-testid="experiment-form"]');
    await form.locator('[name="name"]').fill('Cheaper model for refactoring');
    await form.locator('[name="ruleId"]').selectOption(String(rule.id));
    await form.locator('[name="minOutcomes"]').fill('50');
    await form.locator('[name="arms.1.name"]').fill('mini');
    await form.locator('[name="arms.1.variant.model"]').fill('gpt-4o-mini');
    await form.getByRole('button', { name: 'Start experiment' }).click();
    await page.waitForURL(/\/experiments\/\d+$/, { timeout: 30_000 });
    const id = Number(page.url().split('/').pop());
    await page.locator('[data-testid="experiment-arms"][data-state="ready"]').waitFor();
    expect(await page.locator('[data-testid="experiment-verdict"]').getAttribute('data-status')).toBe('collecting');
    expect(await page.locator('[data-testid="experiment-arms"] tbody tr').count()).toBe(2);

    // Traffic through the REST face: the arm decides the model; "mini" succeeds 9 times in 10, the control 6 in 10.
    const outcomes: { decisionId: string; success: boolean; latencyMs: number; cost: number }[] = [];
    const perArm = new Map<string, number>();
    for (let batch = 0; batch < 15; batch++) {
      const decisions = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          callTool('resolve_route', {
            input: 'please refactor the billing module',
            requestKey: `conversation-${batch * 20 + i}`,
            taskType: 'coding',
          }),
        ),
      );
      for (const [i, decision] of decisions.entries()) {
        expect(decision.experimentId).toBe(id);
        const mini = decision.model === 'gpt-4o-mini';
        perArm.set(decision.model, (perArm.get(decision.model) ?? 0) + 1);
        const n = batch * 20 + i;
        outcomes.push({
          decisionId: decision.decisionId,
          success: mini ? n % 10 !== 0 : n % 10 < 6,
          latencyMs: mini ? 400 : 900,
          cost: mini ? 0.0004 : 0.004,
        });
      }
    }
    expect(perArm.get('gpt-4o-mini')).toBeGreaterThan(100);
    expect(perArm.get('claude-sonnet-4')).toBeGreaterThan(100);
    for (let i = 0; i < outcomes.length; i += 20)
      await Promise.all(outcomes.slice(i, i + 20).map((outcome) => callTool('record_route_outcome', outcome)));

    await page.reload({ waitUntil: 'networkidle' });
    await page.locator('[data-testid="experiment-arms"][data-state="ready"]').waitFor();
    expect(await page.locator('[data-testid="arm-outcomes-mini"]').textContent()).toBe(String(perArm.get('gpt-4o-mini')));
    expect(await page.locator('[data-testid="arm-outcomes-control"]').textContent()).toBe(String(perArm.get('claude-sonnet-4')));
    expect(await page.locator('[data-testid="arm-success-mini"]').textContent()).toMatch(/^\d+\.\d% \(\d+\.\d%–\d+\.\d%\)$/);
    const verdict = page.locator('[data-testid="experiment-verdict"]');
    expect(await verdict.getAttribute('data-status')).toBe('winner');
    expect(await verdict.textContent()).toContain('Winner: mini');
    expect(await page.locator('tr[data-arm-name="mini"]').getAttribute('data-significance')).toBe('better');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'experiment.png'), fullPage: true });

    // Promote the winner: the rule gets a new version with the arm's model.
    await page.locator('tr[data-arm-name="mini"]').getByRole('button', { name: 'Promote' }).click();
    await page.locator('[data-testid="experiment-verdict"][data-status="promoted"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="promoted-version"]').waitFor();
    expect(await page.getByRole('button', { name: 'Promote' }).count()).toBe(0);
    const after = ((await callTool('get_routing_heuristics', { activeOnly: true })) as typeof rules).find((r) => r.id === rule.id)!;
    expect(after).toMatchObject({ preferredModel: 'gpt-4o-mini', version: rule.version + 1 });
    expect(await page.locator('[data-testid="experiment-summary"]').textContent()).toContain(`now v${rule.version + 1}`);
    await page.close();

    // The heuristics page shows the rule's new version and model.
    const heuristics = await open('/heuristics');
    const row = heuristics.page.locator(`[data-testid="rules-table"] tr[data-rule-id="${rule.id}"]`);
    await expect(row.textContent()).resolves.toContain('gpt-4o-mini');
    await expect(row.textContent()).resolves.toContain(`v${rule.version + 1}`);
    await heuristics.page.close();

    // And the list says promoted.
    const list = await open('/experiments');
    await expect(
      list.page.locator(`[data-testid="experiments-list"] tr[data-experiment-id="${id}"]`).getAttribute('data-status'),
    ).resolves.toBe('promoted');
    await list.page.close();
    expect([...failures, ...heuristics.failures, ...list.failures]).toEqual([]);
  });
});
