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
import { compilePattern, compilePatternSet } from './engine';

// Compiling lives in a plain JavaScript module (the engine, shared with the client package) so that the server's match
// worker runs the very same code.
export {
  boundedInput,
  compilePattern,
  compilePatternSet,
  MATCHED_INPUT_CHARS,
  MAX_LOOPS,
  MAX_PROGRAM_SIZE,
  MAX_SEQUENTIAL_CLASS_STEPS,
  type CompiledPattern,
  type CompiledPatternSet,
  type PatternCompilation,
  type RequiredLiterals,
} from './engine';

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
 * Rules compiled once, kept in evaluation order. A decision runs only the rules whose required literals occur in the
 * input (and those that require none): see packages/client/src/routing/pattern-set.js.
 */
export interface RuleSet<Rule extends MatchableRule> {
  /** The first rule, in the order given, whose pattern matches the input; null when none does. */
  firstMatch(input: string): Rule | null;
  /** Rules left out because their pattern cannot be compiled (stored before a stricter check, or edited behind Hone's back). */
  readonly unusable: readonly UnusableRule<Rule>[];
}

/** Compiles rules given in evaluation order. A rule that does not compile is left out and listed, never thrown. */
export function compileRuleSet<Rule extends MatchableRule>(rulesInOrder: readonly Rule[]): RuleSet<Rule> {
  const patterns = compilePatternSet(rulesInOrder.map((rule) => rule.pattern));
  return {
    unusable: patterns.unusable.map(({ index, reason }) => ({ rule: rulesInOrder[index]!, reason })),
    firstMatch(input) {
      const index = patterns.firstMatchIndex(input);
      return index === -1 ? null : rulesInOrder[index]!;
    },
  };
}
