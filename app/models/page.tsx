import { dashboardView, type SearchParams } from '@/app/_lib/range';
import { DashboardControls } from '@/components/controls/DashboardControls';
import { HydrateClient } from '@/components/trpc/HydrateClient';
import { ModelsView } from '@/components/views/ModelsView';
import { prefetch, taskTypes, trpc } from '@/server/trpc/server-rendering';

export const dynamic = 'force-dynamic';

export default async function ModelsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { params, filter } = dashboardView(await searchParams);
  const [knownTaskTypes] = await Promise.all([
    taskTypes(),
    prefetch(trpc.modelPerformance.leaderboard.queryOptions(filter), trpc.modelPerformance.trends.queryOptions(filter)),
  ]);
  return (
    <HydrateClient>
      <div className="page-header">
        <div>
          <h1>Models</h1>
          <p className="muted">Which model is best for a task type, at what latency and cost.</p>
        </div>
        <DashboardControls params={params} taskTypes={knownTaskTypes} />
      </div>
      <ModelsView filter={filter} />
    </HydrateClient>
  );
}
