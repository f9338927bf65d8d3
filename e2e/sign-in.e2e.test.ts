import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../server/demo/seed';
import { createApiKey } from '../server/services/api-keys';
import { createServerDatabase, ROOT, startHoneServer, type HoneServer, type ServerDatabase } from '../server/testing/hone-server';
import { launchChromium } from './browser';

// The dashboard with HONE_AUTH=required: the sign-in page, a read key browsing, a write key editing.

let db: ServerDatabase;
let server: HoneServer;
let browser: Browser;
const keys = { read: '', write: '' };

beforeAll(async () => {
  db = await createServerDatabase('pglite');
  await db.withPrisma(async (prisma) => {
    await seedDemoData(prisma);
    keys.read = (await createApiKey(prisma, { name: 'viewer', scope: 'read' })).key;
    keys.write = (await createApiKey(prisma, { name: 'engineer', scope: 'write' })).key;
  });
  server = await startHoneServer({ env: { ...db.env, HONE_AUTH: 'required' } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await db?.drop();
});

async function signIn(page: Page, key: string): Promise<void> {
  await page.locator('#apiKey').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('signing in to the dashboard', () => {
  it('asks for a key, refuses a wrong one, and returns to the page asked for', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/heuristics`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await page.screenshot({ path: path.join(ROOT, 'test-results', 'screenshots', 'sign-in.png') });

    await signIn(page, 'hone_wrong');
    const error = page.locator('#apiKey-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('not valid');

    await signIn(page, keys.read);
    await page.waitForURL(`${server.url}/heuristics`);
    const cookie = (await context.cookies()).find((c) => c.name === 'hone_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookie.expires).toBeGreaterThan(Date.now() / 1000);
    await context.close();
  });

  it('lets a read key browse but not edit rules', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/sign-in?next=/heuristics`);
    await signIn(page, keys.read);
    await page.waitForURL(`${server.url}/heuristics`);
    await page.locator('[data-testid="rules-table"] tbody tr').first().waitFor();
    await expect(page.locator('[data-testid="read-only-notice"]').isVisible()).resolves.toBe(true);
    expect(await page.locator('[data-testid="rule-form-new"]').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Try as shadow rule' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Start experiment' }).count()).toBe(0);
    await expect(page.locator('[data-testid="session"]').textContent()).resolves.toContain('viewer (read only)');

    // The try-it box only reads, so a read key may use it.
    await page.locator('#try-input').fill('Please implement a sorting algorithm in Rust');
    await page.getByRole('button', { name: 'Try it' }).click();
    await expect(page.locator('[data-testid="try-result"]').textContent()).resolves.toContain('matches');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    await page.goto(`${server.url}/models`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await context.close();
  });

  it('lets a write key create a rule through the form', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/sign-in?next=/heuristics`);
    await signIn(page, keys.write);
    await page.waitForURL(`${server.url}/heuristics`);
    const form = page.locator('[data-testid="rule-form-new"]');
    await form.locator('[name="pattern"]').fill('\\bsigned-in\\b');
    await form.locator('[name="preferredLayer"]').selectOption('fast');
    await form.getByRole('button', { name: 'Create rule' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved rule' }).waitFor();
    const listed = await fetch(`${server.url}/tools/get_routing_heuristics?activeOnly=false`, {
      headers: { authorization: `Bearer ${keys.read}` },
    });
    expect(((await listed.json()) as { pattern: string }[]).map((r) => r.pattern)).toContain('\\bsigned-in\\b');
    await context.close();
  });

  it('lands on this site after signing in, whatever next the link carried', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    for (const next of ['/%5Cevil.example', '/%09/evil.example']) {
      await page.goto(`${server.url}/sign-in?next=${next}`);
      await signIn(page, keys.read);
      await page.waitForURL(`${server.url}/`);
      await context.clearCookies();
    }
    await context.close();
  });

  // Last: it leaves this address limited for a minute.
  it('slows down guessing: after 10 failed attempts a minute, the form asks to wait', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const error = page.locator('#apiKey-error');
    let message = '';
    // Each guess from a freshly loaded form, as a script guessing keys would post them.
    const attempt = async (key: string) => {
      await page.goto(`${server.url}/sign-in`);
      await Promise.all([page.waitForResponse((response) => response.request().method() === 'POST'), signIn(page, key)]);
      await error.waitFor();
      return (await error.textContent()) ?? '';
    };
    for (let guess = 0; guess < 12 && !message.includes('Too many'); guess++) message = await attempt(`hone_guess_${guess}`);
    expect(message).toMatch(/Too many failed sign-ins.*try again in \d+ s/);
    // The right key waits too while the address is limited: the limit counts attempts, so guessing cannot go on.
    expect(await attempt(keys.read)).toContain('Too many');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await context.close();
  });
});
