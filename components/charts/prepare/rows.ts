// Charts take rows (one per x value) with one property per series. These helpers build them.

export interface SeriesSpec {
  /** Property name in each row. */
  key: string;
  /** What the legend and tooltip show. */
  label: string;
}

export interface ChartData {
  rows: Record<string, number | string | null>[];
  series: SeriesSpec[];
}

/** Aligned per-bucket values -> rows keyed by bucket start (`t`). */
export function rowsFromAligned(buckets: readonly string[], series: { spec: SeriesSpec; values: readonly (number | null)[] }[]): ChartData {
  const rows = buckets.map((t, i) => {
    const row: Record<string, number | string | null> = { t };
    for (const s of series) row[s.spec.key] = s.values[i] ?? null;
    return row;
  });
  return { rows, series: series.map((s) => s.spec) };
}

/** True when no series has a single plotted value. */
export function isEmpty(data: ChartData): boolean {
  return data.series.length === 0 || !data.rows.some((row) => data.series.some((s) => row[s.key] != null && row[s.key] !== 0));
}

/** Property names must be safe keys for recharts' dataKey (no dots, which it reads as paths). */
export const seriesKey = (...parts: (string | number)[]) => `s_${parts.join('_').replace(/[^A-Za-z0-9_-]/g, '_')}`;
