import { ALL_EXPERIMENTS } from '@/app/_lib/view-inputs';
import { HydrateClient } from '@/components/trpc/HydrateClient';
import { ExperimentsView } from '@/components/views/ExperimentsView';
import { dashboardAccess, prefetch, trpc } from '@/server/trpc/server-rendering';

export const dynamic = 'force-dynamic';

export default async function ExperimentsPage() {
  const [access] = await Promise.all([
    dashboardAccess(),
    prefetch(trpc.experiments.list.queryOptions(ALL_EXPERIMENTS), trpc.routing.listHeuristics.queryOptions({ activeOnly: false })),
  ]);
  return (
    <HydrateClient>
      <div className="page-header">
        <div>
          <h1>Experiments</h1>
          <p className="muted">A/B tests of routing variants, with always-valid statistics: look as often as you like.</p>
        </div>
      </div>
      <ExperimentsView canEdit={access.canEdit} />
    </HydrateClient>
  );
}
