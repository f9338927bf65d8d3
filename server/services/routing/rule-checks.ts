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
import { compilePatternSet } from './matcher';
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
  /**
   * never_fires on samples alone (no example input could be built from the pattern) needs at least this many of them.
   * Witnesses need no minimum: they are built from the rule's own pattern, and for an anchored literal the only one
   * is the only input the rule can match.
   */
  minEvidence: number;
  /** matches_almost_everything: the share of inputs (0..1) from which a pattern counts as matching almost everything. */
  almostEverythingShare: number;
  /** With fewer samples than this, the built-in corpus stands in for them when judging how much a pattern matches. */
  minSamplesForShare: number;
  maxSamples: number;
  maxWitnessesPerRule: number;
  /** Samples are cut to this many characters: a bound on the cost of each of the many matches the checks run. */
  maxInputChars: number;
  /** The checks stop once this much time has passed; the report then says it is incomplete. */
  budgetMs: number;
  /**
   * Only the warnings concerning this rule (about it, or naming it), found without checking every rule against every
   * other: what a save or the rule form needs.
   */
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

/** An input tried by the checks, with the positions (in evaluation order) of every rule matching it. */
interface TriedInput {
  readonly text: string;
  readonly matching: readonly number[];
}

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
 *
 * Every tried input (sample, or witness of any rule) is matched once against the whole rule set, through the engine's
 * literal prefilter; each check then reads the matching rules of the inputs, so no rule is matched pair by pair.
 */
export function checkRoutingRuleSet(
  rulesInOrder: readonly CheckedRule[],
  sampleInputs: readonly string[],
  options: Partial<RuleCheckOptions> = {},
): RuleCheckReport {
  const settings = { ...DEFAULT_RULE_CHECK_OPTIONS, ...options };
  const startedAt = performance.now();
  const outOfTime = () => performance.now() - startedAt > settings.budgetMs;
  const focus = settings.focusRuleId;
  const warnings: RuleWarning[] = [];
  let complete = true;

  const set = compilePatternSet(rulesInOrder.map((rule) => rule.pattern));
  for (const { index, reason } of set.unusable) {
    const { id, pattern } = rulesInOrder[index]!;
    warnings.push({
      ruleId: id,
      kind: 'unusable',
      message: `${capitalized(ruleName(id))}'s pattern /${pattern}/ ${reason}; the engine skips the rule.`,
      evidence: { reason },
    });
  }
  const tried = (text: string): TriedInput => ({ text, matching: set.allMatchIndexes(text) });
  const firstActive = (input: TriedInput) => input.matching.find((position) => rulesInOrder[position]!.state === 'active') ?? -1;

  const samples = sampleInputs
    .slice(0, settings.maxSamples)
    .map((text) => tried(text.length > settings.maxInputChars ? text.slice(0, settings.maxInputChars) : text));
  const samplesMatched = rulesInOrder.map((): TriedInput[] => []);
  for (const sample of samples) for (const position of sample.matching) samplesMatched[position]!.push(sample);

  // What a pattern matches on its own.
  for (const position of set.allMatchIndexes('')) {
    const { id, pattern } = rulesInOrder[position]!;
    warnings.push({
      ruleId: id,
      kind: 'matches_empty',
      message: `${capitalized(ruleName(id))}'s pattern /${pattern}/ matches the empty string: it requires nothing of an input where it matches.`,
      evidence: { examples: [''] },
    });
  }
  const corpusUsed = samples.length < settings.minSamplesForShare;
  const shareBasis = corpusUsed ? CHECK_CORPUS.map(tried) : samples;
  const matchedCounts = new Array<number>(rulesInOrder.length).fill(0);
  for (const input of shareBasis) for (const position of input.matching) matchedCounts[position]!++;
  matchedCounts.forEach((matched, position) => {
    const share = matched / shareBasis.length;
    if (shareBasis.length === 0 || share < settings.almostEverythingShare) return;
    const { id, pattern } = rulesInOrder[position]!;
    warnings.push({
      ruleId: id,
      kind: 'matches_almost_everything',
      message:
        `${capitalized(ruleName(id))}'s pattern /${pattern}/ matches ${percent(share)} of ` +
        (corpusUsed
          ? `${shareBasis.length} varied example requests (too few decision samples are stored)`
          : `the ${shareBasis.length} most recent decision samples`) +
        ': it takes nearly every request from the rules ranked after it and from the default layer.',
      evidence: { share: { matched, of: shareBasis.length, basis: corpusUsed ? 'corpus' : 'samples' } },
    });
  });

  // Example inputs of live rules, built when first needed and matched against the whole set one by one: most rules
  // are cleared by their first witness, and a focused check tries few rules at all.
  const witnessTexts = new Map<number, readonly string[]>();
  const witnessInputs = new Map<number, TriedInput[]>();
  let witnessCount = 0;
  const textsOf = (position: number) => {
    let texts = witnessTexts.get(position);
    if (!texts) {
      texts = witnessesOf(set.compiled[position]!, settings.maxWitnessesPerRule);
      witnessTexts.set(position, texts);
      witnessCount += texts.length;
    }
    return texts;
  };
  const witnessInput = (position: number, index: number) => {
    const inputs = witnessInputs.get(position) ?? [];
    witnessInputs.set(position, inputs);
    for (let next = inputs.length; next <= index; next++) inputs.push(tried(textsOf(position)[next]!));
    return inputs[index]!;
  };
  const allWitnessInputs = (position: number) => textsOf(position).map((_, index) => witnessInput(position, index));

  const focusPosition = focus === undefined ? undefined : rulesInOrder.findIndex((rule) => rule.id === focus);
  const focusCompiled = focusPosition === undefined || focusPosition === -1 ? null : set.compiled[focusPosition];
  const checkable = (position: number) => set.compiled[position] !== null && live(rulesInOrder[position]!);
  /** With a focus, whether the focus rule matches any input tried for the rule at this position. */
  const focusMatchesInputsOf = (position: number) =>
    focusCompiled !== null &&
    focusCompiled !== undefined &&
    (samplesMatched[position]!.some((sample) => sample.matching.includes(focusPosition!)) ||
      textsOf(position).some((text) => focusCompiled.test(text)));

  // Rules every tried input of which a higher-ranked active rule takes first.
  const neverFires = new Map<number, number[]>();
  for (const [position, rule] of rulesInOrder.entries()) {
    if (!checkable(position)) continue;
    if (focusPosition !== undefined) {
      // Only the focus rule, and rules after it that it may take inputs from.
      const focusMayTake = rulesInOrder[focusPosition]?.state === 'active' && position > focusPosition;
      if (position !== focusPosition && !(focusMayTake && focusMatchesInputsOf(position))) continue;
    }
    if (outOfTime()) {
      complete = false;
      break;
    }
    const takenEarlier = (input: TriedInput) => {
      const first = firstActive(input);
      return first !== -1 && first < position;
    };
    const matchedSamples = samplesMatched[position]!;
    if (!matchedSamples.every(takenEarlier)) continue;
    const witnessTotal = textsOf(position).length;
    let cleared = false;
    for (let index = 0; index < witnessTotal && !cleared; index++) cleared = !takenEarlier(witnessInput(position, index));
    if (cleared) continue;
    const own = allWitnessInputs(position);
    if (own.length === 0 && matchedSamples.length < settings.minEvidence) continue;
    const inputs = [...matchedSamples, ...own];
    const takers = [...new Set(inputs.map(firstActive))].sort((a, b) => a - b);
    neverFires.set(position, takers);
    const takerIds = takers.map((taker) => rulesInOrder[taker]!.id);
    const counts = [
      matchedSamples.length > 0 && `${matchedSamples.length} of the ${samples.length} decision samples`,
      own.length > 0 && `${own.length} example inputs built from its pattern`,
    ].filter(Boolean);
    warnings.push({
      ruleId: rule.id,
      kind: 'never_fires',
      message:
        `${capitalized(ruleName(rule.id))} ${rule.state === 'shadow' ? 'would never decide' : 'can never fire'}: ` +
        `every input tried that it matches (${counts.join(', ')}) is taken first by ${listOfRules(takerIds)}, ranked ahead of it.`,
      evidence: {
        otherRuleIds: takerIds,
        samples: { matched: matchedSamples.length, takenEarlier: matchedSamples.length },
        witnesses: { matched: own.length, takenEarlier: own.length },
        examples: inputs.slice(0, MAX_EXAMPLES).map((input) => example(input.text)),
      },
    });
  }

  // Equal-priority rules matching the same input: the order between them is only "saved last".
  // The evidence for a pair is the samples and the two rules' own witnesses.
  const overlaps = new Map<string, { ahead: number; behind: number; input: TriedInput }>();
  const recordOverlaps = (input: TriedInput, mustInclude: number | undefined) => {
    const candidates = input.matching.filter((position) => live(rulesInOrder[position]!));
    for (let later = 1; later < candidates.length; later++) {
      const behind = rulesInOrder[candidates[later]!]!;
      for (let earlier = later - 1; earlier >= 0; earlier--) {
        const ahead = rulesInOrder[candidates[earlier]!]!;
        if (ahead.priority !== behind.priority) break; // positions are in evaluation order: higher priorities come first
        if (mustInclude !== undefined && candidates[earlier] !== mustInclude && candidates[later] !== mustInclude) continue;
        if (ahead.state !== 'active' && behind.state !== 'active') continue;
        if (neverFires.get(candidates[later]!)?.includes(candidates[earlier]!)) continue;
        const key = `${candidates[earlier]},${candidates[later]}`;
        if (!overlaps.has(key)) overlaps.set(key, { ahead: candidates[earlier]!, behind: candidates[later]!, input });
      }
    }
  };
  const overlapSources: { position: number | undefined; inputs: () => readonly TriedInput[] }[] = [
    { position: focusPosition, inputs: () => samples },
  ];
  for (const [position, rule] of rulesInOrder.entries()) {
    if (!checkable(position)) continue;
    if (focusPosition !== undefined && position !== focusPosition) {
      const sharesPriority = rulesInOrder[focusPosition]?.priority === rule.priority;
      if (!sharesPriority || !focusCompiled || !textsOf(position).some((text) => focusCompiled.test(text))) continue;
    }
    overlapSources.push({ position, inputs: () => allWitnessInputs(position) });
  }
  sources: for (const { position, inputs } of overlapSources) {
    for (const input of inputs()) {
      if (outOfTime()) {
        complete = false;
        break sources;
      }
      recordOverlaps(input, position);
    }
  }
  const overlapList = [...overlaps.values()].filter(
    ({ ahead, behind }) => focusPosition === undefined || ahead === focusPosition || behind === focusPosition,
  );
  const overlapOrder = overlapList.sort((x, y) => x.behind - y.behind || x.ahead - y.ahead);
  for (const { ahead: aheadPosition, behind: behindPosition, input } of overlapOrder) {
    const [ahead, behind] = [rulesInOrder[aheadPosition]!, rulesInOrder[behindPosition]!];
    const sameDestination = ahead.layer === behind.layer && ahead.model === behind.model;
    warnings.push({
      ruleId: behind.id,
      kind: 'overlap',
      message:
        `${capitalized(ruleName(behind.id))} and ${ruleName(ahead.id)} have the same priority (${behind.priority}) ` +
        `and both match some inputs (e.g. "${example(input.text)}"); which one decides them depends only on which was saved last` +
        (sameDestination
          ? ' (both route to the same place, but hits and outcomes go to that one).'
          : ', and they route them differently.') +
        ' Give one of them a higher priority.',
      evidence: { otherRuleIds: [ahead.id], examples: [example(input.text)] },
    });
  }

  return {
    warnings: focus === undefined ? warnings : warningsConcerning(warnings, focus),
    checked: { rules: rulesInOrder.length, samples: samples.length, witnesses: witnessCount, corpusUsed, complete },
  };
}

/** The warnings that concern a rule: about it, or naming it as the rule that shadows or overlaps another. */
export function warningsConcerning(warnings: readonly RuleWarning[], ruleId: number): RuleWarning[] {
  return warnings.filter((warning) => warning.ruleId === ruleId || warning.evidence.otherRuleIds?.includes(ruleId));
}
