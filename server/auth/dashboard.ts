import { headers } from 'next/headers';
import type { RequestAuth } from './request-auth';

/** What the signed-in person may do in the dashboard, for pages to show or hide editing controls. */
export interface DashboardAccess {
  authRequired: boolean;
  signedInAs: string | null;
  canEdit: boolean;
}

/** Read off the request's own authentication, so pages and the API can never disagree on who may edit. */
export function dashboardAccessOf(auth: RequestAuth): DashboardAccess {
  if (auth.mode === 'off') return { authRequired: false, signedInAs: null, canEdit: true };
  return { authRequired: true, signedInAs: auth.principal?.name ?? null, canEdit: auth.principal?.scope === 'write' };
}

/** Cookies are Secure when the page was served over HTTPS (directly or behind a proxy that says so). */
export async function servedOverHttps(): Promise<boolean> {
  const requestHeaders = await headers();
  return (requestHeaders.get('x-forwarded-proto') ?? '').split(',')[0]!.trim() === 'https';
}
