import { DashboardControls } from '@/components/controls/DashboardControls';
import { dashboardView, type SearchParams } from '@/components/controls/range';
import { dashboardAccess, HydrateClient, prefetch, taskTypes, trpc } from '@/components/trpc/server';
import { HeuristicsView } from '@/components/views/HeuristicsView';
import { ALL_RULES } from '@/components/views/inputs';

export const dynamic = 'force-dynamic';

export default async function HeuristicsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { params, filter } = dashboardView(await searchParams);
  const [knownTaskTypes, access] = await Promise.all([
    taskTypes(),
    dashboardAccess(),
    prefetch(trpc.routing.listHeuristics.queryOptions(ALL_RULES), trpc.routing.hitRates.queryOptions(filter)),
  ]);
  return (
    <HydrateClient>
      <div className="page-header">
        <div>
          <h1>Routing heuristics</h1>
          <p className="muted">Which rules fire and pay off; fix one on the spot.</p>
        </div>
        <DashboardControls params={params} taskTypes={knownTaskTypes} />
      </div>
      <HeuristicsView filter={filter} canEdit={access.canEdit} />
    </HydrateClient>
  );
}
