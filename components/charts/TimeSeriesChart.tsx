'use client';

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { formatBucket } from '../format';
import { colorAt } from './palette';
import type { ChartMarker } from './prepare/heuristics';
import type { ChartData } from './prepare/rows';

/** Lines (or stacked bars) over a bucket axis; only renders what it is given. */
export function TimeSeriesChart({
  data,
  bucket,
  unit,
  format,
  kind = 'line',
  colors,
  height = 280,
  domain,
  markers = [],
}: {
  data: ChartData;
  bucket: 'hour' | 'day';
  /** Axis label, e.g. "%", "ms", "USD". */
  unit: string;
  format: (value: number) => string;
  kind?: 'line' | 'stacked-bar';
  colors?: Record<string, string>;
  height?: number;
  /** Y domain; default from zero to the data's maximum. */
  domain?: [number | ((dataMin: number) => number), number | 'auto'];
  /** Vertical lines at buckets (e.g. rule edits), each labelled. */
  markers?: readonly ChartMarker[];
}) {
  const color = (key: string, i: number) => colors?.[key] ?? colorAt(i);
  const axes = (
    <>
      <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
      <XAxis dataKey="t" tickFormatter={(t: string) => formatBucket(t, bucket)} minTickGap={24} fontSize={12} />
      <YAxis
        tickFormatter={(v: number) => format(v)}
        width={84}
        fontSize={12}
        domain={domain ?? [0, 'auto']}
        label={{ value: unit, angle: -90, position: 'insideLeft', fontSize: 12 }}
      />
      <Tooltip
        labelFormatter={(t) => (typeof t === 'string' ? formatBucket(t, bucket) : t)}
        formatter={(value) => (typeof value === 'number' ? format(value) : String(value ?? '–'))}
      />
      <Legend wrapperStyle={{ fontSize: 12 }} />
      {markers.map((marker) => (
        <ReferenceLine
          key={marker.t}
          x={marker.t}
          stroke="#9333ea"
          strokeDasharray="4 3"
          className="chart-marker"
          label={{ value: marker.label, position: 'insideTopRight', fontSize: 11, fill: '#6b21a8' }}
        />
      ))}
    </>
  );
  const style = { width: '100%', height };
  if (kind === 'stacked-bar') {
    return (
      <BarChart responsive style={style} data={data.rows}>
        {axes}
        {data.series.map((s, i) => (
          <Bar key={s.key} dataKey={s.key} name={s.label} stackId="stack" fill={color(s.label, i)} isAnimationActive={false} />
        ))}
      </BarChart>
    );
  }
  return (
    <LineChart responsive style={style} data={data.rows}>
      {axes}
      {data.series.map((s, i) => (
        <Line
          key={s.key}
          dataKey={s.key}
          name={s.label}
          stroke={color(s.label, i)}
          dot={false}
          strokeWidth={s.key === 'overall' ? 3 : 1.5}
          connectNulls={false}
          isAnimationActive={false}
          type="monotone"
        />
      ))}
    </LineChart>
  );
}
