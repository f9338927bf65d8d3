'use client';

import { useActionState } from 'react';
import { signIn, type SignInState } from '@/server/auth/actions';

export function SignInForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signIn, { error: null });
  return (
    <form action={action} className="sign-in-form" aria-describedby="sign-in-help">
      <input type="hidden" name="next" value={next} />
      <label htmlFor="apiKey">API key</label>
      <input
        id="apiKey"
        name="apiKey"
        type="password"
        autoComplete="off"
        placeholder="hone_…"
        required
        aria-invalid={state.error ? true : undefined}
        aria-errormessage={state.error ? 'apiKey-error' : undefined}
      />
      {state.error && (
        <p id="apiKey-error" role="alert" className="field-error">
          {state.error}
        </p>
      )}
      <button type="submit" className="primary" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

export function SignOutButton({ signOut }: { signOut: () => Promise<void> }) {
  return (
    <form action={signOut}>
      <button type="submit">Sign out</button>
    </form>
  );
}
