import { NextResponse, type NextRequest } from 'next/server';
import { authenticate } from './server/auth/request-auth';
import { SESSION_COOKIE } from './server/auth/session';
import { getPrisma } from './server/db';
import { authMode } from './server/env';
import { asHoneError, httpErrorResponse } from './server/error-mapping';
import { checkHostAndOrigin } from './server/http/host-origin';

function toSignIn(request: NextRequest): NextResponse {
  const signIn = new URL('/sign-in', request.url);
  signIn.searchParams.set('next', request.nextUrl.pathname + request.nextUrl.search);
  const response = NextResponse.redirect(signIn);
  // A cookie that no longer opens a session (expired, forged, its key revoked) is dropped on the way.
  if (request.cookies.has(SESSION_COOKIE)) response.cookies.delete(SESSION_COOKIE);
  return response;
}

/**
 * Dashboard pages and the sign-in form: the host/origin rule every face applies (a cross-origin sign-in is a 403
 * here, before Next's server-action check), then, with auth required, a page without a valid session (its
 * signature, expiry and key, revoked or not) goes to the sign-in page.
 */
export async function proxy(request: NextRequest) {
  try {
    checkHostAndOrigin(request);
    if (authMode() === 'off' || request.nextUrl.pathname === '/sign-in') return NextResponse.next();
    // Scripts downloading regression tests send their key; the route checks it like any API call.
    if (request.nextUrl.pathname === '/tests/download' && request.headers.has('authorization')) return NextResponse.next();
    if (!request.cookies.has(SESSION_COOKIE)) return toSignIn(request);
    const auth = await authenticate(await getPrisma(), request.headers);
    return auth.principal ? NextResponse.next() : toSignIn(request);
  } catch (error) {
    return httpErrorResponse(asHoneError(error, `proxy ${request.method} ${request.nextUrl.pathname}`));
  }
}

// The API faces (/api/*, /tools/*) apply the same rules themselves and skip this work; so do Next's assets and the
// icon. server/test/proxy-matcher.unit.test.ts checks that every API route is left out.
export const config = { matcher: ['/((?!api/|tools/|_next/|favicon\\.ico|icon\\.svg).*)'] };
