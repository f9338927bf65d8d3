import type { LeaderboardRow } from '@/server/services/model-analysis';
import type { ModelTrends } from '@/server/services/model-trends';
import { rowsFromAligned, seriesKey, type ChartData } from './rows';

export interface RankingBar {
  modelId: string;
  successRate: number;
  avgLatencyMs: number;
  p50LatencyMs: number | null;
  avgCost: number;
  totalCalls: number;
  lowSample: boolean;
}

/** One ranking per task type, best first (as ranked by the leaderboard), low-sample models last. */
export function rankingsByTaskType(rows: readonly LeaderboardRow[]): { taskType: string; bars: RankingBar[] }[] {
  const groups = new Map<string, LeaderboardRow[]>();
  for (const row of rows) groups.set(row.taskType, [...(groups.get(row.taskType) ?? []), row]);
  return [...groups]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([taskType, members]) => ({
      taskType,
      bars: [...members]
        .sort((a, b) => Number(a.lowSample) - Number(b.lowSample) || (a.rank ?? 0) - (b.rank ?? 0) || b.successRate - a.successRate)
        .map((m) => ({
          modelId: m.modelId,
          successRate: m.successRate,
          avgLatencyMs: m.avgLatencyMs,
          p50LatencyMs: m.p50LatencyMs,
          avgCost: m.avgCost,
          totalCalls: m.totalCalls,
          lowSample: m.lowSample,
        })),
    }));
}

export interface ScatterPoint {
  modelId: string;
  taskType: string;
  avgCost: number;
  successRate: number;
  totalCalls: number;
  lowSample: boolean;
}

/**
 * Cost against success, one scatter series per task type. Within each task type the cheapest model
 * whose success rate is within `tolerancePoints` of the best is flagged: the cheapest good-enough one.
 */
export function costVsSuccess(
  rows: readonly LeaderboardRow[],
  tolerancePoints = 2,
): { taskType: string; points: ScatterPoint[]; cheapestGoodEnough: string | null }[] {
  return rankingsByTaskType(rows).map(({ taskType, bars }) => {
    const ranked = bars.filter((b) => !b.lowSample);
    const best = Math.max(...ranked.map((b) => b.successRate));
    const goodEnough = ranked.filter((b) => b.successRate >= best - tolerancePoints).sort((a, b) => a.avgCost - b.avgCost);
    return {
      taskType,
      points: bars.map((b) => ({
        modelId: b.modelId,
        taskType,
        avgCost: b.avgCost,
        successRate: b.successRate,
        totalCalls: b.totalCalls,
        lowSample: b.lowSample,
      })),
      cheapestGoodEnough: goodEnough[0]?.modelId ?? null,
    };
  });
}

export type TrendMetric = 'successRate' | 'p50LatencyMs' | 'p95LatencyMs' | 'avgCost';

export const modelKey = (modelId: string, taskType: string) => `${modelId} · ${taskType}`;

/**
 * One line per chosen (model, task type) of the given metrics, on the full bucket axis (gaps where a
 * model had no call). `chosen` holds modelKey()s; empty means every series.
 */
export function trendLines(trends: ModelTrends, metrics: readonly TrendMetric[], chosen: readonly string[] = []): ChartData {
  const picked = trends.series.filter((s) => chosen.length === 0 || chosen.includes(modelKey(s.modelId, s.taskType)));
  const lines = picked.flatMap((s) => {
    const byBucket = new Map(s.points.map((p) => [p.t, p]));
    return metrics.map((metric) => ({
      spec: {
        key: seriesKey(s.modelId, s.taskType, metric),
        label:
          metrics.length > 1
            ? `${modelKey(s.modelId, s.taskType)} ${metric === 'p50LatencyMs' ? 'p50' : metric === 'p95LatencyMs' ? 'p95' : metric}`
            : modelKey(s.modelId, s.taskType),
      },
      values: trends.buckets.map((t) => byBucket.get(t)?.[metric] ?? null),
    }));
  });
  return rowsFromAligned(trends.buckets, lines);
}

/** The most series the trend charts offer to pick, as get_model_trends answers at most (MAX_MODEL_TREND_SERIES). */
export const PICKABLE_TREND_SERIES = 25;

export interface TrendChoices {
  /** modelKey()s offered, by task type then model: the busiest PICKABLE_TREND_SERIES in the range, every leader among them. */
  keys: string[];
  /** The leader of each task type: the default choice. */
  leaders: string[];
  /** True when the range had more series than `keys`. */
  more: boolean;
}

/** What the trend charts offer to pick, from the leaderboard of the same range (so the trends need not carry every series). */
export function trendChoices(rows: readonly LeaderboardRow[], truncated = false): TrendChoices {
  const leaders = rows.filter((r) => r.rank === 1);
  const busiest = [...rows]
    .sort((a, b) => b.totalCalls - a.totalCalls || a.modelId.localeCompare(b.modelId) || a.taskType.localeCompare(b.taskType))
    .slice(0, PICKABLE_TREND_SERIES);
  const offered = new Map([...busiest, ...leaders].map((r) => [modelKey(r.modelId, r.taskType), r]));
  const keys = [...offered.values()]
    .sort((a, b) => a.taskType.localeCompare(b.taskType) || a.modelId.localeCompare(b.modelId))
    .map((r) => modelKey(r.modelId, r.taskType));
  return { keys, leaders: leaders.map((r) => modelKey(r.modelId, r.taskType)), more: truncated || rows.length > keys.length };
}

/**
 * get_model_trends' input for the chosen series: only their models, each once and sorted, so that the page's
 * prefetch and the view ask alike; every model (the busiest series) when none is chosen.
 */
export function modelTrendsInput<F extends object>(
  filter: F,
  rows: readonly LeaderboardRow[],
  chosen: readonly string[],
): F | (F & { modelIds: string[] }) {
  const modelIds = [...new Set(rows.filter((r) => chosen.includes(modelKey(r.modelId, r.taskType))).map((r) => r.modelId))].sort();
  return modelIds.length ? { ...filter, modelIds } : filter;
}
