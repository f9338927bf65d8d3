'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo } from 'react';
import type { IsoRange } from '@/app/_lib/range';
import { reportInput } from '@/app/_lib/view-inputs';
import { ChartCard, chartState } from '../charts/ChartCard';
import { stackedOccurrences } from '../charts/prepare/bugs';
import { editMarkers } from '../charts/prepare/heuristics';
import { OVERALL_KEY } from '../charts/prepare/routing';
import { isEmpty, rowsFromAligned } from '../charts/prepare/rows';
import { TimeSeriesChart } from '../charts/TimeSeriesChart';
import { formatCount, formatDateTime, formatMs, formatPercent, formatUsd } from '../format';
import { useTRPC } from '../trpc/client';
import { SeverityBadge } from './BugsView';

function Stat({ href, value, label, testId }: { href: string; value: string; label: string; testId: string }) {
  return (
    <Link href={href} className="card stat" data-testid={testId}>
      <div className="value">{value}</div>
      <div className="label">{label}</div>
    </Link>
  );
}

export function OverviewView({ filter }: { filter: IsoRange & { taskType?: string } }) {
  const trpc = useTRPC();
  const report = useQuery(trpc.modelPerformance.report.queryOptions(reportInput(filter.taskType)));
  const rates = useQuery(trpc.routing.hitRates.queryOptions(filter));
  const bugs = useQuery(trpc.bugPatterns.trends.queryOptions({ from: filter.from, to: filter.to }));
  const hitLine = useMemo(
    () =>
      rates.data
        ? rowsFromAligned(rates.data.buckets, [{ spec: { key: OVERALL_KEY, label: 'overall hit rate' }, values: rates.data.overallRates }])
        : null,
    [rates.data],
  );
  const edits = useMemo(() => (rates.data ? editMarkers(rates.data.edits, rates.data.buckets, rates.data.bucket) : []), [rates.data]);
  const bugChart = useMemo(() => (bugs.data ? stackedOccurrences(bugs.data) : null), [bugs.data]);
  const r = report.data;
  return (
    <>
      <div className="grid stats">
        <Stat href="/tests" value={formatCount(r?.regressionTests)} label="regression tests" testId="stat-tests" />
        <Stat href="/bugs" value={formatCount(r?.bugPatterns)} label="bug patterns" testId="stat-bugs" />
        <Stat href="/heuristics" value={formatCount(r?.routingHeuristics)} label="active routing heuristics" testId="stat-heuristics" />
        <Stat
          href="/heuristics"
          value={formatPercent(rates.data?.hitRate)}
          label={`heuristic hit rate (${formatCount(rates.data?.decisions)} decisions in range)`}
          testId="stat-hit-rate"
        />
      </div>
      <div className="grid two" style={{ marginTop: '1rem' }}>
        <section className="card" data-testid="top-models">
          <div className="card-header">
            <h3>Top models{filter.taskType ? ` for ${filter.taskType}` : ''}</h3>
            <Link href="/models" className="small">
              All models →
            </Link>
          </div>
          <table className="data">
            <thead>
              <tr>
                <th>Model</th>
                <th>Task</th>
                <th className="num">Success</th>
                <th className="num">Avg latency</th>
                <th className="num">Avg cost</th>
                <th className="num">Calls</th>
              </tr>
            </thead>
            <tbody>
              {r?.topModels.map((m) => (
                <tr key={`${m.modelId}/${m.taskType}`}>
                  <td>{m.modelId}</td>
                  <td>{m.taskType}</td>
                  <td className="num">{formatPercent(m.successRate)}</td>
                  <td className="num">{formatMs(m.avgLatencyMs)}</td>
                  <td className="num">{formatUsd(m.avgCost)}</td>
                  <td className="num">{formatCount(m.totalCalls)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {r && r.topModels.length === 0 && <p className="muted">No model has enough calls yet.</p>}
          <p className="muted small">All-time figures, as in the spec&apos;s report.</p>
        </section>
        <section className="card" data-testid="recent-bugs">
          <div className="card-header">
            <h3>Most recent bugs</h3>
            <Link href="/bugs" className="small">
              All bug patterns →
            </Link>
          </div>
          <table className="data">
            <tbody>
              {r?.recentBugs.map((b) => (
                <tr key={b.id}>
                  <td>
                    <SeverityBadge severity={b.severity} />
                  </td>
                  <td>
                    <Link href={`/bugs/${b.id}`}>{b.pattern}</Link>
                  </td>
                  <td className="num">{formatCount(b.occurrences)}×</td>
                  <td className="small muted">{formatDateTime(b.lastSeen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {r && r.recentBugs.length === 0 && <p className="muted">No bug recorded.</p>}
        </section>
        <ChartCard
          title="Heuristic hit rate"
          subtitle={
            <>
              Share of routing decisions a rule matched; dashed lines mark rule edits (
              <span data-testid="overview-edit-count">{edits.length}</span> in range).
            </>
          }
          testId="overview-hit-rate"
          state={chartState(rates, !hitLine || isEmpty(hitLine))}
          seriesCount={hitLine?.series.length ?? 0}
          error={rates.error?.message}
        >
          {hitLine && rates.data && (
            <TimeSeriesChart
              data={hitLine}
              bucket={rates.data.bucket}
              unit="%"
              format={(v) => formatPercent(v, 0)}
              domain={[0, 100]}
              height={220}
              markers={edits}
            />
          )}
        </ChartCard>
        <ChartCard
          title="Bug reports by category"
          testId="overview-bugs"
          state={chartState(bugs, !bugChart || isEmpty(bugChart))}
          seriesCount={bugChart?.series.length ?? 0}
          error={bugs.error?.message}
        >
          {bugChart && bugs.data && (
            <TimeSeriesChart
              data={bugChart}
              bucket={bugs.data.bucket}
              unit="reports"
              format={(v) => formatCount(v)}
              kind="stacked-bar"
              height={220}
            />
          )}
        </ChartCard>
      </div>
    </>
  );
}
