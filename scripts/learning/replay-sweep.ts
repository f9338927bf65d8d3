// Sweep of the in-process adaptive replay (replay-adaptive.ts) over scenarios × seeds × event times: the adaptive
// regret as a percentage of the static rules' regret after the run, and the requests it took to notice the
// degradation. Prints one row per scenario and event times (the ratio of each seed), then its max and median, the
// worst seed and the slowest notice (of the runs where one applies, as in the bench); `--out=file.json` keeps every run.
//   npx tsx scripts/learning/replay-sweep.ts [--scenarios=coding,support,my-scenario.json] [--seeds=1-20] [--times=-/-,10000/-,-/5000]
// --times: degrade-at/new-model-at pairs, '-' for the default (40 % and 60 % of the run). --requests, --step and --history as in
// the replay; a scenario ending in .json is read as a --scenario-file.
import { cliOptions } from '../cli-options';
import { writeFileSync } from 'node:fs';
import { replay, replayHistory } from './replay-adaptive';
import { MIN_PRE_SHARE } from './metrics';
import { simulationOptions, World } from './scenario';

export interface SweepRun {
  scenario: string;
  seed: number;
  degradeAt: number;
  newModelAt: number;
  ratio: number;
  notice: number | null;
  /** The adaptive policy's share of the degrading task type on the degrading model at D (the notice needs MIN_PRE_SHARE). */
  preShare: number;
}

/** "1-5,8" → [1, 2, 3, 4, 5, 8]. */
export function parseSeeds(text: string): number[] {
  return text.split(',').flatMap((part) => {
    const [from, to] = part.split('-').map(Number);
    if (to === undefined) return [from!];
    return Array.from({ length: to - from! + 1 }, (_, i) => from! + i);
  });
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/**
 * The notices of the runs where one applies, as the learning bench counts them: the adaptive policy had at least
 * MIN_PRE_SHARE of the task type on the degrading model at D (else there was no traffic to shift away). Never: Infinity.
 */
const applicableNotices = (runs: readonly SweepRun[]) =>
  runs.filter((run) => run.preShare >= MIN_PRE_SHARE).map((run) => run.notice ?? Infinity);

const noticeFigures = (notices: number[], runs: number) =>
  (notices.length ? `max ${Math.max(...notices)} median ${median(notices)}` : 'none applicable') +
  (notices.length < runs ? ` (${runs - notices.length} of ${runs} not applicable)` : '');

if (process.argv[1]?.endsWith('replay-sweep.ts')) {
  const args = cliOptions(process.argv.slice(2));
  const scenarios = (args.scenarios ?? 'coding,support').split(',');
  const seeds = parseSeeds(args.seeds ?? '1-20');
  const step = Number(args.step ?? 250);
  const history = replayHistory(args);
  const times = (args.times ?? '-/-').split(',').map((pair) => pair.split('/') as [string, string]);
  const runs: SweepRun[] = [];
  const lines: string[] = [];
  for (const [degrade, newModel] of times) {
    for (const name of scenarios) {
      const group: SweepRun[] = [];
      for (const seed of seeds) {
        const options: Record<string, string> = { [name.endsWith('.json') ? 'scenario-file' : 'scenario']: name, seed: String(seed) };
        if (args.requests) options.requests = args.requests;
        if (degrade && degrade !== '-') options['degrade-at'] = degrade;
        if (newModel && newModel !== '-') options['new-model-at'] = newModel;
        const { scenario, simulation } = simulationOptions(options);
        const result = replay(new World(scenario, simulation), step, history);
        const run: SweepRun = {
          scenario: name,
          seed,
          degradeAt: simulation.degradeAt,
          newModelAt: simulation.newModelAt,
          ratio: (100 * result.adaptiveRegret) / result.staticRegret,
          notice: result.notice,
          preShare: result.preShare,
        };
        group.push(run);
        runs.push(run);
        if (args.verbose)
          console.log(`${name} seed ${seed} D ${run.degradeAt} N ${run.newModelAt}: ${run.ratio.toFixed(1)}% notice ${run.notice}`);
      }
      const ratios = group.map((run) => run.ratio);
      const worst = group.reduce((a, b) => (b.ratio > a.ratio ? b : a));
      const notices = applicableNotices(group);
      const line =
        `${name.padEnd(8)} D ${String(group[0]!.degradeAt).padStart(5)} N ${String(group[0]!.newModelAt).padStart(5)}  ` +
        `max ${Math.max(...ratios)
          .toFixed(1)
          .padStart(5)}% (seed ${worst.seed})  median ${median(ratios).toFixed(1).padStart(5)}%  ` +
        `over 15% ${ratios.filter((r) => r > 15).length}/${ratios.length}  notice ${noticeFigures(notices, group.length)}\n` +
        `    ${group.map((run) => `${run.seed}:${run.ratio.toFixed(1)}`).join(' ')}`;
      lines.push(line);
      console.log(line);
    }
  }
  const all = runs.map((run) => run.ratio);
  console.log(
    `all ${runs.length} runs: max ${Math.max(...all).toFixed(1)}% median ${median(all).toFixed(1)}% over 12% ${all.filter((r) => r > 12).length} over 15% ${all.filter((r) => r > 15).length}; notice ${noticeFigures(applicableNotices(runs), runs.length)}`,
  );
  if (args.out) writeFileSync(args.out, JSON.stringify(runs, null, 1));
}
