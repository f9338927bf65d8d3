import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { env } from '../env';
import type { ApiKeyScope } from '../services/api-keys';
import { processWide } from '../process-wide';

/** The dashboard's sign-in cookie: a signed, expiring token naming the API key it was opened with. */
export const SESSION_COOKIE = 'hone_session';
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

export interface SessionClaims {
  keyId: number;
  scope: ApiKeyScope;
  name: string;
}

/**
 * HONE_SESSION_SECRET when set (needed to keep sessions across restarts and instances); otherwise one random
 * secret per process (process-wide.ts: the proxy and the app are bundled separately).
 */
function sessionSecret(): Uint8Array {
  const configured = env().HONE_SESSION_SECRET;
  if (configured) return new TextEncoder().encode(configured);
  return processWide('sessionSecret', () => new Uint8Array(randomBytes(32)));
}

export async function signSession(claims: SessionClaims): Promise<string> {
  return new SignJWT({ scope: claims.scope, name: claims.name })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(String(claims.keyId))
    .setIssuedAt()
    .setExpirationTime(`${SESSION_TTL_SECONDS}s`)
    .sign(sessionSecret());
}

/** The claims of a valid, unexpired session token; null for anything else. */
export async function verifySession(token: string | undefined): Promise<SessionClaims | null> {
  if (!token) return null;
  try {
    const { payload } = await jwtVerify(token, sessionSecret(), { algorithms: ['HS256'] });
    const keyId = Number(payload.sub);
    const scope = payload.scope;
    if (!Number.isInteger(keyId) || (scope !== 'read' && scope !== 'write')) return null;
    return { keyId, scope, name: typeof payload.name === 'string' ? payload.name : '' };
  } catch {
    // A forged, expired or malformed token is simply not a session.
    return null;
  }
}

export function readCookie(headers: Headers, name: string): string | undefined {
  const header = headers.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
