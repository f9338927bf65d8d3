'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo, useState } from 'react';
import type { IsoRange } from '@/app/_lib/range';
import { BUG_PAGE_SIZE } from '@/app/_lib/view-inputs';
import { SEVERITIES, type SeverityValue } from '@/server/schemas/bug-patterns';
import { ChartCard, chartState } from '../charts/ChartCard';
import { SEVERITY_COLORS } from '../charts/palette';
import { risingKeys, stackedOccurrences } from '../charts/prepare/bugs';
import { isEmpty } from '../charts/prepare/rows';
import { TimeSeriesChart } from '../charts/TimeSeriesChart';
import { formatCount, formatDateTime } from '../format';
import { useTRPC } from '../trpc/client';

export function SeverityBadge({ severity }: { severity: SeverityValue }) {
  return <span className={`badge sev-${severity}`}>{severity}</span>;
}

export function BugsView({ range }: { range: IsoRange }) {
  const trpc = useTRPC();
  const [groupBy, setGroupBy] = useState<'category' | 'severity'>('category');
  // No placeholder from the other grouping: a chart titled by severity must never show categories.
  const trends = useQuery(trpc.bugPatterns.trends.queryOptions({ ...range, ...(groupBy === 'severity' && { groupBy }) }));
  const chart = useMemo(() => (trends.data ? stackedOccurrences(trends.data) : null), [trends.data]);
  const rising = trends.data && trends.data.groupBy === 'category' ? risingKeys(trends.data) : [];

  const [category, setCategory] = useState('');
  const [severity, setSeverity] = useState<SeverityValue | ''>('');
  const [cursors, setCursors] = useState<number[]>([]);
  const cursor = cursors[cursors.length - 1];
  const filter = {
    limit: BUG_PAGE_SIZE,
    ...(category.trim() && { category: category.trim() }),
    ...(severity && { severity }),
    ...(cursor && { cursor }),
  };
  const page = useQuery({ ...trpc.bugPatterns.list.queryOptions(filter), placeholderData: keepPreviousData });
  const knownCategories = useMemo(
    () =>
      [
        ...new Set([
          ...(page.data?.items.map((b) => b.category) ?? []),
          ...(trends.data?.groupBy === 'category' ? trends.data.series.map((s) => s.key) : []),
        ]),
      ].sort(),
    [page.data, trends.data],
  );

  const colors = groupBy === 'severity' ? SEVERITY_COLORS : undefined;
  return (
    <>
      {rising.length > 0 && (
        <p data-testid="rising-categories">
          Rising in this range:{' '}
          {rising.map((k) => (
            <span key={k} className="badge rising" style={{ marginRight: 4 }}>
              {k} ↑
            </span>
          ))}
        </p>
      )}
      <ChartCard
        title={`Occurrences by ${groupBy}`}
        subtitle={`Reports per bucket, stacked.${trends.data?.truncated ? ` Only the ${trends.data.series.length} categories with the most reports are shown.` : ''}`}
        testId="bug-trends"
        state={chartState(trends, !chart || isEmpty(chart))}
        seriesCount={chart?.series.length ?? 0}
        error={trends.error?.message}
        actions={
          <div className="segmented" role="group" aria-label="Stack by">
            {(['category', 'severity'] as const).map((g) => (
              <button
                key={g}
                type="button"
                className={groupBy === g ? 'active' : ''}
                aria-pressed={groupBy === g}
                onClick={() => setGroupBy(g)}
              >
                By {g}
              </button>
            ))}
          </div>
        }
      >
        {chart && trends.data && (
          <TimeSeriesChart
            data={chart}
            bucket={trends.data.bucket}
            unit="reports"
            format={(v) => formatCount(v)}
            kind="stacked-bar"
            colors={colors}
            height={320}
          />
        )}
      </ChartCard>

      <h2>Bug patterns</h2>
      <div className="card">
        <form className="controls" style={{ marginBottom: '0.75rem' }} onSubmit={(e) => e.preventDefault()} data-testid="bug-filters">
          <label>
            Category{' '}
            <input
              list="bug-categories"
              value={category}
              placeholder="any"
              onChange={(e) => {
                setCategory(e.target.value);
                setCursors([]);
              }}
              aria-label="Category"
            />
            <datalist id="bug-categories">
              {knownCategories.map((c) => (
                <option key={c} value={c} />
              ))}
            </datalist>
          </label>
          <label>
            Severity{' '}
            <select
              value={severity}
              onChange={(e) => {
                setSeverity(e.target.value as SeverityValue | '');
                setCursors([]);
              }}
              aria-label="Severity"
            >
              <option value="">any</option>
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <span className="muted small">Most frequent first, then severity, then last seen (as get_bug_patterns sorts).</span>
        </form>
        {page.isError && <p className="form-error">Could not load: {page.error.message}</p>}
        <table className="data" data-testid="bug-table">
          <thead>
            <tr>
              <th>Pattern</th>
              <th>Category</th>
              <th>Severity</th>
              <th className="num">Occurrences</th>
              <th>First seen</th>
              <th>Last seen</th>
            </tr>
          </thead>
          <tbody>
            {page.data?.items.map((b) => (
              <tr key={b.id}>
                <td>
                  <Link href={`/bugs/${b.id}`}>{b.pattern}</Link>
                </td>
                <td>{b.category}</td>
                <td>
                  <SeverityBadge severity={b.severity} />
                </td>
                <td className="num">{formatCount(b.occurrences)}</td>
                <td className="small">{formatDateTime(b.firstSeen)}</td>
                <td className="small">{formatDateTime(b.lastSeen)}</td>
              </tr>
            ))}
            {page.data?.items.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  No bug pattern matches these filters.
                </td>
              </tr>
            )}
          </tbody>
        </table>
        <div className="pager">
          <button type="button" className="secondary" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
            ← Previous
          </button>
          <span className="muted small">Page {cursors.length + 1}</span>
          <button
            type="button"
            className="secondary"
            disabled={!page.data?.nextCursor}
            onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])}
          >
            Next →
          </button>
        </div>
      </div>
    </>
  );
}

export function BugDetailView({ id, range }: { id: number; range: IsoRange }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.bugPatterns.get.queryOptions({ id, ...range }));
  const chart = useMemo(
    () =>
      detail.data ? stackedOccurrences({ buckets: detail.data.trend.buckets, series: [{ ...detail.data.trend, key: 'reports' }] }) : null,
    [detail.data],
  );
  if (detail.isError)
    return (
      <p className="form-error">
        Could not load bug pattern #{id}: {detail.error.message}
      </p>
    );
  const bug = detail.data?.pattern;
  return (
    <>
      <div className="grid two">
        <section className="card" data-testid="bug-facts">
          <h3>{bug ? bug.pattern : 'Loading…'}</h3>
          {bug && (
            <dl className="facts" style={{ marginTop: '0.75rem' }}>
              <dt>Category</dt>
              <dd>{bug.category}</dd>
              <dt>Severity</dt>
              <dd>
                <SeverityBadge severity={bug.severity} />
              </dd>
              <dt>Occurrences</dt>
              <dd>{formatCount(bug.occurrences)}</dd>
              <dt>First seen</dt>
              <dd>{formatDateTime(bug.firstSeen)}</dd>
              <dt>Last seen</dt>
              <dd>{formatDateTime(bug.lastSeen)}</dd>
              <dt>Description</dt>
              <dd>{bug.description || <span className="muted">none</span>}</dd>
              <dt>Solution</dt>
              <dd>{bug.solution || <span className="muted">none</span>}</dd>
            </dl>
          )}
        </section>
        <ChartCard
          title="Its occurrences"
          subtitle={detail.data ? `${detail.data.trend.total} in this range (${detail.data.trend.direction})` : undefined}
          testId="bug-detail-trend"
          state={chartState(detail, !chart || isEmpty(chart))}
          seriesCount={chart?.series.length ?? 0}
        >
          {chart && detail.data && (
            <TimeSeriesChart
              data={chart}
              bucket={detail.data.trend.bucket}
              unit="reports"
              format={(v) => formatCount(v)}
              kind="stacked-bar"
            />
          )}
        </ChartCard>
      </div>
      <h2>Regression tests of the {bug?.category ?? ''} category</h2>
      <div className="card" data-testid="bug-tests">
        {detail.data?.regressionTests.length === 0 && <p className="muted">No regression test covers this category yet.</p>}
        <ul>
          {detail.data?.regressionTests.map((t) => (
            <li key={t.id}>
              <Link href={`/tests?category=${encodeURIComponent(t.category)}#test-${t.id}`}>{t.testName}</Link> — {t.description}
            </li>
          ))}
        </ul>
        {detail.data?.regressionTestsTruncated && (
          <p className="muted small">
            The newest {detail.data.regressionTests.length} are listed:{' '}
            <Link href={`/tests?category=${encodeURIComponent(detail.data.pattern.category)}`}>all tests of this category →</Link>
          </p>
        )}
      </div>
    </>
  );
}
