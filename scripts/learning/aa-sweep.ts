// Quick sweep: A/A false positives and A/B accuracy over many seeds (100 runs a seed), in process.
import { ACCURACY_DEFAULTS, experimentAccuracy } from './experiment-accuracy';
const from = Number(process.argv[2] ?? 1);
const count = Number(process.argv[3] ?? 10);
const runs = Number(process.argv[4] ?? 100);
let fp = 0,
  ab = 0,
  total = 0;
const perSeed: string[] = [];
for (let seed = from; seed < from + count; seed++) {
  const r = experimentAccuracy(runs, { ...ACCURACY_DEFAULTS, seed });
  fp += r.aa.falsePositives;
  ab += r.ab.correct;
  total += runs;
  perSeed.push(`${seed}:${r.aa.falsePositives}/${r.ab.correct}(m${r.ab.medianOutcomes})`);
}
console.log(perSeed.join(' '));
console.log(`A/A false positives ${fp}/${total} = ${((100 * fp) / total).toFixed(2)}%; A/B correct ${ab}/${total}`);
