import { dashboardView, type SearchParams } from '@/app/_lib/range';
import { ALL_POLICIES, ALL_RULE_CHECKS, ALL_RULES, suggestionsInput } from '@/app/_lib/view-inputs';
import { DashboardControls } from '@/components/controls/DashboardControls';
import { HydrateClient } from '@/components/trpc/HydrateClient';
import { HeuristicsView } from '@/components/views/HeuristicsView';
import { dashboardAccess, prefetch, taskTypes, trpc } from '@/server/trpc/server-rendering';

export const dynamic = 'force-dynamic';

export default async function HeuristicsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { params, filter } = dashboardView(await searchParams);
  const [knownTaskTypes, access] = await Promise.all([
    taskTypes(),
    dashboardAccess(),
    prefetch(
      trpc.routing.listHeuristics.queryOptions(ALL_RULES),
      trpc.routing.hitRates.queryOptions(filter),
      trpc.routing.ruleStats.queryOptions(filter),
      trpc.routing.checkRules.queryOptions(ALL_RULE_CHECKS),
      trpc.routing.suggestions.queryOptions(suggestionsInput(filter)),
      trpc.adaptive.policies.queryOptions(ALL_POLICIES),
    ),
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
