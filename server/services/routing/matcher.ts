/**
 * The routing matcher: compiles rule patterns and finds the first rule that matches an input.
 *
 * Pure on purpose: no database, no server imports, no process flags. The schema (and so the dashboard's
 * form in the browser) validates patterns with it, and a gateway-side router can run the same code.
 *
 * Patterns run on RE2 (re2js, a pure-JS port), whose matching time is linear in the input whatever the
 * pattern: no lookaround, no backreferences, counted repetitions bounded. JavaScript syntax that RE2 spells
 * differently (`(?<name>…)`, `\u0041`, `\cJ`, `[^]`) is translated first, so the common JS syntax keeps its meaning
 * (matcher.unit.test.ts compares the two). Corners differ: `\s` is ASCII whitespace only, `.` excludes only `\n` and
 * takes a whole code point, and `(?i)` is accepted. Since only the first MATCHED_INPUT_CHARS are matched, `$` also
 * matches at that cut.
 */
import { RE2JS } from 're2js';

/** Rules look at this many leading characters of the input: a bound on matching cost per request. */
export const MATCHED_INPUT_CHARS = 32_768;

/**
 * Matching is linear in the input, but the constant grows with the pattern: when RE2's DFA gives up, its NFA
 * runs every live thread over every character, and threads stay alive in loops (`*`, `+`, `{n,}`). Measured at
 * 32 KiB on a busy 2-core machine: 100 loops (`.*a` written 100 times, or `(.*a){100}`) take 25–60 ms, 333 take
 * 250 ms; literals, alternations and bounded repetitions cost little. So loops are bounded, and the program size
 * too (a literal of the 1,000 characters a pattern may have compiles to 1,002 instructions).
 */
export const MAX_PROGRAM_SIZE = 1_100;
export const MAX_LOOPS = 50;

// re2js instruction opcodes (src/Inst.js): the branch instructions, and those that end a thread.
const OP_ALT = 1;
const OP_ALT_MATCH = 2;
const OP_FAIL = 5;
const OP_MATCH = 6;

interface ProgramInstruction {
  op: number;
  out: number;
  arg: number;
}

/** Branch instructions that lie on a cycle of the compiled program: one per loop (Tarjan's strongly connected components). */
function countLoops(instructions: readonly ProgramInstruction[]): number {
  const successors = (pc: number): number[] => {
    const { op, out, arg } = instructions[pc]!;
    if (op === OP_ALT || op === OP_ALT_MATCH) return [out, arg];
    return op === OP_FAIL || op === OP_MATCH ? [] : [out];
  };
  const index = new Array<number>(instructions.length).fill(-1);
  const lowLink = new Array<number>(instructions.length).fill(0);
  const onStack = new Array<boolean>(instructions.length).fill(false);
  const stack: number[] = [];
  let nextIndex = 0;
  let loops = 0;
  const visit = (pc: number): void => {
    index[pc] = lowLink[pc] = nextIndex++;
    stack.push(pc);
    onStack[pc] = true;
    let selfLoop = false;
    for (const next of successors(pc)) {
      if (next === pc) selfLoop = true;
      if (index[next] === -1) {
        visit(next);
        lowLink[pc] = Math.min(lowLink[pc]!, lowLink[next]!);
      } else if (onStack[next]) lowLink[pc] = Math.min(lowLink[pc]!, index[next]!);
    }
    if (lowLink[pc] !== index[pc]) return;
    const component: number[] = [];
    let member: number;
    do {
      member = stack.pop()!;
      onStack[member] = false;
      component.push(member);
    } while (member !== pc);
    if (component.length > 1 || selfLoop) loops += component.filter((m) => instructions[m]!.op === OP_ALT || instructions[m]!.op === OP_ALT_MATCH).length;
  };
  for (let pc = 0; pc < instructions.length; pc++) if (index[pc] === -1) visit(pc);
  return loops;
}

export interface CompiledPattern {
  readonly pattern: string;
  /** Whether the pattern matches anywhere in the first MATCHED_INPUT_CHARS characters of the input. */
  test(input: string): boolean;
}

export type PatternCompilation = { ok: true; compiled: CompiledPattern } | { ok: false; reason: string };

/** Why RE2 refused a pattern, said in terms of what the author wrote. */
function explainRefusal(pattern: string, engineMessage: string): string {
  // Invalid in JavaScript too: say so plainly. Compiling a JS RegExp never runs it, so this cannot be slow.
  try {
    new RegExp(pattern);
  } catch (error) {
    return `is not a valid regular expression: ${(error as Error).message}`;
  }
  const why = (hint: string) => `${hint} (RE2: ${engineMessage})`;
  if (/`\(\?<?[=!]/.test(engineMessage)) {
    return why('uses lookaround ((?=, (?!, (?<=, (?<!), which the linear-time matcher cannot run; match the words in order instead, e.g. a.*b|b.*a');
  }
  if (/invalid escape sequence: `\\[1-9]/.test(engineMessage)) return why('uses a backreference, which the linear-time matcher cannot run');
  if (/invalid repeat count/.test(engineMessage)) return why('repeats too much: counted repetitions may total at most 1,000 (nested counts multiply)');
  return why('is not a pattern the linear-time matcher can run');
}

/** Whether the pattern has `\k<name>` outside an escape: a JS named backreference, which the translation would turn into a literal. */
function hasNamedBackreference(pattern: string): boolean {
  for (let i = 0; i < pattern.length - 2; i++) {
    if (pattern[i] !== '\\') continue;
    if (pattern[i + 1] === 'k' && pattern[i + 2] === '<') return true;
    i++; // skip the escaped character, so `\\k<` stays a literal backslash followed by k
  }
  return false;
}

/** Compiles a pattern, or says why it cannot be used. Never throws for a bad pattern. */
export function compilePattern(pattern: string): PatternCompilation {
  if (hasNamedBackreference(pattern)) return { ok: false, reason: 'uses a backreference (\\k<name>), which the linear-time matcher cannot run' };
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(RE2JS.translateRegExp(pattern));
  } catch (error) {
    return { ok: false, reason: explainRefusal(pattern, error instanceof Error ? error.message : String(error)) };
  }
  const tooComplex = (what: string) => ({
    ok: false as const,
    reason: `is too complex for fast matching: ${what}; use fewer repetitions or a shorter pattern`,
  });
  const size = regex.programSize();
  if (size > MAX_PROGRAM_SIZE) {
    return tooComplex(`it compiles to ${size.toLocaleString('en')} instructions, more than the ${MAX_PROGRAM_SIZE.toLocaleString('en')} allowed`);
  }
  const loops = countLoops(regex.re2().prog.inst as ProgramInstruction[]);
  if (loops > MAX_LOOPS) return tooComplex(`it has ${loops} loops (*, +, {n,}, counting each repetition of a group), more than the ${MAX_LOOPS} allowed`);
  return {
    ok: true,
    compiled: {
      pattern,
      test: (input) => regex.test(input.length > MATCHED_INPUT_CHARS ? input.slice(0, MATCHED_INPUT_CHARS) : input),
    },
  };
}

/** The reason a pattern cannot be used, or null when it can. */
export function patternProblem(pattern: string): string | null {
  const compilation = compilePattern(pattern);
  return compilation.ok ? null : compilation.reason;
}

export interface MatchableRule {
  readonly pattern: string;
}

export interface UnusableRule<Rule extends MatchableRule> {
  rule: Rule;
  reason: string;
}

/**
 * Rules compiled once, kept in evaluation order. Callers ask only for the first match, so a later prefilter
 * (skipping rules whose required literals are absent from the input) can be added here without changing them.
 */
export interface RuleSet<Rule extends MatchableRule> {
  /** The first rule, in the order given, whose pattern matches the input; null when none does. */
  firstMatch(input: string): Rule | null;
  /** Rules left out because their pattern cannot be compiled (stored before a stricter check, or edited behind Hone's back). */
  readonly unusable: readonly UnusableRule<Rule>[];
}

/** Compiles rules given in evaluation order. A rule that does not compile is left out and listed, never thrown. */
export function compileRuleSet<Rule extends MatchableRule>(rulesInOrder: readonly Rule[]): RuleSet<Rule> {
  const usable: { rule: Rule; compiled: CompiledPattern }[] = [];
  const unusable: UnusableRule<Rule>[] = [];
  for (const rule of rulesInOrder) {
    const compilation = compilePattern(rule.pattern);
    if (compilation.ok) usable.push({ rule, compiled: compilation.compiled });
    else unusable.push({ rule, reason: compilation.reason });
  }
  return {
    unusable,
    firstMatch(input) {
      const bounded = input.length > MATCHED_INPUT_CHARS ? input.slice(0, MATCHED_INPUT_CHARS) : input;
      for (const { rule, compiled } of usable) if (compiled.test(bounded)) return rule;
      return null;
    },
  };
}
