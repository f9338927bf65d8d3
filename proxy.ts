import { NextResponse, type NextRequest } from 'next/server';
import { SESSION_COOKIE, verifySession } from './server/auth/session';
import { authMode } from './server/env';

/**
 * With auth required, a dashboard page without a valid session cookie goes to the sign-in page. This checks the
 * cookie's signature and expiry only; the tRPC context behind every page also checks the key is not revoked.
 */
export async function proxy(request: NextRequest) {
  if (authMode() === 'off') return NextResponse.next();
  // Scripts downloading regression tests send their key; the route checks it like any API call.
  if (request.nextUrl.pathname === '/tests/download' && request.headers.has('authorization')) return NextResponse.next();
  if (await verifySession(request.cookies.get(SESSION_COOKIE)?.value)) return NextResponse.next();
  const signIn = new URL('/sign-in', request.url);
  signIn.searchParams.set('next', request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(signIn);
}

// The API faces (/api/*, /tools/*) answer 401 themselves; Next's assets and the sign-in page stay reachable.
export const config = { matcher: ['/((?!api/|tools/|sign-in|_next/|favicon\\.ico).*)'] };
