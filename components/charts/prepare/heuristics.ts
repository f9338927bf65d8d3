import type { RoutingRuleWarning } from '@/server/services/routing/check-rules';
import type { RuleEdit } from '@/server/services/routing/hit-rates';
import type { RuleHistory, RuleVersionDto } from '@/server/services/routing/rule-history';
import type { MeasuredOutcomes, RoutingRuleStats, RuleStats, VersionStats } from '@/server/services/routing/rule-stats';
import { formatCount, formatPercent } from '../../format';

/** A vertical marker on a time chart: at a bucket's start (`t`, the rows' x value), with a short label and its details. */
export interface ChartMarker {
  t: string;
  label: string;
  /** Every edit the marker stands for, one line each. */
  details: string[];
}

const BUCKET_MS = { hour: 3_600_000, day: 86_400_000 } as const;

/** The ISO start of the UTC bucket holding `at`, as the server's bucket axis spells it. */
export const bucketStartOf = (at: string, bucket: 'hour' | 'day') =>
  new Date(Math.floor(Date.parse(at) / BUCKET_MS[bucket]) * BUCKET_MS[bucket]).toISOString();

const describeEdit = (edit: RuleEdit) => {
  const what = edit.change === 'updated' ? `changed ${edit.fields.join(', ') || 'nothing versioned'}` : edit.change;
  return `#${edit.ruleId} v${edit.version} ${what} /${edit.pattern}/${edit.changedBy ? ` by ${edit.changedBy}` : ''}`;
};

/**
 * Rule edits as chart markers, one per bucket holding any (a category axis can only mark its own values): labelled
 * with the rule and version when alone, with the count otherwise. Edits outside the buckets are left out.
 */
export function editMarkers(edits: readonly RuleEdit[], buckets: readonly string[], bucket: 'hour' | 'day'): ChartMarker[] {
  const known = new Set(buckets);
  const byBucket = new Map<string, RuleEdit[]>();
  for (const edit of edits) {
    const t = bucketStartOf(edit.at, bucket);
    if (!known.has(t)) continue;
    byBucket.set(t, [...(byBucket.get(t) ?? []), edit]);
  }
  return [...byBucket].map(([t, inBucket]) => ({
    t,
    label: inBucket.length === 1 ? `#${inBucket[0]!.ruleId} v${inBucket[0]!.version}` : `${inBucket.length} edits`,
    details: inBucket.map(describeEdit),
  }));
}

/** The checks' warnings under the rule each is about (the candidate's, with a null id, are not a stored rule's). */
export function warningsByRule(warnings: readonly RoutingRuleWarning[] | undefined): Map<number, RoutingRuleWarning[]> {
  const byRule = new Map<number, RoutingRuleWarning[]>();
  for (const warning of warnings ?? []) {
    if (warning.ruleId === null) continue;
    byRule.set(warning.ruleId, [...(byRule.get(warning.ruleId) ?? []), warning]);
  }
  return byRule;
}

/** A measured success rate with what makes it trustworthy or not: its 95% interval and sample size. */
export function measuredSuccess(outcomes: MeasuredOutcomes): string {
  if (outcomes.n === 0 || outcomes.successRate === null) return 'no outcomes';
  const interval = outcomes.successRateInterval;
  const range = interval ? `${interval.low.toFixed(0)}–${interval.high.toFixed(0)}%, ` : '';
  return `${formatPercent(outcomes.successRate)} (${range}n=${formatCount(outcomes.n)})`;
}

/** Whom a shadow rule would have displaced, most first: rules by id (and version), the default layer by name. */
export function displacedSummary(displaced: VersionStats['displaced'], versionsOf: ReadonlyMap<number, number>): string {
  return [...displaced]
    .sort((a, b) => b.decisions - a.decisions)
    .map(({ versionId, ruleId, decisions }) => {
      if (ruleId === null) return `default layer ×${formatCount(decisions)}`;
      const version = versionId === null ? undefined : versionsOf.get(versionId);
      return `#${ruleId}${version === undefined ? '' : ` v${version}`} ×${formatCount(decisions)}`;
    })
    .join(', ');
}

/** Every version number by version id, across the rules' stats: how displaced versions are named. */
export const versionNumbers = (stats: RoutingRuleStats | undefined): Map<number, number> =>
  new Map(stats?.rules.flatMap((rule) => rule.versions.map((v) => [v.versionId, v.version] as const)) ?? []);

export interface VersionRow extends RuleVersionDto {
  /** The version's figures in the range; null when it has none there. */
  stats: VersionStats | null;
}

/** A rule's history (newest first) beside each version's figures in the range. */
export function versionRows(history: RuleHistory, stats: RuleStats | undefined): VersionRow[] {
  const byVersion = new Map(stats?.versions.map((v) => [v.versionId, v]) ?? []);
  return history.versions.map((version) => ({ ...version, stats: byVersion.get(version.versionId) ?? null }));
}
