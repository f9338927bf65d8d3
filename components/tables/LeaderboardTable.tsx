'use client';

import type { LeaderboardRow } from '@/server/services/model-analysis';
import type { LeaderboardSortKey } from '@/server/schemas/model-performance';
import { formatCount, formatMs, formatPercent, formatUsd } from '../format';

const COLUMNS: { key: LeaderboardSortKey; label: string; numeric?: boolean }[] = [
  { key: 'rank', label: 'Rank' },
  { key: 'modelId', label: 'Model' },
  { key: 'taskType', label: 'Task type' },
  { key: 'successRate', label: 'Success', numeric: true },
  { key: 'avgLatencyMs', label: 'Avg latency', numeric: true },
  { key: 'p50LatencyMs', label: 'p50 latency', numeric: true },
  { key: 'p95LatencyMs', label: 'p95 latency', numeric: true },
  { key: 'avgCost', label: 'Avg cost', numeric: true },
  { key: 'totalCalls', label: 'Calls', numeric: true },
];

export interface SortState {
  sortBy: LeaderboardSortKey;
  direction: 'asc' | 'desc';
}

/** The leaderboard sorted on the server; clicking a header asks for another order. */
export function LeaderboardTable({
  rows,
  minCalls,
  sort,
  onSort,
}: {
  rows: LeaderboardRow[];
  minCalls: number;
  sort: SortState;
  onSort: (next: SortState) => void;
}) {
  const toggle = (key: LeaderboardSortKey) =>
    onSort({
      sortBy: key,
      direction:
        sort.sortBy === key ? (sort.direction === 'asc' ? 'desc' : 'asc') : key === 'successRate' || key === 'totalCalls' ? 'desc' : 'asc',
    });
  return (
    <table className="data" data-testid="leaderboard-table">
      <thead>
        <tr>
          {COLUMNS.map((c) => (
            <th
              key={c.key}
              className={c.numeric ? 'num' : undefined}
              aria-sort={sort.sortBy === c.key ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'}
            >
              <button type="button" className="sort" onClick={() => toggle(c.key)}>
                {c.label} {sort.sortBy === c.key ? (sort.direction === 'asc' ? '▲' : '▼') : ''}
              </button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.modelId}/${r.taskType}`} className={r.lowSample ? 'low-sample' : undefined}>
            <td>{r.rank ?? '–'}</td>
            <td>
              {r.modelId}{' '}
              {r.lowSample && (
                <span className="badge warn" title={`Fewer than ${minCalls} calls in this range: not ranked`}>
                  low sample
                </span>
              )}
            </td>
            <td>{r.taskType}</td>
            <td className="num">{formatPercent(r.successRate)}</td>
            <td className="num">{formatMs(r.avgLatencyMs)}</td>
            <td className="num">{formatMs(r.p50LatencyMs)}</td>
            <td className="num">{formatMs(r.p95LatencyMs)}</td>
            <td className="num">{formatUsd(r.avgCost)}</td>
            <td className="num">{formatCount(r.totalCalls)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
