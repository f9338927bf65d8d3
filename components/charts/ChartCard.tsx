import type { ReactNode } from 'react';

export type ChartState = 'loading' | 'ready' | 'empty' | 'error';

/** The state of a chart from its query and prepared data. */
export function chartState(query: { isPending: boolean; isError: boolean }, empty: boolean): ChartState {
  if (query.isError) return 'error';
  if (query.isPending) return 'loading';
  return empty ? 'empty' : 'ready';
}

/**
 * A titled box around a chart that is never blank: it says when it is loading, has nothing to show, or failed.
 * data-state and data-series-count are what end-to-end tests read.
 */
export function ChartCard({
  title,
  subtitle,
  testId,
  state,
  seriesCount,
  error,
  emptyText = 'No data in this range.',
  actions,
  children,
}: {
  title: string;
  subtitle?: ReactNode;
  testId: string;
  state: ChartState;
  seriesCount: number;
  error?: string;
  emptyText?: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="card chart-card" data-testid={testId} data-state={state} data-series-count={state === 'ready' ? seriesCount : 0}>
      <header className="card-header">
        <div>
          <h3>{title}</h3>
          {subtitle && <p className="muted small">{subtitle}</p>}
        </div>
        {actions && <div className="card-actions">{actions}</div>}
      </header>
      {state === 'ready' && children}
      {state === 'loading' && <div className="chart-placeholder">Loading…</div>}
      {state === 'empty' && <div className="chart-placeholder">{emptyText}</div>}
      {state === 'error' && <div className="chart-placeholder error">Could not load: {error ?? 'unknown error'}</div>}
    </section>
  );
}
