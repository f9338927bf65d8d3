'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type { IsoRange } from '@/app/_lib/range';
import { ChartCard, chartState } from '../charts/ChartCard';
import { CostSuccessScatter } from '../charts/CostSuccessScatter';
import { costVsSuccess, modelKey, rankingsByTaskType, trendLines } from '../charts/prepare/models';
import { isEmpty } from '../charts/prepare/rows';
import { RankingBarChart } from '../charts/RankingBarChart';
import { TimeSeriesChart } from '../charts/TimeSeriesChart';
import { formatMs, formatPercent, formatUsd } from '../format';
import { LeaderboardTable, type SortState } from '../tables/LeaderboardTable';
import { useTRPC } from '../trpc/client';
import { AdaptiveSharesCard } from './AdaptiveSharesCard';

const DEFAULT_SORT: SortState = { sortBy: 'rank', direction: 'asc' };

export function ModelsView({ filter }: { filter: IsoRange & { taskType?: string } }) {
  const trpc = useTRPC();
  const [sort, setSort] = useState<SortState>(DEFAULT_SORT);
  const board = useQuery(trpc.modelPerformance.leaderboard.queryOptions(filter));
  const sortedBoard = useQuery({
    ...trpc.modelPerformance.leaderboard.queryOptions({ ...filter, ...sort }),
    enabled: sort !== DEFAULT_SORT,
    placeholderData: keepPreviousData,
  });
  const trends = useQuery(trpc.modelPerformance.trends.queryOptions(filter));

  const rankings = useMemo(() => rankingsByTaskType(board.data?.rows ?? []), [board.data]);
  const scatter = useMemo(() => costVsSuccess(board.data?.rows ?? []), [board.data]);
  const leaders = useMemo(
    () => (board.data?.rows ?? []).filter((r) => r.rank === 1).map((r) => modelKey(r.modelId, r.taskType)),
    [board.data],
  );
  const allKeys = useMemo(() => (trends.data?.series ?? []).map((s) => modelKey(s.modelId, s.taskType)), [trends.data]);
  const [picked, setPicked] = useState<string[] | null>(null);
  const chosen = useMemo(() => (picked ?? leaders).filter((k) => allKeys.includes(k)), [picked, leaders, allKeys]);
  const toggle = (key: string) => setPicked(chosen.includes(key) ? chosen.filter((k) => k !== key) : [...chosen, key]);

  const success = useMemo(() => (trends.data ? trendLines(trends.data, ['successRate'], chosen) : null), [trends.data, chosen]);
  const latency = useMemo(
    () => (trends.data ? trendLines(trends.data, ['p50LatencyMs', 'p95LatencyMs'], chosen) : null),
    [trends.data, chosen],
  );
  const cost = useMemo(() => (trends.data ? trendLines(trends.data, ['avgCost'], chosen) : null), [trends.data, chosen]);
  const bucket = trends.data?.bucket ?? 'day';
  const tableRows = (sort === DEFAULT_SORT ? board.data : (sortedBoard.data ?? board.data))?.rows ?? [];
  const noChosen = chosen.length === 0 ? 'Pick at least one model above.' : undefined;

  return (
    <>
      <h2>Ranking by task type</h2>
      <p className="muted small">
        Success rate over the range, best first (ties go to the lower average latency, then the lower cost, as in analyze_metrics); green is
        the leader, grey models have too few calls to rank. Hover for latency and cost.
      </p>
      {board.isPending || board.isError || rankings.length === 0 ? (
        <ChartCard
          title="Ranking"
          testId="ranking"
          state={chartState(board, rankings.length === 0)}
          seriesCount={0}
          error={board.error?.message}
        >
          {null}
        </ChartCard>
      ) : (
        <div className="grid three">
          {rankings.map((r) => (
            <ChartCard
              key={r.taskType}
              title={r.taskType}
              subtitle={`${r.bars.length} models`}
              testId={`ranking-${r.taskType}`}
              state="ready"
              seriesCount={r.bars.length}
            >
              <RankingBarChart bars={r.bars} />
            </ChartCard>
          ))}
        </div>
      )}

      <h2>Cost against success</h2>
      <ChartCard
        title="Cost vs success rate"
        subtitle="Up and to the left is better: the cheapest model within 2 points of the best is named in the legend."
        testId="cost-success"
        state={chartState(board, scatter.length === 0)}
        seriesCount={scatter.length}
        error={board.error?.message}
      >
        <CostSuccessScatter groups={scatter} />
      </ChartCard>

      <h2>Over time</h2>
      <div className="card">
        <p className="small muted" style={{ marginTop: 0 }}>
          Models shown in the charts below (default: the leader of each task type)
          {trends.data?.truncated ? `; only the ${allKeys.length} busiest can be picked here, choose a task type to see others` : ''}:
        </p>
        <div className="chips" data-testid="model-picker">
          {allKeys.map((k) => (
            <button
              type="button"
              key={k}
              className={`chip${chosen.includes(k) ? ' on' : ''}`}
              aria-pressed={chosen.includes(k)}
              onClick={() => toggle(k)}
            >
              {k}
            </button>
          ))}
        </div>
      </div>
      <div className="grid two" style={{ marginTop: '1rem' }}>
        <ChartCard
          title="Success rate"
          testId="trend-success"
          state={chartState(trends, !success || isEmpty(success))}
          seriesCount={success?.series.length ?? 0}
          error={trends.error?.message}
          emptyText={noChosen}
        >
          {success && (
            <TimeSeriesChart
              data={success}
              bucket={bucket}
              unit="%"
              format={(v) => formatPercent(v)}
              domain={[(min) => Math.max(0, Math.floor(min / 5) * 5 - 5), 100]}
            />
          )}
        </ChartCard>
        <ChartCard
          title="Latency p50 / p95"
          testId="trend-latency"
          state={chartState(trends, !latency || isEmpty(latency))}
          seriesCount={latency?.series.length ?? 0}
          error={trends.error?.message}
          emptyText={noChosen}
        >
          {latency && <TimeSeriesChart data={latency} bucket={bucket} unit="ms" format={formatMs} />}
        </ChartCard>
        <ChartCard
          title="Average cost per call"
          testId="trend-cost"
          state={chartState(trends, !cost || isEmpty(cost))}
          seriesCount={cost?.series.length ?? 0}
          error={trends.error?.message}
          emptyText={noChosen}
        >
          {cost && <TimeSeriesChart data={cost} bucket={bucket} unit="USD" format={formatUsd} />}
        </ChartCard>
      </div>

      <h2>Adaptive choice</h2>
      <AdaptiveSharesCard filter={filter} />

      <h2>All models</h2>
      <div className="card">
        {board.data ? (
          <>
            <LeaderboardTable rows={tableRows} minCalls={board.data.minCalls} sort={sort} onSort={setSort} />
            {board.data.truncated && (
              <p className="muted small">
                Only the first {board.data.rows.length} rows in this order are listed: choose a task type to see others.
              </p>
            )}
          </>
        ) : (
          <p className="muted">{board.isError ? `Could not load: ${board.error.message}` : 'Loading…'}</p>
        )}
      </div>
    </>
  );
}
