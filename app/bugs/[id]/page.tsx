import Link from 'next/link';
import { notFound } from 'next/navigation';
import { dashboardView, type SearchParams } from '@/app/_lib/range';
import { DashboardControls } from '@/components/controls/DashboardControls';
import { HydrateClient } from '@/components/trpc/HydrateClient';
import { BugDetailView } from '@/components/views/BugsView';
import { prefetch, trpc } from '@/server/trpc/server-rendering';

export const dynamic = 'force-dynamic';

export default async function BugDetailPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<SearchParams>;
}) {
  const id = Number((await params).id);
  if (!Number.isInteger(id) || id <= 0) notFound();
  const { params: dashboard, range } = dashboardView(await searchParams);
  await prefetch(trpc.bugPatterns.get.queryOptions({ id, ...range }));
  return (
    <HydrateClient>
      <div className="page-header">
        <div>
          <p className="small">
            <Link href="/bugs">← All bug patterns</Link>
          </p>
          <h1>Bug pattern #{id}</h1>
        </div>
        <DashboardControls params={dashboard} />
      </div>
      <BugDetailView id={id} range={range} />
    </HydrateClient>
  );
}
