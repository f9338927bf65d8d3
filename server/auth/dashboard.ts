import { cookies, headers } from 'next/headers';
import { getPrisma } from '../db';
import { authMode } from '../env';
import { principalForKeyId } from '../services/api-keys';
import { SESSION_COOKIE, verifySession } from './session';

/** What the signed-in person may do in the dashboard, for pages to show or hide editing controls. */
export interface DashboardAccess {
  authRequired: boolean;
  signedInAs: string | null;
  canEdit: boolean;
}

export async function dashboardAccess(): Promise<DashboardAccess> {
  if (authMode() === 'off') return { authRequired: false, signedInAs: null, canEdit: true };
  const session = await verifySession((await cookies()).get(SESSION_COOKIE)?.value);
  const principal = session ? await principalForKeyId(await getPrisma(), session.keyId) : null;
  return { authRequired: true, signedInAs: principal?.name ?? null, canEdit: principal?.scope === 'write' };
}

/** Cookies are Secure when the page was served over HTTPS (directly or behind a proxy that says so). */
export async function servedOverHttps(): Promise<boolean> {
  const requestHeaders = await headers();
  return (requestHeaders.get('x-forwarded-proto') ?? '').split(',')[0]!.trim() === 'https';
}
