import type { SuggestionKind } from '@/server/schemas/suggestions';
import type { RoutingSuggestion, RoutingSuggestions } from '@/server/services/suggestions/suggest';
import { formatCount } from '../../format';

export const SUGGESTION_KIND_LABELS: Record<SuggestionKind, string> = {
  underperforming_rule: 'Underperforming rule',
  cheaper_model: 'Cheaper model',
  worth_experiment: 'Worth an experiment',
  never_hits: 'Never hits',
};

/** One suggestion as the Suggestions card shows it. */
export interface SuggestionRow {
  id: string;
  kind: SuggestionKind;
  kindLabel: string;
  title: string;
  evidence: string;
  sampleSize: string;
  /** The Wilson 95% interval, e.g. "30.9–49.8%". */
  interval: string;
  /** The "Try as shadow rule" button: absent when the suggestion has no shadow rule; its tooltip says what it does. */
  shadow: { label: string; hint: string } | null;
  /** The "Start experiment" button's tooltip; null when the suggestion has no experiment. */
  experiment: { hint: string } | null;
}

const percent = (x: number) => x.toFixed(1);

export function suggestionRow(s: RoutingSuggestion): SuggestionRow {
  const shadow = s.action.shadowRule;
  const experiment = s.action.experiment;
  return {
    id: s.id,
    kind: s.kind,
    kindLabel: SUGGESTION_KIND_LABELS[s.kind],
    title: s.title,
    evidence: s.evidence,
    sampleSize: formatCount(s.sampleSize),
    interval: `${percent(s.interval.low)}–${percent(s.interval.high)}%`,
    shadow: shadow
      ? shadow.id === undefined
        ? {
            label: 'Try as shadow rule',
            hint: `Saves a new shadow rule /${shadow.pattern}/ → ${shadow.preferredLayer}${shadow.preferredModel ? ` / ${shadow.preferredModel}` : ''}, priority ${shadow.priority}`,
          }
        : { label: 'Try as shadow rule', hint: `Sets rule #${shadow.id} to shadow (an edit of that rule, a new version)` }
      : null,
    experiment: experiment
      ? { hint: `Splits rule #${experiment.ruleId}'s traffic: ${experiment.arms.map((a) => a.name).join(' vs ')}` }
      : null,
  };
}

/** The card's rows (in the server's order, best first) and a line saying what was skipped for too few outcomes. */
export function suggestionsView(answer: RoutingSuggestions | undefined): { rows: SuggestionRow[]; skippedNote: string | null } {
  if (!answer) return { rows: [], skippedNote: null };
  const skipped = answer.skipped.length + answer.omitted.skipped;
  return {
    rows: answer.suggestions.map(suggestionRow),
    skippedNote: skipped
      ? `${formatCount(skipped)} candidate(s) skipped: fewer than ${formatCount(answer.minOutcomes)} outcomes (or too few decisions) to judge them.`
      : null,
  };
}
