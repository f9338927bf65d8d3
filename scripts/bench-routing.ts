// npm run bench -- routing: routing decision latency with 10, 100 and 1,000 realistic rules on 2 KB inputs, and on
// 1 MB hostile inputs. Beside Hone's matcher (in process, and through the match worker as resolve_route uses it), the
// same run measures the spec's naive algorithm (read the rules from the database and build a RegExp per rule on
// every request), a plain loop of precompiled RegExps and a loop over every re2js pattern without the prefilter.
// Prints figures only; asserts nothing but that every way of deciding picks the same rule.
import { performance } from 'node:perf_hooks';
import { activeRuleSet, invalidateRoutingRules, type ActiveRuleSet } from '../server/services/routing/active-rules';
import { compilePattern, compileRuleSet, type RuleSet } from '../server/services/routing/matcher';
import { RULE_EVALUATION_ORDER } from '../server/services/routing/rule-dto';
import { createScratchDatabase, type ScratchDatabase } from '../server/testing/scratch-database';

const RULE_COUNTS = [10, 100, 1000];
const INPUT_CHARS = 2048;
const HOSTILE_CHARS = 1_000_000;
/** Each way of deciding is timed for at most this long per rule count (and at least MIN_SAMPLES decisions). */
const BUDGET_MS = 4000;
const MIN_SAMPLES = 30;
const MAX_SAMPLES = 5000;

/** A deterministic pseudo-random generator (mulberry32), so every run benches the same rules and inputs. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'da', 'pe', 'gu', 'fo', 'xi', 'bre', 'qua'];
/** A made-up word per number, distinct for distinct numbers: rule vocabularies do not overlap by accident. */
function word(n: number): string {
  let text = '';
  do {
    text += SYLLABLES[n % SYLLABLES.length];
    n = Math.floor(n / SYLLABLES.length);
  } while (n > 0);
  return `${text}x`;
}

interface BenchRule {
  pattern: string;
  /** A phrase the rule matches. */
  hit: string;
  /** A phrase holding the rule's literals that the rule does not match: the prefilter's worst case. */
  nearMiss: string;
}

/** Rules shaped like the spec's and the demo's: keyword alternations, phrases, some anchored, a few without a literal. */
function realisticRules(count: number): BenchRule[] {
  const rules: BenchRule[] = [
    { pattern: '\\b(refactor|debug|optimi[sz]e)\\b', hit: ' please optimise ', nearMiss: ' refactoring debugger ' },
    { pattern: '.*implement.*algorithm.*', hit: ' implement this algorithm ', nearMiss: ' algorithm to implement ' },
  ];
  const noLiteral = [
    { pattern: '\\b[A-Z]{4}-\\d{4,}\\b', hit: ' ABCD-12345 ', nearMiss: ' ABC-12 ' },
    { pattern: '\\b\\d{3}-\\d{3}-\\d{4}\\b', hit: ' 555-123-4567 ', nearMiss: ' 55-1234 ' },
    { pattern: '^\\s*$', hit: '', nearMiss: ' ' },
  ];
  for (let i = rules.length; i < count; i++) {
    const [a, b, c] = [word(3 * i), word(3 * i + 1), word(3 * i + 2)];
    switch (i % 20) {
      case 0:
      case 1:
      case 2:
      case 3:
      case 4:
      case 5:
      case 6:
      case 7:
        rules.push({ pattern: `\\b(${a}|${b}|${c})\\b`, hit: ` ${b} `, nearMiss: ` ${a}_${b}_${c} ` });
        break;
      case 8:
      case 9:
      case 10:
      case 11:
        rules.push({ pattern: `(?i)\\b${a} ${b}\\b`, hit: ` ${a.toUpperCase()} ${b} `, nearMiss: ` ${a} ${b}s ` });
        break;
      case 12:
      case 13:
      case 14:
        rules.push({ pattern: `^(${a}|${b})\\b`, hit: `${a} `, nearMiss: ` ${a} ${b} ` });
        break;
      case 15:
      case 16:
      case 17:
        rules.push({ pattern: `\\b${a}\\b.*\\b${b}s?\\b`, hit: ` ${a} then ${b}s `, nearMiss: ` ${b} then ${a} ` });
        break;
      case 18:
        rules.push({ pattern: `\\b${a}(ing|ed|s)?\\b.*optimi[sz]e`, hit: ` ${a}ing, optimize `, nearMiss: ` optimise ${a} ` });
        break;
      default:
        // About one rule in twenty has no required literal: it is checked on every decision.
        rules.push(noLiteral[i % noLiteral.length]!);
    }
  }
  // Rule patterns are unique in the store: the literal-free ones repeat, so only their first copy is kept.
  const seen = new Set<string>();
  return rules.filter((rule) => !seen.has(rule.pattern) && seen.add(rule.pattern)).slice(0, count);
}

const FILLER = [
  'Could you look at this function and tell me why it is slow on large inputs?',
  'The service returns an error when the request body is empty, and the logs show nothing useful.',
  'Here is the stack of calls that leads to the problem, with the values of each argument.',
  'We tried caching the results but memory grew without bound over a day of traffic.',
  'Please keep the public interface the same so that existing callers do not break.',
  'The tests pass locally but fail in continuous integration about one time in ten.',
];

/** 2 KB prompts; about half hold a phrase that some rule (chosen at random) matches. */
function prompts(rules: readonly BenchRule[], count: number): string[] {
  const next = random(rules.length);
  return Array.from({ length: count }, (_, i) => {
    let text = '';
    const hit = i % 2 === 0 ? rules[Math.floor(next() * rules.length)]!.hit : '';
    const hitAt = Math.floor(next() * INPUT_CHARS * 0.8);
    while (text.length < INPUT_CHARS) {
      if (hit && text.length >= hitAt && !text.includes(hit)) text += hit;
      text += `${FILLER[Math.floor(next() * FILLER.length)]!} `;
    }
    return text.slice(0, INPUT_CHARS);
  });
}

/** The spec's rules are JavaScript patterns: `(?i)` at the start stands for the `i` flag. */
function jsRegExp(pattern: string): RegExp {
  return pattern.startsWith('(?i)') ? new RegExp(pattern.slice(4), 'i') : new RegExp(pattern);
}

async function latencies(decide: (input: string) => unknown, inputs: readonly string[]): Promise<number[]> {
  // One untimed pass first: re2js builds its lazy DFA states, and V8 its code, on first sight of an input.
  for (const input of inputs) await decide(input);
  const samples: number[] = [];
  const started = performance.now();
  for (let i = 0; samples.length < MAX_SAMPLES; i++) {
    const t = performance.now();
    await decide(inputs[i % inputs.length]!);
    samples.push(performance.now() - t);
    if (samples.length >= MIN_SAMPLES && performance.now() - started > BUDGET_MS) break;
  }
  return samples.sort((a, b) => a - b);
}

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const ms = (value: number) => (value < 1 ? value.toFixed(3) : value.toFixed(1)).padStart(8);

function report(label: string, sorted: readonly number[], baselineP50?: number) {
  const p50 = quantile(sorted, 0.5);
  const versus = baselineP50 === undefined ? '' : `  naive/this ${Math.round(baselineP50 / p50).toLocaleString('en')}x`;
  console.log(`    ${label.padEnd(56)} p50 ${ms(p50)} ms  p99 ${ms(quantile(sorted, 0.99))} ms  (${sorted.length} runs)${versus}`);
}

async function storeRules(db: ScratchDatabase, rules: readonly BenchRule[]) {
  await db.truncate();
  // Priorities in list order, so evaluation order is the list's.
  await db.prisma.routingRule.createMany({
    data: rules.map((rule, i) => ({ pattern: rule.pattern, preferredLayer: 'balanced', priority: rules.length - i })),
  });
  invalidateRoutingRules(db.prisma);
}

async function benchRuleCount(db: ScratchDatabase, count: number) {
  const rules = realisticRules(count);
  await storeRules(db, rules);
  const inputs = prompts(rules, 64);
  const { prisma } = db;

  const naive = async (input: string) => {
    const stored = await prisma.routingRule.findMany({ where: { state: 'active' }, orderBy: [...RULE_EVALUATION_ORDER] });
    return stored.find((rule) => jsRegExp(rule.pattern).test(input))?.pattern ?? null;
  };
  const ruleSet = compileRuleSet(rules);
  const prefiltered = (input: string) => ruleSet.firstMatch(input)?.pattern ?? null;
  const serverSet = await activeRuleSet(prisma);
  const throughWorker = async (input: string) => {
    const match = await serverSet.match(input);
    if ('cutOff' in match) throw new Error(`matching was cut off: ${match.cutOff}`);
    return match.ruleIndex === -1 ? null : serverSet.snapshot.rules[match.ruleIndex]!.pattern;
  };
  const regExps = rules.map((rule) => ({ rule, regExp: jsRegExp(rule.pattern) }));
  const regExpLoop = (input: string) => regExps.find(({ regExp }) => regExp.test(input))?.rule.pattern ?? null;
  const re2Tests = rules.map((rule) => {
    const compilation = compilePattern(rule.pattern);
    if (!compilation.ok) throw new Error(`${rule.pattern} ${compilation.reason}`);
    return { rule, compiled: compilation.compiled };
  });
  const re2Loop = (input: string) => re2Tests.find(({ compiled }) => compiled.test(input))?.rule.pattern ?? null;

  for (const input of inputs) {
    const expected = regExpLoop(input);
    const answers = [prefiltered(input), re2Loop(input), await throughWorker(input), await naive(input)];
    if (answers.some((answer) => answer !== expected))
      throw new Error(`the ways of deciding disagree on an input: ${JSON.stringify([expected, ...answers])}`);
  }
  const matched = inputs.filter((input) => prefiltered(input) !== null).length;
  console.log(`\n  ${count} rules (${matched} of ${inputs.length} inputs matched by a rule):`);
  const naiveSamples = await latencies(naive, inputs);
  const naiveP50 = quantile(naiveSamples, 0.5);
  report('naive: read rules from the database, RegExp per rule', naiveSamples);
  report('plain loop of precompiled RegExps', await latencies(regExpLoop, inputs), naiveP50);
  report('loop of every re2js pattern, no prefilter', await latencies(re2Loop, inputs), naiveP50);
  report("Hone's matcher in process (prefilter + re2js)", await latencies(prefiltered, inputs), naiveP50);
  report("Hone's matcher through the match worker (resolve_route)", await latencies(throughWorker, inputs), naiveP50);
  return { rules, ruleSet, serverSet };
}

async function benchHostile(rules: readonly BenchRule[], ruleSet: RuleSet<BenchRule>, serverSet: ActiveRuleSet) {
  const nearMisses = rules.map((rule) => rule.nearMiss).join(' ');
  const hostile = {
    "'implement ' x 100,000 (the spec rule's worst case)": 'implement '.repeat(HOSTILE_CHARS / 10),
    'near-misses of every rule (all literals present, no match)': nearMisses
      .repeat(Math.ceil(HOSTILE_CHARS / nearMisses.length))
      .slice(0, HOSTILE_CHARS),
  };
  console.log(`\n  1 MB hostile inputs, ${rules.length} rules (rules look at the first 32 KiB):`);
  for (const [label, input] of Object.entries(hostile)) {
    const timed = async (decide: (input: string) => unknown) => {
      const samples: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        await decide(input);
        samples.push(performance.now() - t);
      }
      return samples.sort((a, b) => a - b);
    };
    const inProcess = await timed((hostileInput) => ruleSet.firstMatch(hostileInput));
    let cutOff = 0;
    const worker = await timed(async (hostileInput) => {
      if ('cutOff' in (await serverSet.match(hostileInput))) cutOff++;
    });
    console.log(
      `    ${label.padEnd(62)} in process median ${ms(quantile(inProcess, 0.5))} ms, max ${ms(inProcess.at(-1)!)} ms;` +
        ` through the worker median ${ms(quantile(worker, 0.5))} ms${cutOff ? ` (${cutOff} of 5 cut off)` : ''}`,
    );
  }
}

export async function run(): Promise<void> {
  console.log('\nRouting decisions (PostgreSQL server for the naive algorithm, PGlite when it cannot be reached):');
  let db: ScratchDatabase;
  try {
    db = await createScratchDatabase('postgres');
  } catch (error) {
    console.log(`  PostgreSQL skipped (${(error as Error).message}); PGlite in memory`);
    db = await createScratchDatabase('pglite');
  }
  try {
    let largest: Awaited<ReturnType<typeof benchRuleCount>> | undefined;
    for (const count of RULE_COUNTS) largest = await benchRuleCount(db, count);
    const { rules, ruleSet, serverSet } = largest!;
    await benchHostile(rules, ruleSet, serverSet);
  } finally {
    await db.drop();
  }
}
