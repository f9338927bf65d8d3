import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/auth/SignInForm';
import { safeNextPath } from '@/server/auth/next-path';
import { dashboardAccess } from '@/server/trpc/server-rendering';

export const dynamic = 'force-dynamic';

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const next = safeNextPath((await searchParams).next);
  const access = await dashboardAccess();
  if (!access.authRequired || access.signedInAs) redirect(next);
  return (
    <main className="sign-in">
      <h1>Sign in to Hone</h1>
      <p id="sign-in-help">
        This server requires an API key. A read key browses the dashboard; editing routing rules needs a write key. Create one with{' '}
        <code>npm run apikey -- create --name you --scope read</code>.
      </p>
      <SignInForm next={next} />
    </main>
  );
}
