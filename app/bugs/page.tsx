import { dashboardView, type SearchParams } from '@/app/_lib/range';
import { FIRST_BUG_PAGE } from '@/app/_lib/view-inputs';
import { DashboardControls } from '@/components/controls/DashboardControls';
import { HydrateClient } from '@/components/trpc/HydrateClient';
import { BugsView } from '@/components/views/BugsView';
import { prefetch, trpc } from '@/server/trpc/server-rendering';

export const dynamic = 'force-dynamic';

export default async function BugsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { params, range } = dashboardView(await searchParams);
  await prefetch(trpc.bugPatterns.trends.queryOptions(range), trpc.bugPatterns.list.queryOptions(FIRST_BUG_PAGE));
  return (
    <HydrateClient>
      <div className="page-header">
        <div>
          <h1>Bug patterns</h1>
          <p className="muted">Which bugs keep coming back, and which kind is rising.</p>
        </div>
        <DashboardControls params={params} />
      </div>
      <BugsView range={range} />
    </HydrateClient>
  );
}
