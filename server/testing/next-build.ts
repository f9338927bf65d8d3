// Vitest global setup: the API and dashboard tests run against `next start`, which needs a production build.
// It builds when there is none or when a source file is newer than it, so a second run starts at once.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SOURCES = [
  'app',
  'components',
  'server',
  'packages/client/src',
  'proxy.ts',
  'instrumentation.ts',
  'next.config.mjs',
  'package-lock.json',
];
const SKIP = new Set(['node_modules', 'generated', 'test', 'testing']);

function newestMtime(entry: string): number {
  const stat = statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(
    0,
    ...readdirSync(entry)
      .filter((name) => !SKIP.has(name))
      .map((name) => newestMtime(path.join(entry, name))),
  );
}

export default function buildOnce(): void {
  const built = statSync(path.join(ROOT, '.next/BUILD_ID'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const changed = Math.max(...SOURCES.map((source) => newestMtime(path.join(ROOT, source))));
  if (built > changed) return;
  console.log('next build (sources changed since the last build)…');
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/next/dist/bin/next'), 'build'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1' },
  });
  if (result.status !== 0) throw new Error(`next build failed (exit ${result.status})`);
}
