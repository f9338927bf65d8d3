import type { RoutingReplay } from '@/server/services/routing/replay';
import type { DecisionEnd } from '@/server/services/routing/replay-compare';
import { rowsFromAligned, type ChartData } from './rows';

export const TAKEOVERS_KEY = 'takeovers';
export const UNCHANGED_KEY = 'unchanged';

/** Replayed decisions per day, stacked: those the candidate decides differently and those it leaves as they are. */
export function replayTakeoverBars(replay: Pick<RoutingReplay, 'series'>): ChartData {
  const { points } = replay.series;
  return rowsFromAligned(
    points.map((p) => p.t),
    [
      { spec: { key: TAKEOVERS_KEY, label: 'taken over' }, values: points.map((p) => p.takeovers) },
      { spec: { key: UNCHANGED_KEY, label: 'unchanged' }, values: points.map((p) => p.samples - p.takeovers) },
    ],
  );
}

/** Where a replayed decision went, in words: the candidate's ends carry its stand-in version id (negative). */
export function decisionEndLabel(end: DecisionEnd): string {
  const target = `${end.layer}${end.model ? ` / ${end.model}` : ''}`;
  if (end.ruleId === null) return `default layer (${target})`;
  if (end.versionId !== null && end.versionId < 0) return `this rule (${target})`;
  return `rule #${end.ruleId} (${target})`;
}
