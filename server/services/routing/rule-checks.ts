/**
 * Rule checks: what can be shown to be wrong with a set of routing rules before (or after) they ship.
 *
 * Pure (no database, no server imports), so it runs wherever the rules and some inputs are at hand. Matching uses the
 * engine's own compiled patterns (RE2, linear in the input), and the work is bounded: samples are capped in number and
 * length, example inputs are capped per rule, and a time budget stops the pairwise checks on a huge rule set (the
 * report then says it is incomplete rather than running on).
 *
 * "Never fires" and "overlap" are shown, not proven: the inputs tried are the decision samples and example inputs
 * built from each rule's own pattern (witnesses.ts). An input that escapes every higher rule clears a rule; a rule
 * whose every tried input is taken earlier is reported with the counts, so the reader can judge the evidence.
 */
import { CHECK_CORPUS } from './check-corpus';
import { compilePattern, compilePatternSet, type CompiledPattern, type RequiredLiterals } from './matcher';
import { foldedForLiterals } from './pattern-compiler.mjs';
import { witnessesOf } from './witnesses';

export type CheckedRuleState = 'active' | 'shadow' | 'inactive';

/** A rule as the checks see it. `id` 0 stands for an unsaved rule (UNSAVED_RULE_ID). */
export interface CheckedRule {
  id: number;
  pattern: string;
  priority: number;
  state: CheckedRuleState;
  layer: string;
  model: string | null;
}

/** The id a rule that is not saved yet is checked under: database ids start at 1. */
export const UNSAVED_RULE_ID = 0;

export const RULE_WARNING_KINDS = ['unusable', 'never_fires', 'overlap', 'matches_empty', 'matches_almost_everything'] as const;
export type RuleWarningKind = (typeof RULE_WARNING_KINDS)[number];

/** Counts of tried inputs a rule matches, and how many of those a higher-ranked active rule takes first. */
export interface TriedInputs {
  matched: number;
  takenEarlier: number;
}

export interface RuleWarningEvidence {
  /** unusable: why the engine refuses the pattern. */
  reason?: string;
  /** never_fires: the active rules that take its inputs first; overlap: the equal-priority rule ranked ahead of it. */
  otherRuleIds?: number[];
  /** never_fires: over the stored decision samples. */
  samples?: TriedInputs;
  /** never_fires: over the example inputs built from the rule's own pattern. */
  witnesses?: TriedInputs;
  /** A few of the inputs the warning is about (each cut to EXAMPLE_CHARS). */
  examples?: string[];
  /** matches_almost_everything: how many inputs of which set it matched. */
  share?: { matched: number; of: number; basis: 'samples' | 'corpus' };
}

export interface RuleWarning {
  /** The rule the warning is about (UNSAVED_RULE_ID for the rule being written). */
  ruleId: number;
  kind: RuleWarningKind;
  message: string;
  evidence: RuleWarningEvidence;
}

export interface RuleCheckOptions {
  /** never_fires is reported only when at least this many tried inputs (samples and witnesses) match the rule. */
  minEvidence: number;
  /** matches_almost_everything: the share of inputs (0..1) from which a pattern counts as matching almost everything. */
  almostEverythingShare: number;
  /** With fewer samples than this, the built-in corpus stands in for them when judging how much a pattern matches. */
  minSamplesForShare: number;
  maxSamples: number;
  maxWitnessesPerRule: number;
  /** Samples are cut to this many characters: a bound on the cost of each of the many matches the checks run. */
  maxInputChars: number;
  /** Pairwise checks stop once this much time has passed; the report then says it is incomplete. */
  budgetMs: number;
  /** Only the warnings that can concern this rule are computed (the save path's check). */
  focusRuleId?: number;
}

export const DEFAULT_RULE_CHECK_OPTIONS: Readonly<RuleCheckOptions> = {
  minEvidence: 3,
  almostEverythingShare: 0.9,
  minSamplesForShare: 20,
  maxSamples: 500,
  maxWitnessesPerRule: 16,
  maxInputChars: 4_096,
  budgetMs: 3_000,
};

export interface RuleCheckReport {
  warnings: RuleWarning[];
  checked: {
    rules: number;
    samples: number;
    witnesses: number;
    /** Whether matches_almost_everything was judged on the built-in corpus (too few samples). */
    corpusUsed: boolean;
    /** False when the time budget ran out before every check ran. */
    complete: boolean;
  };
}

const EXAMPLE_CHARS = 200;
const MAX_EXAMPLES = 3;

/** An input tried by the checks, with what is computed about it at most once. */
interface TriedInput {
  readonly text: string;
  folded?: string;
  /** Position in evaluation order of the first active rule matching it, -1 for none. */
  firstActive?: number;
}

interface UsableRule {
  readonly rule: CheckedRule;
  readonly position: number;
  readonly compiled: CompiledPattern;
  /** Indexes of the samples it matches, computed on first use. */
  samplesMatched?: number[];
  witnesses?: TriedInput[];
}

function holds(required: RequiredLiterals, input: TriedInput): boolean {
  if ('literal' in required) {
    if (!required.caseInsensitive) return input.text.includes(required.literal);
    input.folded ??= foldedForLiterals(input.text);
    return input.folded.includes(required.literal);
  }
  return 'allOf' in required ? required.allOf.every((part) => holds(part, input)) : required.anyOf.some((part) => holds(part, input));
}

/** Whether the rule matches: its required literals are looked for first, which settles most non-matches cheaply. */
const matches = (entry: UsableRule, input: TriedInput) =>
  (entry.compiled.requiredLiterals === null || holds(entry.compiled.requiredLiterals, input)) && entry.compiled.test(input.text);

const example = (text: string) => (text.length > EXAMPLE_CHARS ? `${text.slice(0, EXAMPLE_CHARS)}…` : text);
const ruleName = (id: number) => (id === UNSAVED_RULE_ID ? 'the rule being written' : `rule #${id}`);
const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const listOfRules = (ids: readonly number[]) =>
  ids.length === 1 ? ruleName(ids[0]!) : `${ids.slice(0, -1).map(ruleName).join(', ')} and ${ruleName(ids.at(-1)!)}`;
const live = (rule: CheckedRule) => rule.state !== 'inactive';
const percent = (share: number) => `${Math.floor(share * 1000) / 10}%`;

/**
 * Checks rules given in evaluation order (priority descending, most recently updated first, then id) against sample
 * inputs (most recent decision inputs). Never throws for a bad pattern: it is a warning.
 */
export function checkRoutingRuleSet(
  rulesInOrder: readonly CheckedRule[],
  sampleInputs: readonly string[],
  options: Partial<RuleCheckOptions> = {},
): RuleCheckReport {
  const settings = { ...DEFAULT_RULE_CHECK_OPTIONS, ...options };
  const startedAt = performance.now();
  const withinBudget = () => performance.now() - startedAt <= settings.budgetMs;
  const focus = settings.focusRuleId;
  const concernsFocus = (...ids: number[]) => focus === undefined || ids.includes(focus);
  const warnings: RuleWarning[] = [];
  let complete = true;
  let witnessCount = 0;

  const samples: TriedInput[] = sampleInputs
    .slice(0, settings.maxSamples)
    .map((text) => ({ text: text.length > settings.maxInputChars ? text.slice(0, settings.maxInputChars) : text }));

  const usable: UsableRule[] = [];
  rulesInOrder.forEach((rule, position) => {
    const compilation = compilePattern(rule.pattern);
    if (compilation.ok) usable.push({ rule, position, compiled: compilation.compiled });
    else if (concernsFocus(rule.id)) {
      warnings.push({
        ruleId: rule.id,
        kind: 'unusable',
        message: `${capitalized(ruleName(rule.id))}'s pattern /${rule.pattern}/ ${compilation.reason}; the engine skips the rule.`,
        evidence: { reason: compilation.reason },
      });
    }
  });

  const activeRules = usable.filter((entry) => entry.rule.state === 'active');
  const activeSet = compilePatternSet(activeRules.map((entry) => entry.rule.pattern));
  const firstActive = (input: TriedInput) => {
    if (input.firstActive === undefined) {
      const index = activeSet.firstMatchIndex(input.text);
      input.firstActive = index === -1 ? -1 : activeRules[index]!.position;
    }
    return input.firstActive;
  };
  const samplesMatchedBy = (entry: UsableRule) =>
    (entry.samplesMatched ??= samples.flatMap((sample, index) => (matches(entry, sample) ? [index] : [])));
  const witnessesFor = (entry: UsableRule) => {
    if (!entry.witnesses) {
      entry.witnesses = witnessesOf(entry.compiled, settings.maxWitnessesPerRule).map((text) => ({ text }));
      witnessCount += entry.witnesses.length;
    }
    return entry.witnesses;
  };

  // What a pattern matches on its own.
  const corpusUsed = samples.length < settings.minSamplesForShare;
  const shareBasis: TriedInput[] = corpusUsed ? CHECK_CORPUS.map((text) => ({ text })) : samples;
  for (const entry of usable) {
    if (!concernsFocus(entry.rule.id)) continue;
    const { id, pattern } = entry.rule;
    if (entry.compiled.test('')) {
      warnings.push({
        ruleId: id,
        kind: 'matches_empty',
        message: `${capitalized(ruleName(id))}'s pattern /${pattern}/ matches the empty string: it requires nothing of an input where it matches.`,
        evidence: { examples: [''] },
      });
    }
    const matched = shareBasis.filter((input) => matches(entry, input));
    const share = matched.length / shareBasis.length;
    if (share >= settings.almostEverythingShare) {
      const basis = corpusUsed ? 'corpus' : 'samples';
      warnings.push({
        ruleId: id,
        kind: 'matches_almost_everything',
        message:
          `${capitalized(ruleName(id))}'s pattern /${pattern}/ matches ${percent(share)} of ` +
          `${corpusUsed ? `${shareBasis.length} varied example requests (too few decision samples are stored)` : `the ${shareBasis.length} most recent decision samples`}: ` +
          'it takes nearly every request from the rules ranked after it and from the default layer.',
        evidence: { share: { matched: matched.length, of: shareBasis.length, basis } },
      });
    }
  }

  // Rules every tried input of which a higher-ranked active rule takes first.
  const neverFires = new Map<number, number[]>();
  const focusPosition = usable.find((entry) => entry.rule.id === focus)?.position;
  for (const entry of usable) {
    if (!live(entry.rule) || (focusPosition !== undefined && entry.position < focusPosition)) continue;
    if (!withinBudget()) {
      complete = false;
      break;
    }
    const takenEarlier = (input: TriedInput) => {
      const first = firstActive(input);
      return first !== -1 && first < entry.position;
    };
    const matchedSamples = samplesMatchedBy(entry).map((index) => samples[index]!);
    if (!matchedSamples.every(takenEarlier)) continue;
    const witnesses = witnessesFor(entry);
    if (!witnesses.every(takenEarlier)) continue;
    const tried = [...matchedSamples, ...witnesses];
    if (tried.length < settings.minEvidence) continue;
    const takers = [...new Set(tried.map((input) => rulesInOrder[firstActive(input)]!.id))];
    if (!concernsFocus(entry.rule.id, ...takers)) continue;
    neverFires.set(entry.rule.id, takers);
    const { id, state } = entry.rule;
    const counts = [
      matchedSamples.length > 0 && `${matchedSamples.length} of the ${samples.length} decision samples it matches`,
      witnesses.length > 0 && `${witnesses.length} example inputs built from its pattern`,
    ].filter(Boolean);
    warnings.push({
      ruleId: id,
      kind: 'never_fires',
      message:
        `${capitalized(ruleName(id))} ${state === 'shadow' ? 'would never decide' : 'can never fire'}: ` +
        `every input tried that it matches (${counts.join(', ')}) is taken first by ${listOfRules(takers)}, ranked ahead of it.`,
      evidence: {
        otherRuleIds: takers,
        samples: { matched: matchedSamples.length, takenEarlier: matchedSamples.length },
        witnesses: { matched: witnesses.length, takenEarlier: witnesses.length },
        examples: tried.slice(0, MAX_EXAMPLES).map((input) => example(input.text)),
      },
    });
  }

  // Equal-priority rules sending the same input to different places: the order between them is only "saved last".
  const byPriority = new Map<number, UsableRule[]>();
  for (const entry of usable) {
    if (!live(entry.rule)) continue;
    const group = byPriority.get(entry.rule.priority) ?? [];
    group.push(entry);
    byPriority.set(entry.rule.priority, group);
  }
  pairs: for (const group of byPriority.values()) {
    for (let later = 1; later < group.length; later++) {
      for (let earlier = 0; earlier < later; earlier++) {
        const [ahead, behind] = [group[earlier]!, group[later]!];
        if (!concernsFocus(ahead.rule.id, behind.rule.id)) continue;
        if (ahead.rule.state !== 'active' && behind.rule.state !== 'active') continue;
        if (ahead.rule.layer === behind.rule.layer && ahead.rule.model === behind.rule.model) continue;
        if (neverFires.get(behind.rule.id)?.includes(ahead.rule.id)) continue;
        if (!withinBudget()) {
          complete = false;
          break pairs;
        }
        const shared =
          samplesMatchedBy(behind)
            .map((index) => samples[index]!)
            .find((sample) => matches(ahead, sample)) ??
          witnessesFor(behind).find((witness) => matches(ahead, witness)) ??
          witnessesFor(ahead).find((witness) => matches(behind, witness));
        if (!shared) continue;
        warnings.push({
          ruleId: behind.rule.id,
          kind: 'overlap',
          message:
            `${capitalized(ruleName(behind.rule.id))} and ${ruleName(ahead.rule.id)} have the same priority (${behind.rule.priority}) ` +
            `and both match some inputs (e.g. "${example(shared.text)}") but route them differently; which one decides depends only on ` +
            'which was saved last. Give one of them a higher priority.',
          evidence: { otherRuleIds: [ahead.rule.id], examples: [example(shared.text)] },
        });
      }
    }
  }

  return {
    warnings,
    checked: { rules: rulesInOrder.length, samples: samples.length, witnesses: witnessCount, corpusUsed, complete },
  };
}

/** The warnings that concern a rule: about it, or naming it as the rule that shadows or overlaps another. */
export function warningsConcerning(warnings: readonly RuleWarning[], ruleId: number): RuleWarning[] {
  return warnings.filter((warning) => warning.ruleId === ruleId || warning.evidence.otherRuleIds?.includes(ruleId));
}
