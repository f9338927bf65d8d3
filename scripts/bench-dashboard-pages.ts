// Times whole dashboard pages served by `next start` over a PGlite data directory holding ~1M calls
// of rollup history: server rendering with its prefetches, as a browser's first request sees it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHoneServer } from '../server/testing/hone-server';
import buildOnce from '../server/testing/next-build';
import { openDatabase } from '../server/db/client';
import { createInnerContext } from '../server/trpc/context';
import { createCaller } from '../server/trpc/routers/_app';
import { medianMs, writeMillionCallHistory } from './bench-dashboard';

const PAGES = [
  '/',
  '/models',
  '/models?range=30d',
  '/bugs',
  '/heuristics',
  '/heuristics?range=30d',
  '/tests',
  '/metrics?metric=routing_latency&groupBy=layer',
];

export async function benchDashboardPages(runs = 5): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hone-bench-'));
  try {
    const db = await openDatabase({ kind: 'pglite', dataDir }, { migrate: true });
    try {
      await writeMillionCallHistory(db.prisma, createCaller(createInnerContext({ prisma: db.prisma })));
    } finally {
      await db.close();
    }
    buildOnce();
    const server = await startHoneServer({ env: { HONE_DATA_DIR: dataDir } });
    try {
      for (const page of PAGES) {
        const fetchPage = async () => {
          const response = await fetch(`${server.url}${page}`);
          if (!response.ok) throw new Error(`${page}: HTTP ${response.status}`);
          await response.text();
        };
        await fetchPage(); // warm
        const { median, max } = await medianMs(runs, fetchPage);
        console.log(`  GET ${page.padEnd(54)} median ${median.toFixed(0)} ms, max ${max.toFixed(0)} ms  (${runs} runs)`);
      }
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
