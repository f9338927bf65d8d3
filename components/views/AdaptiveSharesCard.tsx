'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type { IsoRange } from '@/app/_lib/range';
import { adaptiveSharesInput } from '@/app/_lib/view-inputs';
import { ChartCard, chartState } from '../charts/ChartCard';
import { defaultShareSeries, shareLines, shareSeriesOptions } from '../charts/prepare/adaptive';
import { isEmpty } from '../charts/prepare/rows';
import { TimeSeriesChart } from '../charts/TimeSeriesChart';
import { formatPercent } from '../format';
import { useTRPC } from '../trpc/client';

/** Each candidate model's share of an adaptive policy's traffic for one task type, over the page's range. */
export function AdaptiveSharesCard({ filter }: { filter: IsoRange & { taskType?: string } }) {
  const trpc = useTRPC();
  const history = useQuery(trpc.adaptive.policies.queryOptions(adaptiveSharesInput(filter)));
  const options = useMemo(() => shareSeriesOptions(history.data?.policies ?? []), [history.data]);
  const [picked, setPicked] = useState<string | null>(null);
  const chosen = picked !== null && options.some((option) => option.key === picked) ? picked : defaultShareSeries(options, filter.taskType);
  const lines = useMemo(() => shareLines(history.data?.policies ?? [], chosen), [history.data, chosen]);
  return (
    <ChartCard
      title="Adaptive shares over time"
      subtitle="Each candidate's share of the policy's traffic for the task type, as Hone recomputed it from outcomes (Thompson sampling)."
      testId="adaptive-shares"
      state={chartState(history, options.length === 0 || isEmpty(lines))}
      seriesCount={lines.series.length}
      error={history.error?.message}
      emptyText="No adaptive policy recomputed shares in this range (save_routing_policy, then report outcomes)."
      actions={
        options.length > 1 && (
          <select aria-label="Policy and task type" value={chosen ?? ''} onChange={(event) => setPicked(event.target.value)}>
            {options.map((option) => (
              <option key={option.key} value={option.key}>
                {option.label}
              </option>
            ))}
          </select>
        )
      }
    >
      <TimeSeriesChart data={lines} bucket="hour" unit="% of traffic" format={(v) => formatPercent(v)} domain={[0, 100]} />
    </ChartCard>
  );
}
