// npm run bench -- routing: routing decision latency with 10, 100 and 1,000 realistic rules on 2 KB inputs, and on
// 1 MB hostile inputs, all in one run. Rows, per rule count:
// - the spec's naive algorithm (read the rules from the database, build a RegExp per rule on every request);
// - a plain loop of precompiled RegExps;
// - Hone's engine in process (the compiled set on the main thread: what hone.router() and the server's decide run);
// - hone.router() in this process, synced from the server over HTTP (see clientRouter below);
// - in the server process: the match worker hop alone, and resolve_route through its service;
// - over HTTP: POST /tools/resolve_route against `next start`, one request at a time on a kept-alive connection.
// Prints figures only; asserts nothing but that every way of deciding picks the same rule.
// `--only=engine` runs the in-process rows alone (the RegExp loop and Hone's engine; no database, no server), and
// reports the engine's CPU time per decision per input (process.cpuUsage over ENGINE_CPU_RUNS runs of each input) and
// the garbage collections during its timed loop: figures a busy machine disturbs less than wall-clock percentiles.
import http from 'node:http';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import type { PrismaClient } from '../server/db/client';
import { createHoneClient } from '../server/hone-client';
import { activeRuleSet, type ActiveRuleSet } from '../server/services/routing/active-rules';
import { announceRoutingChange } from '../server/services/routing/change-feed';
import { compilePattern, compileRuleSet, type RuleSet } from '../server/services/routing/matcher';
import { resolveRoute } from '../server/services/routing/resolve-route';
import { RULE_EVALUATION_ORDER } from '../server/services/routing/rule-dto';
import { mulberry32 } from '../server/services/seeded-random';
import { createServerDatabase, startHoneServer, type HoneServer, type ServerDatabase } from '../server/testing/hone-server';
import buildOnce from '../server/testing/next-build';
import type { SuiteOptions } from './bench';

const RULE_COUNTS = [10, 100, 1000];
const INPUT_CHARS = 2048;
const INPUT_COUNT = 128;
const HOSTILE_CHARS = 1_000_000;
/** Each way of deciding is timed for at most this long per rule count (and at least MIN_SAMPLES decisions). */
const BUDGET_MS = 4000;
const MIN_SAMPLES = 30;
const MAX_SAMPLES = 20_000;
/** A rule edit reaches `next start` within its rule cache's version check (5 s); wait at most this long for it. */
const SERVER_CATCH_UP_MS = 20_000;
/** Runs of each input for the engine's CPU time per decision (--only=engine). */
const ENGINE_CPU_RUNS = 100;
const ENGINE_CPU_BLOCKS = 5;

/** A deterministic pseudo-random generator (mulberry32), so every run benches the same rules and inputs. */
const random = mulberry32;

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

export interface BenchRule {
  pattern: string;
  /** A phrase the rule matches. */
  hit: string;
  /** A phrase holding the rule's literals that the rule does not match: the prefilter's worst case. */
  nearMiss: string;
}

/**
 * A literal-free rule per number (none requires a literal the prefilter could look for; counted repetitions keep each
 * pattern distinct): ticket ids, arithmetic, Cyrillic text.
 */
function literalFreeRule(k: number): BenchRule {
  switch (k % 3) {
    case 0:
      return { pattern: `\\b[A-Z]{2}\\d{3,${6 + k}}\\b`, hit: ' AB1234 ', nearMiss: ' A1234 ' };
    case 1:
      return { pattern: `\\b\\d+ ?[-+*/] ?\\d{1,${2 + k}}\\b`, hit: ' 12 * 34 ', nearMiss: ' 12 * x ' };
    default:
      return { pattern: `[\\u0400-\\u04ff]{3,${4 + k}}`, hit: ' привет ', nearMiss: ' п р ' };
  }
}

/**
 * Rules shaped like a gateway's: keyword alternations with \b, phrases (some case-insensitive), rules anchored at the
 * start, words in order, and one rule in twenty without a required literal (or with a single character only).
 */
export function realisticRules(count: number): BenchRule[] {
  const rules: BenchRule[] = [
    { pattern: '\\b(refactor|debug|optimi[sz]e)\\b', hit: ' please optimise ', nearMiss: ' refactoring debugger ' },
    { pattern: '.*implement.*algorithm.*', hit: ' implement this algorithm ', nearMiss: ' algorithm to implement ' },
  ];
  const special = [
    { pattern: '^\\s*$', hit: '', nearMiss: ' ' },
    { pattern: '\\b[A-Z]{4}-\\d{4,}\\b', hit: ' ABCD-12345 ', nearMiss: ' ABC-12 ' },
    { pattern: '\\b\\d{3}-\\d{3}-\\d{4}\\b', hit: ' 555-123-4567 ', nearMiss: ' 55-1234 ' },
  ];
  let literalFree = 0;
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
        rules.push(literalFree < special.length ? special[literalFree]! : literalFreeRule(literalFree));
        literalFree++;
    }
  }
  return rules;
}

const PROSE = [
  'Could you look at this function and tell me why it is slow on large inputs?',
  'The service returns an error when the request body is empty, and the logs show nothing useful.',
  'Here is the stack of calls that leads to the problem, with the values of each argument.',
  'We tried caching the results but memory grew without bound over a day of traffic.',
  'Please keep the public interface the same so that existing callers do not break.',
  'The tests pass locally but fail in continuous integration about one time in ten.',
];
const CODE = [
  'function parseConfig(path) { const text = readFileSync(path, "utf8"); return JSON.parse(text); }',
  'for (const item of items) { if (!item.enabled) continue; total += item.weight; }',
  'SELECT id, name, created_at FROM users WHERE team_id = $1 ORDER BY created_at DESC LIMIT 50;',
  'def handler(event, context):\n    return {"statusCode": 200, "body": json.dumps(event)}',
  "TypeError: Cannot read properties of undefined (reading 'length') at render (app.js:42:17)",
  'git commit -m "fix: handle an empty body" && npm test -- --run',
];

/** 2 KB prompts, prose or code; about half hold a phrase that some rule (chosen at random) matches. */
export function prompts(rules: readonly BenchRule[], count: number): string[] {
  const next = random(rules.length);
  return Array.from({ length: count }, (_, i) => {
    const lines = i % 4 === 3 ? CODE : PROSE;
    let text = '';
    const hit = i % 2 === 0 ? rules[Math.floor(next() * rules.length)]!.hit : '';
    const hitAt = Math.floor(next() * INPUT_CHARS * 0.8);
    while (text.length < INPUT_CHARS) {
      if (hit && text.length >= hitAt && !text.includes(hit)) text += hit;
      text += `${lines[Math.floor(next() * lines.length)]!} `;
    }
    return text.slice(0, INPUT_CHARS);
  });
}

/** The spec's rules are JavaScript patterns: `(?i)` at the start stands for the `i` flag. */
function jsRegExp(pattern: string): RegExp {
  return pattern.startsWith('(?i)') ? new RegExp(pattern.slice(4), 'i') : new RegExp(pattern);
}

/** A way of deciding: the pattern of the rule that decides, or null for the default layer. */
type Decide = (input: string) => (string | null) | Promise<string | null>;

async function latencies(decide: Decide, inputs: readonly string[]): Promise<number[]> {
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
const ms = (value: number) => (value < 1 ? value.toFixed(3) : value.toFixed(1));
const times = (ratio: number) => `${Math.round(ratio).toLocaleString('en')}x`;

interface Row {
  label: string;
  count: number;
  p50: number;
  p99: number;
  /** naive p50 / this p50 */
  ratio?: number;
}
const summary: Row[] = [];

function report(label: string, count: number, sorted: readonly number[], naiveP50?: number) {
  const p50 = quantile(sorted, 0.5);
  const p99 = quantile(sorted, 0.99);
  const ratio = naiveP50 === undefined ? undefined : naiveP50 / p50;
  summary.push({ label, count, p50, p99, ratio });
  const versus = ratio === undefined ? '' : `  naive/this ${times(ratio)}`;
  console.log(`    ${label.padEnd(58)} p50 ${ms(p50).padStart(7)} ms  p99 ${ms(p99).padStart(7)} ms  (${sorted.length} runs)${versus}`);
}

/** POST /tools/resolve_route over one kept-alive connection, as a gateway calling Hone before each prompt would. */
function httpResolver(server: HoneServer): { decide: (input: string) => Promise<string | null>; close(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const decide = (input: string) =>
    new Promise<string | null>((resolve, reject) => {
      const body = JSON.stringify({ input });
      const request = http.request(
        `${server.url}/tools/resolve_route`,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => {
            if (response.statusCode !== 200) reject(new Error(`resolve_route answered ${response.statusCode}: ${text}`));
            else resolve((JSON.parse(text) as { pattern: string | null }).pattern);
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  return { decide, close: () => agent.destroy() };
}

// ─── hone.router() row ──────────────────────────────────────────────────────────────────────────────────────────────
// `hone.router()` as a gateway runs it: the client package's router syncing its snapshot from `server` over HTTP and
// deciding in this process, each decision also handed to its tracker for reporting (so the figure is everything a
// decision costs the gateway). Ready once it decides like the stored rules.
async function clientRouter(
  server: HoneServer,
  rules: readonly BenchRule[],
): Promise<{ decide: (input: string) => string | null; close(): Promise<void> }> {
  const hone = createHoneClient({ url: server.url });
  const router = hone.router();
  if (!(await router.ready({ timeoutMs: 60_000 }))) throw new Error(`hone.router() got no snapshot: ${router.status().lastError}`);
  const decide = (input: string) => router.decide(input).pattern;
  const regExps = rules.map((rule) => ({ rule, regExp: jsRegExp(rule.pattern) }));
  await untilServerAgrees(decide, (input) => regExps.find(({ regExp }) => regExp.test(input))?.rule.pattern ?? null, [
    ...rules.slice(0, 50).flatMap((rule) => [rule.hit, rule.nearMiss]),
  ]);
  return {
    decide,
    close: async () => {
      await router.close();
      await hone.track.close({ timeoutMs: 1_000 });
    },
  };
}
// ────────────────────────────────────────────────────────────────────────────────────────────────────────────────────

async function storeRules(prisma: PrismaClient, rules: readonly BenchRule[]) {
  await prisma.routingRule.deleteMany();
  // Priorities in list order, so evaluation order is the list's.
  await prisma.routingRule.createMany({
    data: rules.map((rule, i) => ({ pattern: rule.pattern, preferredLayer: 'balanced', priority: rules.length - i })),
  });
  // Written behind the rule store's back: tell this process and the server, as a save would.
  await announceRoutingChange(prisma);
}

/** Every way of deciding must answer the same rule as the plain RegExp loop on every input. */
async function checkAgreement(ways: Record<string, Decide>, expected: (input: string) => string | null, inputs: readonly string[]) {
  for (const input of inputs) {
    const want = expected(input);
    for (const [label, decide] of Object.entries(ways)) {
      const got = await decide(input);
      if (got !== want) throw new Error(`${label} decided ${JSON.stringify(got)} where the RegExp loop decided ${JSON.stringify(want)}`);
    }
  }
}

/** Waits until the server's rule cache has caught up with the stored rules: it then answers like the RegExp loop. */
async function untilServerAgrees(decide: Decide, expected: (input: string) => string | null, inputs: readonly string[]) {
  const deadline = performance.now() + SERVER_CATCH_UP_MS;
  for (;;) {
    try {
      await checkAgreement({ 'POST /tools/resolve_route': decide }, expected, inputs);
      return;
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function benchRuleCount(prisma: PrismaClient, server: HoneServer | null, count: number) {
  const rules = realisticRules(count);
  await storeRules(prisma, rules);
  const inputs = prompts(rules, INPUT_COUNT);

  const naive: Decide = async (input) => {
    const stored = await prisma.routingRule.findMany({ where: { state: 'active' }, orderBy: [...RULE_EVALUATION_ORDER] });
    return stored.find((rule) => jsRegExp(rule.pattern).test(input))?.pattern ?? null;
  };
  const regExps = rules.map((rule) => ({ rule, regExp: jsRegExp(rule.pattern) }));
  const regExpLoop = (input: string) => regExps.find(({ regExp }) => regExp.test(input))?.rule.pattern ?? null;
  const ruleSet = compileRuleSet(rules);
  const engine = (input: string) => ruleSet.firstMatch(input)?.pattern ?? null;
  const serverSet = await activeRuleSet(prisma);
  const workerHop: Decide = async (input) => {
    const match = await serverSet.match(input);
    if ('cutOff' in match) throw new Error(`matching was cut off: ${match.cutOff}`);
    return match.ruleIndex === -1 ? null : serverSet.snapshot.rules[match.ruleIndex]!.pattern;
  };
  const service: Decide = async (input) => (await resolveRoute(prisma, { input, dryRun: false })).pattern;

  const ways: Record<string, Decide> = { engine, workerHop, service, naive };
  await checkAgreement(ways, regExpLoop, inputs);
  const overHttp = server ? httpResolver(server) : null;
  if (overHttp) await untilServerAgrees(overHttp.decide, regExpLoop, inputs);
  const router = server ? await clientRouter(server, rules) : null;
  if (router) await checkAgreement({ 'hone.router()': router.decide }, regExpLoop, inputs);

  const matched = inputs.filter((input) => engine(input) !== null).length;
  console.log(`\n  ${count} rules (${matched} of ${inputs.length} inputs matched by a rule):`);
  try {
    const naiveSamples = await latencies(naive, inputs);
    const naiveP50 = quantile(naiveSamples, 0.5);
    report('naive: read rules from the database, RegExp per rule', count, naiveSamples);
    report('plain loop of precompiled RegExps', count, await latencies(regExpLoop, inputs), naiveP50);
    report("Hone's engine in process (compiled set, main thread)", count, await latencies(engine, inputs), naiveP50);
    if (router) report('hone.router().decide in the gateway (+ reporting)', count, await latencies(router.decide, inputs), naiveP50);
    report('server process: match worker hop', count, await latencies(workerHop, inputs), naiveP50);
    report('server process: resolve_route service (counts the decision)', count, await latencies(service, inputs), naiveP50);
    if (overHttp) report('over HTTP: POST /tools/resolve_route (next start)', count, await latencies(overHttp.decide, inputs), naiveP50);
  } finally {
    overHttp?.close();
    await router?.close();
  }
  return { rules, serverSet };
}

/** Patterns that make a backtracking engine take exponential time; RE2 runs them in linear time. */
const CATASTROPHIC = ['(a+)+$', '(a|aa)+$', '(\\w+\\s?)+$', '^(([a-z])+.)+[A-Z]([a-z])+$', '(.*a){12}'];

async function benchHostile(rules: readonly BenchRule[], serverSet: ActiveRuleSet) {
  const withCatastrophic = [...rules.map((rule) => rule.pattern), ...CATASTROPHIC];
  const hostileSet: RuleSet<{ pattern: string }> = compileRuleSet(withCatastrophic.map((pattern) => ({ pattern })));
  for (const { rule, reason } of hostileSet.unusable) console.log(`    (refused: /${rule.pattern}/ ${reason})`);
  const nearMisses = rules.map((rule) => rule.nearMiss).join(' ');
  const hostile = {
    "'a' x 1,000,000 then '!' (catastrophic backtracking)": `${'a'.repeat(HOSTILE_CHARS - 1)}!`,
    "'implement ' x 100,000 (the spec rule's worst case)": 'implement '.repeat(HOSTILE_CHARS / 10),
    'near-misses of every rule (all literals present, no match)': nearMisses
      .repeat(Math.ceil(HOSTILE_CHARS / nearMisses.length))
      .slice(0, HOSTILE_CHARS),
  };
  console.log(
    `\n  1 MB hostile inputs (rules look at the first 32 KiB): in process ${rules.length} rules and ${CATASTROPHIC.length} catastrophic` +
      ` patterns (${CATASTROPHIC.join('  ')}); through the worker the ${rules.length} rules:`,
  );
  const timed = async (decide: () => unknown) => {
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await decide();
      samples.push(performance.now() - t);
    }
    return samples.sort((a, b) => a - b);
  };
  for (const [label, input] of Object.entries(hostile)) {
    const inProcess = await timed(() => hostileSet.firstMatch(input));
    let cutOff = 0;
    const worker = await timed(async () => {
      if ('cutOff' in (await serverSet.match(input))) cutOff++;
    });
    console.log(
      `    ${label.padEnd(62)} in process median ${ms(quantile(inProcess, 0.5))} ms, max ${ms(inProcess.at(-1)!)} ms;` +
        ` through the worker median ${ms(quantile(worker, 0.5))} ms${cutOff ? ` (${cutOff} of 5 cut off)` : ''}`,
    );
  }
  // For scale: a backtracking RegExp on 24 characters of the first input.
  const t = performance.now();
  new RegExp(CATASTROPHIC[0]!).test(`${'a'.repeat(24)}!`);
  console.log(`    for scale: RegExp /${CATASTROPHIC[0]}/ on 'a' x 24 then '!' takes ${ms(performance.now() - t)} ms`);
}

function printSummary() {
  const ways = [...new Set(summary.map((row) => row.label))];
  console.log('\n  Summary, p50 / p99 in ms (naive p50 / this p50):');
  console.log(`  | | ${RULE_COUNTS.map((count) => `${count.toLocaleString('en')} rules`).join(' | ')} |`);
  console.log(`  | --- | ${RULE_COUNTS.map(() => '---').join(' | ')} |`);
  for (const label of ways) {
    const cells = RULE_COUNTS.map((count) => {
      const row = summary.find((r) => r.label === label && r.count === count);
      if (!row) return '';
      return `${ms(row.p50)} / ${ms(row.p99)}${row.ratio === undefined ? '' : ` (${times(row.ratio)})`}`;
    });
    console.log(`  | ${label} | ${cells.join(' | ')} |`);
  }
}

/** The compile path's cost, for the record: what a rule change costs a router or the server. */
function reportCompileTime(rules: readonly BenchRule[]) {
  const t = performance.now();
  compileRuleSet(rules);
  const all = performance.now() - t;
  const u = performance.now();
  for (const rule of rules) compilePattern(rule.pattern);
  console.log(`\n  compiling ${rules.length} rules: ${ms(all)} ms as a set (${ms(performance.now() - u)} ms of it one by one)`);
}

/** Garbage collections (count and pause time) while `during` runs. */
async function collections<T>(during: () => Promise<T>): Promise<{ result: T; count: number; ms: number }> {
  let count = 0;
  let ms = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      count++;
      ms += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const result = await during();
  // GC entries are delivered asynchronously: let them arrive before counting.
  await new Promise((resolve) => setTimeout(resolve, 20));
  observer.disconnect();
  return { result, count, ms };
}

/**
 * CPU time of one decision per input, in microseconds, sorted: per input, the median of ENGINE_CPU_BLOCKS blocks of
 * ENGINE_CPU_RUNS / ENGINE_CPU_BLOCKS runs, since process.cpuUsage also counts V8's compiler and GC threads.
 */
function cpuPerInput(decide: (input: string) => unknown, inputs: readonly string[]): number[] {
  const runs = ENGINE_CPU_RUNS / ENGINE_CPU_BLOCKS;
  return inputs
    .map((input) => {
      const blocks = Array.from({ length: ENGINE_CPU_BLOCKS }, () => {
        const before = process.cpuUsage();
        for (let i = 0; i < runs; i++) decide(input);
        const { user, system } = process.cpuUsage(before);
        return (user + system) / runs;
      }).sort((a, b) => a - b);
      return quantile(blocks, 0.5);
    })
    .sort((a, b) => a - b);
}

/** --only=engine: the RegExp loop and Hone's engine in process, with the engine's CPU time per decision. */
async function benchEngine(count: number) {
  const rules = realisticRules(count);
  const inputs = prompts(rules, INPUT_COUNT);
  const regExps = rules.map((rule) => ({ rule, regExp: jsRegExp(rule.pattern) }));
  const regExpLoop = (input: string) => regExps.find(({ regExp }) => regExp.test(input))?.rule.pattern ?? null;
  const ruleSet = compileRuleSet(rules);
  const engine = (input: string) => ruleSet.firstMatch(input)?.pattern ?? null;
  const checked = [...inputs, ...rules.flatMap((rule) => [rule.hit, rule.nearMiss, `${rule.nearMiss}${rule.hit}`])];
  await checkAgreement({ engine }, regExpLoop, checked);
  const matched = inputs.filter((input) => engine(input) !== null).length;
  console.log(`\n  ${count} rules (${matched} of ${inputs.length} inputs matched by a rule):`);
  const regExpSamples = await latencies(regExpLoop, inputs);
  report('plain loop of precompiled RegExps', count, regExpSamples);
  const { result, count: gcs, ms: gcMs } = await collections(() => latencies(engine, inputs));
  report("Hone's engine in process (compiled set, main thread)", count, result);
  const cpu = cpuPerInput(engine, inputs);
  const mean = cpu.reduce((sum, us) => sum + us, 0) / cpu.length;
  const us = (value: number) => value.toFixed(1);
  console.log(
    `    engine CPU time per decision over ${inputs.length} inputs (median of ${ENGINE_CPU_BLOCKS} blocks of ${ENGINE_CPU_RUNS / ENGINE_CPU_BLOCKS} runs each), µs: mean ${us(mean)},` +
      ` median ${us(quantile(cpu, 0.5))}, p99 ${us(quantile(cpu, 0.99))}, slowest input ${us(cpu.at(-1)!)};` +
      ` ${gcs} garbage collections (${gcMs.toFixed(1)} ms) in its ${result.length} timed decisions`,
  );
}

export async function run(options: SuiteOptions = {}): Promise<void> {
  if (options.only !== undefined && options.only !== 'engine') throw new Error(`--only is engine, not ${options.only}`);
  if (options.only === 'engine') {
    console.log('\nRouting decisions in process (--only=engine: no database, no server):');
    for (const count of RULE_COUNTS) await benchEngine(count);
    printSummary();
    return;
  }
  console.log('\nRouting decisions (PostgreSQL server for the database rows; PGlite in memory when it cannot be reached):');
  let db: ServerDatabase;
  let server: HoneServer | null = null;
  try {
    db = await createServerDatabase('postgres');
    buildOnce();
    server = await startHoneServer({ env: db.env });
  } catch (error) {
    console.log(`  PostgreSQL or next start unavailable (${(error as Error).message.split('\n')[0]}): PGlite in memory, no HTTP row`);
    db = await createServerDatabase('pglite');
  }
  try {
    await db.withPrisma(async (prisma) => {
      let largest: Awaited<ReturnType<typeof benchRuleCount>> | undefined;
      for (const count of RULE_COUNTS) largest = await benchRuleCount(prisma, server, count);
      reportCompileTime(largest!.rules);
      await benchHostile(largest!.rules, largest!.serverSet);
    });
    printSummary();
  } finally {
    await server?.stop();
    await db.drop();
  }
}
