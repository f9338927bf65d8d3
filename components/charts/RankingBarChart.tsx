'use client';

import { Bar, BarChart, CartesianGrid, Cell, Tooltip, XAxis, YAxis } from 'recharts';
import { formatMs, formatPercent, formatUsd } from '../format';
import type { RankingBar } from './prepare/models';

/** Success rate per model, best first; low-sample models greyed. Latency and cost in the tooltip. */
export function RankingBarChart({ bars }: { bars: RankingBar[] }) {
  const floor = Math.max(0, Math.floor(Math.min(...bars.map((b) => b.successRate)) / 10) * 10 - 10);
  return (
    <BarChart
      responsive
      style={{ width: '100%', height: 40 + bars.length * 34 }}
      data={bars}
      layout="vertical"
      margin={{ left: 8, right: 24 }}
    >
      <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" horizontal={false} />
      <XAxis type="number" domain={[floor, 100]} tickFormatter={(v: number) => `${v}%`} fontSize={12} />
      <YAxis type="category" dataKey="modelId" width={130} fontSize={12} />
      <Tooltip
        content={({ active, payload }) => {
          const bar = active ? (payload?.[0]?.payload as RankingBar | undefined) : undefined;
          if (!bar) return null;
          return (
            <div className="tooltip">
              <strong>{bar.modelId}</strong>
              <div>Success {formatPercent(bar.successRate)}</div>
              <div>
                Avg latency {formatMs(bar.avgLatencyMs)} (p50 {formatMs(bar.p50LatencyMs)})
              </div>
              <div>Avg cost {formatUsd(bar.avgCost)}</div>
              <div>
                {bar.totalCalls.toLocaleString('en')} calls{bar.lowSample ? ' · low sample' : ''}
              </div>
            </div>
          );
        }}
      />
      <Bar
        dataKey="successRate"
        name="Success rate (%)"
        isAnimationActive={false}
        label={{ position: 'right', fontSize: 11, formatter: (v: unknown) => formatPercent(Number(v)) }}
      >
        {bars.map((b, i) => (
          <Cell key={b.modelId} fill={b.lowSample ? '#d1d5db' : i === 0 ? '#16a34a' : '#2563eb'} />
        ))}
      </Bar>
    </BarChart>
  );
}
