import { DashboardControls } from '@/components/controls/DashboardControls';
import { parseDashboardParams, rangeOf, type SearchParams } from '@/components/controls/range';
import { HydrateClient, prefetch, taskTypesIn, trpc } from '@/components/trpc/server';
import { HeuristicsView } from '@/components/views/HeuristicsView';
import { ALL_RULES } from '@/components/views/inputs';

export const dynamic = 'force-dynamic';

export default async function HeuristicsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = parseDashboardParams(await searchParams);
  const range = rangeOf(params);
  const filter = { ...range, ...(params.taskType && { taskType: params.taskType }) };
  const [taskTypes] = await Promise.all([
    taskTypesIn(range),
    prefetch(trpc.routing.listHeuristics.queryOptions(ALL_RULES), trpc.routing.hitRates.queryOptions(filter)),
  ]);
  return (
    <HydrateClient>
      <div className="page-header">
        <div>
          <h1>Routing heuristics</h1>
          <p className="muted">Which rules fire and pay off; fix one on the spot.</p>
        </div>
        <DashboardControls params={params} taskTypes={taskTypes} />
      </div>
      <HeuristicsView filter={filter} />
    </HydrateClient>
  );
}
