import { dashboardView, type SearchParams } from '@/app/_lib/range';
import { reportInput } from '@/app/_lib/view-inputs';
import { DashboardControls } from '@/components/controls/DashboardControls';
import { ToolTable } from '@/components/ToolTable';
import { HydrateClient } from '@/components/trpc/HydrateClient';
import { OverviewView } from '@/components/views/OverviewView';
import { tools } from '@/server/tools/registry';
import { prefetch, taskTypes, trpc } from '@/server/trpc/server-rendering';

export const dynamic = 'force-dynamic';

export default async function OverviewPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { params, range, filter } = dashboardView(await searchParams);
  const [knownTaskTypes] = await Promise.all([
    taskTypes(),
    prefetch(
      trpc.modelPerformance.report.queryOptions(reportInput(params.taskType)),
      trpc.routing.hitRates.queryOptions(filter),
      trpc.bugPatterns.trends.queryOptions(range),
    ),
  ]);
  return (
    <HydrateClient>
      <div className="page-header">
        <div>
          <h1>Overview</h1>
          <p className="muted">The self-improvement report at a glance. The gateway calls Hone through tRPC at /api/trpc.</p>
        </div>
        <DashboardControls params={params} taskTypes={knownTaskTypes} />
      </div>
      <OverviewView filter={filter} />
      <details className="card tools" style={{ marginTop: '1.5rem' }}>
        <summary>Operations ({tools.length} tools)</summary>
        <ToolTable tools={tools} />
      </details>
    </HydrateClient>
  );
}
