/**
 * Compiling a routing pattern: translation of JavaScript syntax, RE2's own refusals and Hone's cost bounds.
 *
 * Plain JavaScript on purpose, so that one copy serves every place a pattern is compiled: `matcher.ts` (the schema,
 * the dashboard's form in the browser, a gateway-side router) imports it with the types of `pattern-compiler.d.mts`,
 * and the match worker (`match-worker.mjs`, run by Node as is, outside any bundle) imports it directly.
 * It imports nothing but `re2js` and has no side effects.
 */
import { RE2JS, RE2Set } from 're2js';

/** Rules look at this many leading characters of the input: a bound on matching cost per request. */
export const MATCHED_INPUT_CHARS = 32_768;

/**
 * Matching is linear in the input, but the constant grows with the pattern. re2js first runs a lazy DFA with an
 * 8 MiB state budget; when an input makes it build too many states it falls back to the NFA, which runs every live
 * thread over every character. Threads stay alive in two shapes:
 * - loops (`*`, `+`, `{n,}`): measured at 32 KiB on a busy 2-core machine, 100 loops (`.*a` written 100 times, or
 *   `(.*a){100}`) take 25–60 ms, 333 take 250 ms;
 * - character-class or any-character steps in sequence (`\p{L}{100}`, `[a-z]{50}`, `.{64}`, a `(?i)` literal, whose
 *   letters are two-letter classes): a thread started at every position lives as long as the classes keep matching.
 *   Measured in-process on 'ab' x 16,384: `\p{L}{1000}\p{N}` 2.4 s (the DFA gives up), `[a-z]{1000}\d` 180 ms;
 *   with the DFA defeated (random a/b input, or the NFA forced) `[ab]*a[ab]{15}\d` 190 ms, `[ab]*a[ab]{31}\d`
 *   230 ms, `[ab]*a[ab]{62}\d` 350 ms, `\p{L}{128}\p{N}` 370 ms, while `(?i)implement.*algorithm` (18 steps) takes
 *   3 ms and `.*implement.*algorithm.*` (literals: re2js finds them by search) under 1 ms.
 *   Cost is roughly 150 ms plus 3 ms per step at 32 KiB in the worst case, so 64 steps keep one rule near a third of
 *   a second at worst and leave room for case-insensitive phrases of 64 letters. Plain literal characters are not
 *   counted: their threads die at the first character that differs, unless the input repeats the literal, and the
 *   server's match worker cuts off whatever is still slow (see match-worker-pool.ts).
 * The program size is bounded too (a literal of the 1,000 characters a pattern may have compiles to 1,002 instructions).
 */
export const MAX_PROGRAM_SIZE = 1_100;
export const MAX_LOOPS = 50;
export const MAX_SEQUENTIAL_CLASS_STEPS = 64;

// re2js instruction opcodes (src/Inst.js).
const OP_ALT = 1;
const OP_ALT_MATCH = 2;
const OP_FAIL = 5;
const OP_MATCH = 6;
const OP_RUNE = 8; // a class, or a single letter matched case-insensitively
const OP_RUNE_ANY = 10;
const OP_RUNE_ANY_NOT_NL = 11;

/**
 * Counts, in a compiled program, the loops (branch instructions on a cycle) and the character-class steps that are
 * not on a cycle, using Tarjan's strongly connected components.
 * @param {readonly { op: number, out: number, arg: number }[]} instructions
 * @returns {{ loops: number, sequentialClassSteps: number }}
 */
function analyzeProgram(instructions) {
  const successors = (pc) => {
    const { op, out, arg } = instructions[pc];
    if (op === OP_ALT || op === OP_ALT_MATCH) return [out, arg];
    return op === OP_FAIL || op === OP_MATCH ? [] : [out];
  };
  const index = new Array(instructions.length).fill(-1);
  const lowLink = new Array(instructions.length).fill(0);
  const onStack = new Array(instructions.length).fill(false);
  const onCycle = new Array(instructions.length).fill(false);
  const stack = [];
  let nextIndex = 0;
  const visit = (pc) => {
    index[pc] = lowLink[pc] = nextIndex++;
    stack.push(pc);
    onStack[pc] = true;
    let selfLoop = false;
    for (const next of successors(pc)) {
      if (next === pc) selfLoop = true;
      if (index[next] === -1) {
        visit(next);
        lowLink[pc] = Math.min(lowLink[pc], lowLink[next]);
      } else if (onStack[next]) lowLink[pc] = Math.min(lowLink[pc], index[next]);
    }
    if (lowLink[pc] !== index[pc]) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack[member] = false;
      component.push(member);
    } while (member !== pc);
    if (component.length > 1 || selfLoop) for (const m of component) onCycle[m] = true;
  };
  for (let pc = 0; pc < instructions.length; pc++) if (index[pc] === -1) visit(pc);
  let loops = 0;
  let sequentialClassSteps = 0;
  instructions.forEach(({ op }, pc) => {
    if (onCycle[pc] && (op === OP_ALT || op === OP_ALT_MATCH)) loops++;
    if (!onCycle[pc] && (op === OP_RUNE || op === OP_RUNE_ANY || op === OP_RUNE_ANY_NOT_NL)) sequentialClassSteps++;
  });
  return { loops, sequentialClassSteps };
}

/** re2js syntax tree operators (src/Regexp.js, Regexp.Op), which re2js does not export. */
export const SYNTAX_OP = Object.freeze({
  NO_MATCH: 0,
  EMPTY_MATCH: 1,
  LITERAL: 2,
  CHAR_CLASS: 3,
  ANY_CHAR_NOT_NL: 4,
  ANY_CHAR: 5,
  BEGIN_LINE: 6,
  END_LINE: 7,
  BEGIN_TEXT: 8,
  END_TEXT: 9,
  WORD_BOUNDARY: 10,
  NO_WORD_BOUNDARY: 11,
  CAPTURE: 12,
  STAR: 13,
  PLUS: 14,
  QUEST: 15,
  REPEAT: 16,
  CONCAT: 17,
  ALTERNATE: 18,
});
const { LITERAL, CAPTURE, PLUS, REPEAT, CONCAT, ALTERNATE } = SYNTAX_OP;
/** The case-folding flag of a syntax tree node (src/RE2Flags.js). */
export const FOLD_CASE = 1;

/**
 * The simplified syntax tree re2js compiles a (translated) pattern from. re2js exports no parser, but RE2Set keeps the
 * tree of each pattern added to it, parsed with the flags RE2JS.compile uses.
 * @param {string} translated
 */
function syntaxTree(translated) {
  const set = new RE2Set();
  set.add(translated);
  return set.regexps[0];
}

/** Whether a code point cannot take part in a UTF-16 substring search that stands for it: U+FFFD or a surrogate. */
const unsearchable = (codePoint) => codePoint === 0xfffd || (codePoint >= 0xd800 && codePoint <= 0xdfff);

/**
 * The literals a match requires, read from the syntax tree (null: none could be shown). Conservative: a part that
 * could match without a literal (a class, an optional or starred part, an alternation with such a branch) requires
 * nothing, and a sequence requires what each of its parts requires. A case-insensitive literal counts only when it
 * is ASCII: it is then found in the input folded by `foldedForLiterals`.
 * @returns {import('./pattern-compiler.d.mts').RequiredLiterals | null}
 */
function requiredLiterals(node) {
  switch (node.op) {
    case LITERAL: {
      const codePoints = Array.from(node.runes);
      if (codePoints.length === 0 || codePoints.some(unsearchable)) return null;
      const text = String.fromCodePoint(...codePoints);
      if ((node.flags & FOLD_CASE) === 0) return { literal: text };
      return codePoints.every((codePoint) => codePoint < 0x80) ? { literal: text.toLowerCase(), caseInsensitive: true } : null;
    }
    case CAPTURE:
    case PLUS:
      return requiredLiterals(node.subs[0]);
    case REPEAT:
      return node.min >= 1 ? requiredLiterals(node.subs[0]) : null;
    case CONCAT: {
      const required = node.subs.map(requiredLiterals).filter((part) => part !== null);
      if (required.length === 0) return null;
      return required.length === 1 ? required[0] : { allOf: required };
    }
    case ALTERNATE: {
      const alternatives = node.subs.map(requiredLiterals);
      return alternatives.includes(null) ? null : { anyOf: alternatives };
    }
    default:
      return null;
  }
}

/**
 * The input as case-insensitive ASCII literals are searched in: every character a case-insensitive ASCII letter
 * matches (RE2's simple case folding: A-Z, a-z, and U+212A KELVIN SIGN for k, U+017F LONG S for s) becomes the lower
 * case letter; other characters may change too (toLowerCase), but never into a run that was not there for a literal.
 * @param {string} input
 */
export function foldedForLiterals(input) {
  return input.toLowerCase().replaceAll('\u017f', 's');
}

/** Why RE2 refused a pattern, said in terms of what the author wrote. */
function explainRefusal(pattern, engineMessage) {
  // Invalid in JavaScript too: say so plainly. Compiling a JS RegExp never runs it, so this cannot be slow.
  try {
    new RegExp(pattern);
  } catch (error) {
    return `is not a valid regular expression: ${error.message}`;
  }
  const why = (hint) => `${hint} (RE2: ${engineMessage})`;
  if (/`\(\?<?[=!]/.test(engineMessage)) {
    return why(
      'uses lookaround ((?=, (?!, (?<=, (?<!), which the linear-time matcher cannot run; match the words in order instead, e.g. a.*b|b.*a',
    );
  }
  if (/invalid escape sequence: `\\[1-9]/.test(engineMessage)) return why('uses a backreference, which the linear-time matcher cannot run');
  if (/invalid repeat count/.test(engineMessage))
    return why('repeats too much: counted repetitions may total at most 1,000 (nested counts multiply)');
  return why('is not a pattern the linear-time matcher can run');
}

/** Whether the pattern has `\k<name>` outside an escape: a JS named backreference, which the translation would turn into a literal. */
function hasNamedBackreference(pattern) {
  for (let i = 0; i < pattern.length - 2; i++) {
    if (pattern[i] !== '\\') continue;
    if (pattern[i + 1] === 'k' && pattern[i + 2] === '<') return true;
    i++; // skip the escaped character, so `\\k<` stays a literal backslash followed by k
  }
  return false;
}

/** The part of an input that rules look at. */
export function boundedInput(input) {
  return input.length > MATCHED_INPUT_CHARS ? input.slice(0, MATCHED_INPUT_CHARS) : input;
}

const tooComplex = (what) => ({
  ok: false,
  reason: `is too complex for fast matching: ${what}; use fewer repetitions or a shorter pattern`,
});
const count = (n) => n.toLocaleString('en');

/** Compiles a pattern, or says why it cannot be used. Never throws for a bad pattern. */
export function compilePattern(pattern) {
  if (hasNamedBackreference(pattern))
    return { ok: false, reason: 'uses a backreference (\\k<name>), which the linear-time matcher cannot run' };
  let regex;
  let translated;
  try {
    translated = RE2JS.translateRegExp(pattern);
    regex = RE2JS.compile(translated);
  } catch (error) {
    return { ok: false, reason: explainRefusal(pattern, error instanceof Error ? error.message : String(error)) };
  }
  const size = regex.programSize();
  if (size > MAX_PROGRAM_SIZE)
    return tooComplex(`it compiles to ${count(size)} instructions, more than the ${count(MAX_PROGRAM_SIZE)} allowed`);
  const { loops, sequentialClassSteps } = analyzeProgram(regex.re2().prog.inst);
  if (loops > MAX_LOOPS)
    return tooComplex(`it has ${loops} loops (*, +, {n,}, counting each repetition of a group), more than the ${MAX_LOOPS} allowed`);
  if (sequentialClassSteps > MAX_SEQUENTIAL_CLASS_STEPS) {
    return tooComplex(
      `it has ${count(sequentialClassSteps)} character-class steps in sequence, more than the ${MAX_SEQUENTIAL_CLASS_STEPS} allowed ` +
        '(each [a-z], \\p{L}, \\d, . or letter matched case-insensitively outside *, + or {n,} is a step; {n} repeats it n times)',
    );
  }
  const tree = syntaxTree(translated);
  return {
    ok: true,
    compiled: { pattern, requiredLiterals: requiredLiterals(tree), syntaxTree: tree, test: (input) => regex.test(boundedInput(input)) },
  };
}
