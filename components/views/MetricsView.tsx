'use client';

import { useQuery } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useMemo } from 'react';
import { withParams, type IsoRange } from '@/app/_lib/range';
import { METRIC_NAMES } from '@/app/_lib/view-inputs';
import { ChartCard, chartState } from '../charts/ChartCard';
import { metricLines } from '../charts/prepare/metrics';
import { isEmpty } from '../charts/prepare/rows';
import { TimeSeriesChart } from '../charts/TimeSeriesChart';
import { formatCount, formatDateTime, formatWithUnit } from '../format';
import { useTRPC } from '../trpc/client';

/** Metric picker and group-by key live in the URL (?metric=&groupBy=) like the other controls. */
export function MetricsView({ range, metric, groupBy }: { range: IsoRange; metric: string | undefined; groupBy: string | undefined }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const names = useQuery(trpc.metrics.names.queryOptions(METRIC_NAMES));
  const chosen = names.data?.find((n) => n.name === metric) ?? names.data?.[0];
  const key = groupBy && chosen?.contextKeys.includes(groupBy) ? groupBy : undefined;
  const series = useQuery({
    ...trpc.metrics.series.queryOptions({ ...range, name: chosen?.name ?? '', ...(key && { groupBy: key }) }),
    enabled: !!chosen,
  });
  const chart = useMemo(() => (series.data ? metricLines(series.data) : null), [series.data]);
  const unit = series.data?.units[0] ?? chosen?.unit ?? '';
  const go = (changes: Record<string, string | undefined>) =>
    router.replace(`${pathname}${withParams(new URLSearchParams(searchParams.toString()), changes)}`, { scroll: false });

  if (names.data?.length === 0) return <div className="card muted">No metric recorded yet: record_metric adds values.</div>;
  return (
    <>
      <div className="card controls" data-testid="metric-controls">
        <label>
          Metric{' '}
          <select value={chosen?.name ?? ''} onChange={(e) => go({ metric: e.target.value, groupBy: undefined })} aria-label="Metric">
            {names.data?.map((n) => (
              <option key={n.name} value={n.name}>
                {n.name} ({n.unit})
              </option>
            ))}
          </select>
        </label>
        <label>
          Group by{' '}
          <select value={key ?? ''} onChange={(e) => go({ groupBy: e.target.value || undefined })} aria-label="Group by context key">
            <option value="">nothing (one series)</option>
            {chosen?.contextKeys.map((k) => (
              <option key={k} value={k}>
                context.{k}
              </option>
            ))}
          </select>
        </label>
        {chosen && (
          <span className="muted small">
            {formatCount(chosen.values)} values, last at {formatDateTime(chosen.lastRecordedAt)}
          </span>
        )}
      </div>
      <div style={{ marginTop: '1rem' }}>
        <ChartCard
          title={chosen ? `${chosen.name}${key ? ` by ${key}` : ''}` : 'Metric'}
          subtitle={
            unit
              ? `Average per bucket, in ${unit}${series.data && series.data.units.length > 1 ? ` (also recorded in ${series.data.units.slice(1).join(', ')})` : ''}` +
                (series.data?.truncated ? `. Only the ${series.data.series.length} most recorded values of ${key} are drawn.` : '')
              : undefined
          }
          testId="metric-chart"
          state={chartState(names.isError ? names : series, !chart || isEmpty(chart))}
          seriesCount={chart?.series.length ?? 0}
          error={(names.error ?? series.error)?.message}
        >
          {chart && series.data && (
            <TimeSeriesChart data={chart} bucket={series.data.bucket} unit={unit} format={(v) => formatWithUnit(v, unit)} height={360} />
          )}
        </ChartCard>
      </div>
    </>
  );
}
