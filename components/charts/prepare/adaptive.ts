// The models page's "adaptive shares over time": each model's share of a policy's traffic for one task type, as the
// recomputes set it (get_routing_policies with history).
import type { RoutingPolicyView } from '@/server/services/adaptive/policy-read';
import { seriesKey, type ChartData } from './rows';

export interface ShareSeriesOption {
  /** `${policyId}:${taskType}`: what the picker selects. */
  key: string;
  label: string;
  policyId: number;
  taskType: string;
}

const describeTaskType = (taskType: string) => (taskType === '' ? 'all task types' : taskType);

/**
 * Every (policy, task type) with a share history, policies in their order and task types by name ('' last: the
 * all-task-types row is the fallback, the specific ones are what decisions mostly use).
 */
export function shareSeriesOptions(policies: readonly Pick<RoutingPolicyView, 'id' | 'name' | 'history'>[]): ShareSeriesOption[] {
  return policies.flatMap((policy) =>
    [...(policy.history ?? [])]
      .filter((series) => series.points.length > 0)
      .sort((a, b) => (a.taskType === '' ? 1 : b.taskType === '' ? -1 : a.taskType.localeCompare(b.taskType)))
      .map((series) => ({
        key: `${policy.id}:${series.taskType}`,
        label: `${policy.name} · ${describeTaskType(series.taskType)}`,
        policyId: policy.id,
        taskType: series.taskType,
      })),
  );
}

/**
 * The option to show first: the given task type's series when one exists (the page's task type filter), else the first.
 */
export function defaultShareSeries(options: readonly ShareSeriesOption[], taskType?: string): string | null {
  return (options.find((option) => option.taskType === taskType) ?? options[0])?.key ?? null;
}

/**
 * One line per model of the chosen series, in percent of the traffic, one row per point in time. A model a recompute
 * gave no share (it was not a candidate then) has no value there: the line breaks rather than dropping to zero.
 */
export function shareLines(policies: readonly Pick<RoutingPolicyView, 'id' | 'history'>[], key: string | null): ChartData {
  const option = key === null ? undefined : key.split(':');
  const policy = option && policies.find((p) => String(p.id) === option[0]);
  const taskType = option?.slice(1).join(':');
  const series = policy?.history?.find((s) => s.taskType === taskType);
  if (!series) return { rows: [], series: [] };
  const specs = series.models.map((model) => ({ key: seriesKey('share', model), label: model }));
  const rows = series.points.map((point) => {
    const row: Record<string, number | string | null> = { t: point.at };
    series.models.forEach((model, i) => {
      const share = point.shares[model];
      row[specs[i]!.key] = share === undefined ? null : Math.round(share * 1000) / 10;
    });
    return row;
  });
  return { rows, series: specs };
}
