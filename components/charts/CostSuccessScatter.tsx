'use client';

import { CartesianGrid, Legend, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import { formatPercent, formatUsd } from '../format';
import { colorAt } from './palette';
import type { ScatterPoint } from './prepare/models';

/** Average cost per call (log scale) against success rate; one series per task type. */
/** Log-scale ticks at 1-3-10 steps covering every cost shown. */
function costTicks(costs: number[]): number[] {
  const positive = costs.filter((c) => c > 0);
  if (!positive.length) return [];
  const lo = Math.floor(Math.log10(Math.min(...positive)));
  const hi = Math.ceil(Math.log10(Math.max(...positive)));
  return Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i))
    .flatMap((d) => [d, 3 * d])
    .filter((t) => t <= 10 ** hi);
}

export function CostSuccessScatter({
  groups,
}: {
  groups: { taskType: string; points: ScatterPoint[]; cheapestGoodEnough: string | null }[];
}) {
  const ticks = costTicks(groups.flatMap((g) => g.points.map((p) => p.avgCost)));
  const lowest = Math.min(...groups.flatMap((g) => g.points.map((p) => p.successRate)));
  return (
    <ScatterChart responsive style={{ width: '100%', height: 320 }} margin={{ right: 24 }}>
      <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
      <XAxis
        type="number"
        dataKey="avgCost"
        name="Avg cost"
        scale="log"
        domain={[ticks[0] ?? 'auto', ticks[ticks.length - 1] ?? 'auto']}
        ticks={ticks}
        tickFormatter={(v: number) => formatUsd(v)}
        fontSize={12}
        label={{ value: 'avg cost per call (USD, log)', position: 'insideBottom', offset: -4, fontSize: 12 }}
      />
      <YAxis
        type="number"
        dataKey="successRate"
        name="Success"
        domain={[Math.max(0, Math.floor(lowest / 5) * 5 - 5), 100]}
        tickFormatter={(v: number) => `${Math.round(v)}%`}
        fontSize={12}
        label={{ value: 'success %', angle: -90, position: 'insideLeft', fontSize: 12 }}
      />
      <ZAxis type="number" dataKey="calls" range={[60, 400]} name="Calls" />
      <Tooltip
        content={({ active, payload }) => {
          const p = active ? (payload?.[0]?.payload as ScatterPoint | undefined) : undefined;
          if (!p) return null;
          return (
            <div className="tooltip">
              <strong>{p.modelId}</strong> ({p.taskType})<div>Success {formatPercent(p.successRate)}</div>
              <div>Avg cost {formatUsd(p.avgCost)}</div>
              <div>
                {p.totalCalls.toLocaleString('en')} calls{p.lowSample ? ' · low sample' : ''}
              </div>
            </div>
          );
        }}
      />
      <Legend wrapperStyle={{ fontSize: 12, paddingTop: 8 }} />
      {groups.map((g, i) => (
        <Scatter
          key={g.taskType}
          name={g.cheapestGoodEnough ? `${g.taskType} (cheapest good enough: ${g.cheapestGoodEnough})` : g.taskType}
          data={g.points}
          fill={colorAt(i)}
          isAnimationActive={false}
        />
      ))}
    </ScatterChart>
  );
}
