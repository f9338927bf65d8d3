// npm run bench [-- <suite> ... [--db=pglite|postgres] [--only=<part>]]: runs the named benchmark suites, or every
// suite in this order when none is named. Each suite is a module exporting run(options); it prints figures and asserts
// nothing. Options are `--name=value` and go to every suite named; a suite says which it understands.
import { matchWorkerPool } from '../server/services/routing/match-worker-pool';
import { cliOptions } from './cli-options';

export type SuiteOptions = Record<string, string>;

export interface Suite {
  run(options: SuiteOptions): Promise<void>;
}

const SUITES: Record<string, () => Promise<Suite>> = {
  core: () => import('./bench-core'),
  analytics: () => import('./bench-analytics'),
  http: () => import('./bench-http'),
  ingest: () => import('./bench-ingest'),
  routing: () => import('./bench-routing'),
  learning: () => import('./bench-learning'),
};

const args = process.argv.slice(2);
const asked = args.filter((arg) => !arg.startsWith('--'));
const options: SuiteOptions = cliOptions(args);
const unknown = asked.filter((name) => !(name in SUITES));
if (unknown.length) {
  console.error(`Unknown benchmark suite ${unknown.join(', ')}; the suites are: ${Object.keys(SUITES).join(', ')}`);
  process.exit(1);
}
for (const name of asked.length ? asked : Object.keys(SUITES)) {
  console.log(`\n=== bench ${name}`);
  await (await SUITES[name]!()).run(options);
}
// The routing match worker is unref'd, but under tsx its message port would still hold the process open.
await matchWorkerPool().close();
