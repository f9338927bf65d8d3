import { env } from '../env';
import { HoneError } from '../errors';

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/** `host` or `host:port` (lower case) against entries that are a bare name (any port) or name:port (that port). */
function hostMatches(host: string, entries: readonly string[]): boolean {
  const lower = host.toLowerCase();
  const hostname = lower.startsWith('[') ? lower.slice(0, lower.indexOf(']') + 1) : lower.split(':')[0]!;
  return entries.some((entry) => entry === lower || entry === hostname);
}

function requestScheme(headers: Headers, url: string): string {
  const forwarded = headers.get('x-forwarded-proto')?.split(',')[0]!.trim().toLowerCase();
  if (forwarded === 'http' || forwarded === 'https') return forwarded;
  return new URL(url).protocol.replace(':', '');
}

/**
 * The one host and origin rule of every face (REST, tRPC, MCP, the download route, dashboard pages via the proxy),
 * against DNS rebinding and cross-site requests:
 * - the Host a request was addressed to (and X-Forwarded-Host, when a proxy sets it) must be loopback or listed in
 *   HONE_ALLOWED_HOSTS (a bare name allows any port);
 * - an Origin, when sent, must be the request's own origin (scheme, host and port) or an allowed host's. A loopback
 *   page on another port is another origin: another program on this machine.
 */
export function checkHostAndOrigin(
  request: { headers: Headers; url: string },
  allowedHosts: readonly string[] = env().HONE_ALLOWED_HOSTS,
): void {
  const { headers } = request;
  const hostHeaders = [headers.get('host'), headers.get('x-forwarded-host')].filter((value) => value !== null);
  const host = hostHeaders.at(-1) ?? '';
  for (const value of hostHeaders.length ? hostHeaders : ['']) {
    if (!value || !hostMatches(value, [...LOOPBACK, ...allowedHosts])) {
      throw new HoneError('FORBIDDEN', `Host "${value}" is not allowed; add it to HONE_ALLOWED_HOSTS`);
    }
  }
  const origin = headers.get('origin');
  if (origin === null) return;
  let originUrl: URL;
  try {
    originUrl = new URL(origin);
  } catch {
    throw new HoneError('FORBIDDEN', `Origin "${origin}" is not a valid origin`);
  }
  const ownOrigin = `${requestScheme(headers, request.url)}://${host.toLowerCase()}`;
  if (originUrl.origin === ownOrigin || hostMatches(originUrl.host, allowedHosts)) return;
  throw new HoneError(
    'FORBIDDEN',
    `Origin "${origin}" is not this server's; a page of another origin may not call it (HONE_ALLOWED_HOSTS lists trusted hosts)`,
  );
}
