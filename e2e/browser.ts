import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { seedDemoData } from '../server/demo/seed';
import { createServerDatabase, ROOT, startHoneServer, type HoneServer, type ServerDatabase } from '../server/testing/hone-server';

// Debian's Chromium (apt-get install chromium): Playwright's own browser downloads are not reachable here.
export const CHROMIUM_PATH = process.env.HONE_CHROMIUM ?? '/usr/bin/chromium';

/** Where every browser test leaves its screenshots. */
export const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

/** What a browser test runs against: the server, its database and the browser (set once `beforeAll` has run). */
export interface SeededDashboard {
  server: HoneServer;
  browser: Browser;
  db: ServerDatabase;
}

/**
 * Registers hooks starting `next start` on a fresh embedded database seeded with the demo history, and Chromium; both
 * are stopped and the database dropped after the file's tests. Read the fields inside tests.
 */
export function useSeededDashboard(): SeededDashboard {
  const holder = {} as SeededDashboard;
  beforeAll(async () => {
    holder.db = await createServerDatabase('pglite');
    await holder.db.withPrisma(seedDemoData);
    holder.server = await startHoneServer({ env: holder.db.env });
    holder.browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await holder.browser?.close();
    await holder.server?.stop();
    await holder.db?.drop();
  });
  return holder;
}
