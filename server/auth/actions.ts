'use server';

import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { getPrisma } from '../db';
import { verifyApiKey } from '../services/api-keys';
import { servedOverHttps } from './dashboard';
import { SESSION_COOKIE, SESSION_TTL_SECONDS, signSession } from './session';

export interface SignInState {
  error: string | null;
}

/** Only a path on this site: an open redirect would let a link send someone elsewhere after signing in. */
function localPath(next: FormDataEntryValue | null): string {
  const path = typeof next === 'string' ? next : '';
  return path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\') ? path : '/';
}

// Server actions refuse requests whose Origin is not this host (Next's own CSRF check), so a sign-in cannot be
// forced by another site either.
export async function signIn(_previous: SignInState, form: FormData): Promise<SignInState> {
  const key = String(form.get('apiKey') ?? '').trim();
  if (!key) return { error: 'Paste an API key' };
  const principal = await verifyApiKey(await getPrisma(), key);
  if (!principal) return { error: 'This API key is not valid (unknown or revoked)' };
  (await cookies()).set(SESSION_COOKIE, await signSession(principal), {
    httpOnly: true,
    sameSite: 'strict',
    secure: await servedOverHttps(),
    path: '/',
    maxAge: SESSION_TTL_SECONDS,
  });
  redirect(localPath(form.get('next')));
}

export async function signOut(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
  redirect('/sign-in');
}
