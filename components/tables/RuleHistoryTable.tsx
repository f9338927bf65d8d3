'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { RuleStats } from '@/server/services/routing/rule-stats';
import { displacedSummary, measuredSuccess, versionRows } from '../charts/prepare/heuristics';
import { formatCount, formatDateTime, formatMs, formatPercent, formatUsd } from '../format';
import { useTRPC } from '../trpc/client';

const show = (value: string | number | null) => (value === null ? '–' : String(value));

/**
 * A rule's versions, newest first: who changed what and when, and what each version measured in the range
 * (hits or shadow counts, measured beside stated success, latency, cost). Read when the row is opened.
 */
export function RuleHistoryTable({
  ruleId,
  stats,
  versionsOf,
}: {
  ruleId: number;
  stats: RuleStats | undefined;
  versionsOf: ReadonlyMap<number, number>;
}) {
  const trpc = useTRPC();
  const history = useQuery(trpc.routing.ruleHistory.queryOptions({ id: ruleId }));
  const rows = useMemo(() => (history.data ? versionRows(history.data, stats) : []), [history.data, stats]);
  if (history.isPending) return <p className="muted">Loading the history…</p>;
  if (history.isError) return <p className="form-error">Could not load the history: {history.error.message}</p>;
  return (
    <table className="data nested" data-testid={`rule-history-${ruleId}`}>
      <thead>
        <tr>
          <th>Version</th>
          <th>When</th>
          <th>Who</th>
          <th>What changed</th>
          <th>State</th>
          <th className="num">Hits / would have matched</th>
          <th className="num">Measured success</th>
          <th className="num">Stated</th>
          <th className="num">Mean latency</th>
          <th className="num">Mean cost</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((v) => (
          <tr key={v.versionId} data-version={v.version} data-change={v.change}>
            <td>
              v{v.version} <span className="muted small">{v.change}</span>
            </td>
            <td className="small">{formatDateTime(v.changedAt)}</td>
            <td>{v.changedBy ?? <span className="muted">–</span>}</td>
            <td className="small">
              {v.change === 'deleted'
                ? 'deleted the rule'
                : v.changes.map((c) => (
                    <div key={c.field}>
                      {c.field}:{' '}
                      {v.change === 'created' ? (
                        <code>{show(c.to)}</code>
                      ) : (
                        <>
                          <code>{show(c.from)}</code> → <code>{show(c.to)}</code>
                        </>
                      )}
                    </div>
                  ))}
            </td>
            <td>{v.state}</td>
            <td className="num">
              {v.stats === null
                ? '–'
                : v.state === 'shadow' || v.stats.shadowHits > 0
                  ? `${formatCount(v.stats.shadowHits)} matched, ${formatCount(v.stats.wouldDecide)} would decide`
                  : formatCount(v.stats.hits)}
              {v.stats && v.stats.displaced.length > 0 && (
                <div className="muted small">displaced {displacedSummary(v.stats.displaced, versionsOf)}</div>
              )}
            </td>
            <td className="num">{v.stats ? measuredSuccess(v.stats.outcomes) : '–'}</td>
            <td className="num">{formatPercent(v.statedSuccessRate)}</td>
            <td className="num">{formatMs(v.stats?.outcomes.meanLatencyMs)}</td>
            <td className="num">{formatUsd(v.stats?.outcomes.meanCost)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
