'use server';

import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { getPrisma } from '../db';
import { verifyApiKey } from '../services/api-keys';
import { servedOverHttps } from './dashboard';
import { safeNextPath } from './next-path';
import { SESSION_COOKIE, SESSION_TTL_SECONDS, signSession } from './session';
import { clientAddress, signInLimiter } from './sign-in-limit';

export interface SignInState {
  error: string | null;
}

// A sign-in from another origin is refused before it gets here (the proxy's host/origin rule, then Next's own
// check of server actions), so a sign-in cannot be forced by another site either.
export async function signIn(_previous: SignInState, form: FormData): Promise<SignInState> {
  const entered = form.get('apiKey');
  const key = typeof entered === 'string' ? entered.trim() : '';
  if (!key) return { error: 'Paste an API key' };
  const address = clientAddress(await headers());
  const wait = signInLimiter().retryAfterSeconds(address);
  if (wait > 0) return { error: `Too many failed sign-ins from your address; try again in ${wait} s` };
  const principal = await verifyApiKey(await getPrisma(), key);
  if (!principal) {
    signInLimiter().recordFailure(address);
    return { error: 'This API key is not valid (unknown or revoked)' };
  }
  (await cookies()).set(SESSION_COOKIE, await signSession(principal), {
    httpOnly: true,
    sameSite: 'strict',
    secure: await servedOverHttps(),
    path: '/',
    maxAge: SESSION_TTL_SECONDS,
  });
  redirect(safeNextPath(form.get('next')));
}

export async function signOut(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
  redirect('/sign-in');
}
