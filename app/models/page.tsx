import { dashboardView, type SearchParams } from '@/app/_lib/range';
import { adaptiveSharesInput } from '@/app/_lib/view-inputs';
import { modelTrendsInput, trendChoices } from '@/components/charts/prepare/models';
import { DashboardControls } from '@/components/controls/DashboardControls';
import { HydrateClient } from '@/components/trpc/HydrateClient';
import { ModelsView } from '@/components/views/ModelsView';
import { getQueryClient, prefetch, taskTypes, trpc } from '@/server/trpc/server-rendering';

export const dynamic = 'force-dynamic';

export default async function ModelsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { params, filter } = dashboardView(await searchParams);
  const board = trpc.modelPerformance.leaderboard.queryOptions(filter);
  const [knownTaskTypes] = await Promise.all([
    taskTypes(),
    prefetch(board),
    prefetch(trpc.adaptive.policies.queryOptions(adaptiveSharesInput(filter))),
  ]);
  // The trends of the view's default choice (the leaders) only, asked as the view asks: not every series of the range.
  const rows = getQueryClient().getQueryData(board.queryKey)?.rows;
  if (rows) await prefetch(trpc.modelPerformance.trends.queryOptions(modelTrendsInput(filter, rows, trendChoices(rows).leaders)));
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
