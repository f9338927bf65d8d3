import type { ExperimentDto, ExperimentVerdictDto } from '@/server/services/experiments/experiments';

type Arm = ExperimentDto['arms'][number];

/** One arm of the arms table, as text (the view only renders). */
export interface ArmRow {
  id: number;
  name: string;
  isControl: boolean;
  variant: string;
  weight: string;
  decisions: string;
  outcomes: string;
  success: string;
  successCi: string;
  latency: string;
  cost: string;
  diff: string;
  diffCi: string;
  /** 'better' / 'worse' when the difference is significant (p <= the per-comparison alpha), else 'none'. */
  significance: 'better' | 'worse' | 'none';
  pValue: string;
  state: 'running' | 'stopped';
  stopReason: string | null;
  /** Whether a Promote button applies (a running experiment's arm; the control too: keeps the rule as it is). */
  promotable: boolean;
}

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;
const signedPoints = (rate: number) => `${rate >= 0 ? '+' : '−'}${Math.abs(rate * 100).toFixed(1)}`;

/** An arm's variant in a few words. */
export function variantLabel(variant: Arm['variant']): string {
  switch (variant.kind) {
    case 'control':
      return 'control (the rule as it is)';
    case 'model':
      return `model ${variant.model}`;
    case 'layer':
      return `layer ${variant.layer}${variant.model === undefined ? '' : variant.model === null ? ' (layer default model)' : ` / ${variant.model}`}`;
    case 'policy':
      return `adaptive policy #${variant.policyId}`;
    case 'rule':
      return [
        'rule change:',
        variant.pattern !== undefined && `pattern /${variant.pattern}/`,
        variant.priority !== undefined && `priority ${variant.priority}`,
        variant.layer && `layer ${variant.layer}`,
        variant.model !== undefined && `model ${variant.model ?? 'none'}`,
      ]
        .filter(Boolean)
        .join(' ');
  }
}

/** A mean with its 95% interval, e.g. "812 ms (790–834)". */
export function meanText(mean: Arm['latency'], format: (value: number) => string): string {
  if (!mean) return '–';
  return mean.ci ? `${format(mean.mean)} (${format(mean.ci.low)}–${format(mean.ci.high)})` : format(mean.mean);
}

const ms = (value: number) => `${Math.round(value).toLocaleString('en')} ms`;
const usd = (value: number) => `$${value < 0.01 ? value.toPrecision(2) : value.toFixed(4)}`;

/** The arms table's rows, control first. */
export function armRows(experiment: ExperimentDto): ArmRow[] {
  return experiment.arms.map((arm) => {
    const diff = arm.diff;
    const significant = diff !== null && arm.pValue <= experiment.comparisonAlpha && arm.outcomes >= experiment.minOutcomes;
    return {
      id: arm.id,
      name: arm.name,
      isControl: arm.position === 0,
      variant: variantLabel(arm.variant),
      weight: arm.stopped ? `${arm.weight} (stopped: 0)` : String(arm.weight),
      decisions: arm.decisions.toLocaleString('en'),
      outcomes: arm.outcomes.toLocaleString('en'),
      success: arm.successRate === null ? '–' : percent(arm.successRate),
      successCi: arm.successCi ? `${percent(arm.successCi.low)}–${percent(arm.successCi.high)}` : '–',
      latency: meanText(arm.latency, ms),
      cost: meanText(arm.cost, usd),
      diff: arm.position === 0 ? '—' : diff ? `${signedPoints(diff.effect)} pts` : '–',
      diffCi: diff ? `${signedPoints(diff.ci.low)} to ${signedPoints(diff.ci.high)}` : '–',
      significance: significant ? (diff.effect > 0 ? 'better' : 'worse') : 'none',
      pValue: arm.position === 0 ? '—' : arm.pValue < 0.0001 ? '< 0.0001' : arm.pValue.toFixed(4),
      state: arm.stopped ? 'stopped' : 'running',
      stopReason: arm.stopReason,
      promotable: experiment.status === 'running',
    };
  });
}

export interface VerdictBanner {
  tone: 'info' | 'good' | 'bad' | 'neutral';
  title: string;
  text: string;
}

const VERDICT_TITLES: Record<ExperimentVerdictDto['status'], string> = {
  collecting: 'Collecting outcomes',
  running: 'No verdict yet',
  winner: 'Winner',
  control_wins: 'The control wins',
  no_difference: 'No difference',
  stopped: 'Stopped',
  promoted: 'Promoted',
};

/** The verdict as a banner: a tone for its colour, a title and the verdict's own sentence. */
export function verdictBanner(verdict: ExperimentVerdictDto): VerdictBanner {
  const tone =
    verdict.status === 'winner' || verdict.status === 'promoted'
      ? 'good'
      : verdict.status === 'control_wins'
        ? 'bad'
        : verdict.status === 'collecting' || verdict.status === 'running'
          ? 'info'
          : 'neutral';
  const title =
    verdict.status === 'winner' && verdict.armName !== undefined && verdict.effect !== undefined
      ? `Winner: ${verdict.armName} (${verdict.effect >= 0 ? '+' : '−'}${Math.abs(verdict.effect).toFixed(1)} points)`
      : VERDICT_TITLES[verdict.status];
  return { tone, title, text: verdict.text };
}

/** One line of the experiments list. */
export interface ExperimentListRow {
  id: number;
  name: string;
  rule: string;
  taskType: string;
  status: ExperimentDto['status'];
  arms: number;
  decisions: string;
  outcomes: string;
  verdict: string;
  createdAt: string;
}

export function experimentListRows(experiments: readonly ExperimentDto[]): ExperimentListRow[] {
  return experiments.map((experiment) => ({
    id: experiment.id,
    name: experiment.name,
    rule: experiment.rule ? `#${experiment.rule.id} /${experiment.rule.pattern}/` : `#${experiment.ruleId} (deleted)`,
    taskType: experiment.taskType ?? 'all',
    status: experiment.status,
    arms: experiment.arms.length,
    decisions: experiment.arms.reduce((sum, arm) => sum + arm.decisions, 0).toLocaleString('en'),
    outcomes: experiment.arms.reduce((sum, arm) => sum + arm.outcomes, 0).toLocaleString('en'),
    verdict: verdictBanner(experiment.verdict).title,
    createdAt: experiment.createdAt,
  }));
}
