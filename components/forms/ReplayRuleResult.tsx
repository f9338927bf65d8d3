'use client';

import { useQuery } from '@tanstack/react-query';
import type { ReplayRoutingRuleInput } from '@/server/schemas/routing-replay';
import type { MetricProjection } from '@/server/services/routing/replay-compare';
import type { z } from 'zod';
import { ChartCard, chartState } from '../charts/ChartCard';
import { decisionEndLabel, replayTakeoverBars } from '../charts/prepare/replay';
import { isEmpty } from '../charts/prepare/rows';
import { TimeSeriesChart } from '../charts/TimeSeriesChart';
import { formatCount, formatDateTime, formatMs, formatPercent, formatUsd } from '../format';
import { useTRPC } from '../trpc/client';

const CHANGES_SHOWN = 5;
const BAR_COLORS = { 'taken over': '#d97706', unchanged: '#cbd5e1' };

function signed(delta: number, format: (value: number) => string): string {
  return `${delta >= 0 ? '+' : '−'}${format(Math.abs(delta))}`;
}

function Delta({
  name,
  value,
  format,
  formatDelta = format,
}: {
  name: string;
  value: MetricProjection | null;
  format: (value: number) => string;
  formatDelta?: (value: number) => string;
}) {
  if (!value) return <li>{name}: no measured figures</li>;
  return (
    <li>
      {name}: {format(value.before)} → {format(value.after)} on the decisions it changes (
      <strong>{signed(value.delta, formatDelta)}</strong>; over all replayed traffic {signed(value.deltaOverSample, formatDelta)})
    </li>
  );
}

const formatPoints = (value: number) => `${value.toFixed(1)} pts`;

/** What replay_routing_rule says about a rule not yet saved: takeovers, from → to, projected deltas and takeovers per day. */
export function ReplayRuleResult({ input }: { input: z.input<typeof ReplayRoutingRuleInput> }) {
  const trpc = useTRPC();
  // One answer per press of the button: a replay matches thousands of inputs twice, too much to repeat every refresh.
  const replay = useQuery({
    ...trpc.routing.replay.queryOptions(input),
    refetchInterval: false,
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  const result = replay.data;
  const bars = result ? replayTakeoverBars(result) : null;
  return (
    <div className="try-result" data-testid="replay-result" data-takeovers={result?.takeovers ?? ''} role="status">
      {replay.isPending && <>Replaying /{input.pattern}/ over the sampled decisions…</>}
      {replay.isError && (
        <p className="form-error" role="alert">
          {replay.error.message}
        </p>
      )}
      {result && (
        <>
          <div>
            Replayed <code>/{result.candidate.pattern}/</code> on <strong>{formatCount(result.sample.size)}</strong> sampled decision(s)
            {result.sample.firstAt && result.sample.lastAt && (
              <>
                {' '}
                from {formatDateTime(result.sample.firstAt)} to {formatDateTime(result.sample.lastAt)}
              </>
            )}
            {result.sample.truncated && <> (an even subset of {formatCount(result.sample.inRange)})</>}: it would decide{' '}
            <strong data-testid="replay-takeovers">{formatCount(result.takeovers)}</strong> differently
            {result.takeoverRate !== null && <> ({formatPercent(result.takeoverRate * 100)})</>}.
          </div>
          {result.changes.length > 0 && (
            <ul className="small">
              {result.changes.slice(0, CHANGES_SHOWN).map((c) => (
                <li key={`${c.taskType}|${decisionEndLabel(c.from)}|${decisionEndLabel(c.to)}`}>
                  {formatCount(c.decisions)} × {c.taskType || 'no task type'}: {decisionEndLabel(c.from)} → {decisionEndLabel(c.to)}
                </li>
              ))}
              {result.changes.length > CHANGES_SHOWN && <li>… and {result.changes.length - CHANGES_SHOWN} more</li>}
            </ul>
          )}
          {result.takeovers > 0 && (
            <>
              <div className="small">
                Projected from the models&apos; measured figures ({formatCount(result.projected.decisionsWithFigures)} changed decision(s)
                with figures, {formatCount(result.projected.decisionsWithoutFigures)} without):
              </div>
              <ul className="small" data-testid="replay-projection">
                <Delta
                  name="success rate"
                  value={result.projected.successRate}
                  format={(v) => formatPercent(v)}
                  formatDelta={formatPoints}
                />
                <Delta name="mean latency" value={result.projected.latencyMs} format={formatMs} />
                <Delta name="mean cost" value={result.projected.cost} format={formatUsd} />
              </ul>
            </>
          )}
          {result.notes.map((note) => (
            <div key={note} className="muted small">
              {note}
            </div>
          ))}
        </>
      )}
      <ChartCard
        title="Replayed decisions per day"
        subtitle="Taken over by this rule, and left as they are (last 7 days of sampled inputs)."
        testId="replay-chart"
        state={chartState(replay, !bars || isEmpty(bars))}
        seriesCount={bars?.series.length ?? 0}
        error={replay.error?.message}
        emptyText="No sampled decisions in this range."
      >
        {bars && (
          <TimeSeriesChart
            data={bars}
            bucket="day"
            unit="decisions"
            format={formatCount}
            kind="stacked-bar"
            colors={BAR_COLORS}
            height={200}
          />
        )}
      </ChartCard>
    </div>
  );
}
