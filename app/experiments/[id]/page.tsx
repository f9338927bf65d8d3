import Link from 'next/link';
import { notFound } from 'next/navigation';
import { HydrateClient } from '@/components/trpc/HydrateClient';
import { ExperimentDetailView } from '@/components/views/ExperimentsView';
import { dashboardAccess, trpc, prefetch } from '@/server/trpc/server-rendering';

export const dynamic = 'force-dynamic';

export default async function ExperimentPage({ params }: { params: Promise<{ id: string }> }) {
  const id = Number((await params).id);
  if (!Number.isInteger(id) || id <= 0 || id > 2_147_483_647) notFound();
  const [access] = await Promise.all([dashboardAccess(), prefetch(trpc.experiments.get.queryOptions({ id }))]);
  return (
    <HydrateClient>
      <div className="page-header">
        <div>
          <p className="small">
            <Link href="/experiments">← All experiments</Link>
          </p>
          <h1>Experiment #{id}</h1>
        </div>
      </div>
      <ExperimentDetailView id={id} canEdit={access.canEdit} />
    </HydrateClient>
  );
}
