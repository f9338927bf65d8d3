import { dashboardView, firstParam, type SearchParams } from '@/app/_lib/range';
import { METRIC_NAMES } from '@/app/_lib/view-inputs';
import { DashboardControls } from '@/components/controls/DashboardControls';
import { HydrateClient } from '@/components/trpc/HydrateClient';
import { MetricsView } from '@/components/views/MetricsView';
import { getQueryClient, prefetch, trpc } from '@/server/trpc/server-rendering';

export const dynamic = 'force-dynamic';

export default async function MetricsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const query = await searchParams;
  const { params, range } = dashboardView(query);
  const names = await getQueryClient().fetchQuery(trpc.metrics.names.queryOptions(METRIC_NAMES));
  // The same choice the view makes: the asked metric if it exists, else the first; the group key only if the metric has it.
  const chosen = names.find((n) => n.name === firstParam(query.metric)) ?? names[0];
  const groupBy = firstParam(query.groupBy);
  const key = groupBy && chosen?.contextKeys.includes(groupBy) ? groupBy : undefined;
  if (chosen) await prefetch(trpc.metrics.series.queryOptions({ ...range, name: chosen.name, ...(key && { groupBy: key }) }));
  return (
    <HydrateClient>
      <div className="page-header">
        <div>
          <h1>Metrics</h1>
          <p className="muted">System metrics over time, with their unit, split by a context key.</p>
        </div>
        <DashboardControls params={params} />
      </div>
      <MetricsView range={range} metric={firstParam(query.metric)} groupBy={groupBy} />
    </HydrateClient>
  );
}
