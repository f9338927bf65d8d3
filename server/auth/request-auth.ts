import type { PrismaClient } from '../db/client';
import { authMode, type AuthMode } from '../env';
import { HoneError } from '../errors';
import { principalForKeyId, verifyApiKey, type Principal } from '../services/api-keys';
import { addressCaller, keyCaller } from './rate-limit';
import { readCookie, SESSION_COOKIE, verifySession } from './session';
import { clientAddress } from './sign-in-limit';

/** What a request proved about its caller. Every face (tRPC, REST, MCP, dashboard) builds one and asks `authorize`. */
export interface RequestAuth {
  mode: AuthMode;
  principal: Principal | null;
  /** A session cookie rides along on requests other sites trigger, so it cannot vouch for a state change on its own. */
  via: 'bearer' | 'session' | null;
  /** Set when an Authorization header was sent but named no valid key. */
  badCredential: boolean;
  /** The request was sent by a page of another origin (Origin / Sec-Fetch-Site). */
  crossOrigin: boolean;
  /**
   * Whom the rate limit counts its calls against (server/auth/rate-limit.ts): its key, or with authentication off the
   * connection's address; null for an internal caller, and for a request without a valid key (which is refused).
   */
  caller: string | null;
}

/** For tests and internal callers: everything is allowed, nothing is rate limited. */
export const OPEN_AUTH: RequestAuth = { mode: 'off', principal: null, via: null, badCredential: false, crossOrigin: false, caller: null };

function isCrossOrigin(headers: Headers): boolean {
  const fetchSite = headers.get('sec-fetch-site');
  if (fetchSite === 'cross-site' || fetchSite === 'same-site') return true;
  const origin = headers.get('origin');
  if (!origin) return false;
  const ownHost = headers.get('x-forwarded-host') ?? headers.get('host');
  try {
    return new URL(origin).host !== ownHost;
  } catch {
    return true;
  }
}

export interface AuthenticateOptions {
  mode?: AuthMode;
  /** Whether the dashboard's session cookie counts. MCP takes bearer keys only: agents have no cookies to lose. */
  acceptSession?: boolean;
}

export async function authenticate(
  prisma: PrismaClient,
  headers: Headers,
  { mode = authMode(), acceptSession = true }: AuthenticateOptions = {},
): Promise<RequestAuth> {
  const crossOrigin = isCrossOrigin(headers);
  if (mode === 'off') return { ...OPEN_AUTH, crossOrigin, caller: addressCaller(clientAddress(headers)) };

  const authorization = headers.get('authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const principal = match ? await verifyApiKey(prisma, match[1]!) : null;
    return { mode, principal, via: principal ? 'bearer' : null, badCredential: !principal, crossOrigin, caller: callerOf(principal) };
  }
  if (!acceptSession) return { mode, principal: null, via: null, badCredential: false, crossOrigin, caller: null };
  const session = await verifySession(readCookie(headers, SESSION_COOKIE));
  const principal = session ? await principalForKeyId(prisma, session.keyId) : null;
  return { mode, principal, via: principal ? 'session' : null, badCredential: false, crossOrigin, caller: callerOf(principal) };
}

const callerOf = (principal: Principal | null) => (principal ? keyCaller(principal.keyId) : null);

/** The one access rule: a key to read, a write key to change anything, and no state change from another site's page. */
export function authorize(auth: RequestAuth, operation: { name: string; readOnly: boolean }): void {
  if (!operation.readOnly && auth.crossOrigin && auth.via !== 'bearer') {
    throw new HoneError('FORBIDDEN', `${operation.name} changes data: a request from another origin is refused`);
  }
  if (auth.mode === 'off') return;
  if (!auth.principal) {
    throw new HoneError(
      'UNAUTHORIZED',
      auth.badCredential ? 'The API key is not valid (unknown or revoked)' : 'An API key is required: send Authorization: Bearer <key>',
    );
  }
  if (!operation.readOnly && auth.principal.scope !== 'write') {
    throw new HoneError('FORBIDDEN', `${operation.name} changes data and needs a write key; "${auth.principal.name}" is a read key`);
  }
}
