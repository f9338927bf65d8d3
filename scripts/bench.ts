// npm run bench [-- <suite> ...]: runs the named benchmark suites, or every suite in this order when none is named.
// Each suite is a module exporting run(); it prints figures and asserts nothing.
import { matchWorkerPool } from '../server/services/routing/match-worker-pool';

export interface Suite {
  run(): Promise<void>;
}

const SUITES: Record<string, () => Promise<Suite>> = {
  core: () => import('./bench-core'),
  analytics: () => import('./bench-analytics'),
  http: () => import('./bench-http'),
  ingest: () => import('./bench-ingest'),
  routing: () => import('./bench-routing'),
};

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in SUITES));
if (unknown.length) {
  console.error(`Unknown benchmark suite ${unknown.join(', ')}; the suites are: ${Object.keys(SUITES).join(', ')}`);
  process.exit(1);
}
for (const name of asked.length ? asked : Object.keys(SUITES)) {
  console.log(`\n=== bench ${name}`);
  await (await SUITES[name]!()).run();
}
// The routing match worker is unref'd, but under tsx its message port would still hold the process open.
await matchWorkerPool().close();
