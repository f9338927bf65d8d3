import { env } from '../env';
import { HoneError } from '../errors';

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

function matches(host: string, allowed: readonly string[]): boolean {
  const lower = host.toLowerCase();
  const hostname = lower.startsWith('[') ? lower.slice(0, lower.indexOf(']') + 1) : lower.split(':')[0]!;
  return allowed.some((entry) => entry === lower || entry === hostname);
}

/**
 * DNS-rebinding guard for the MCP endpoint: the Host a request was addressed to, and the Origin of a browser
 * page sending it, must be loopback or listed in HONE_ALLOWED_HOSTS (a bare name allows any port).
 */
export function checkHostAndOrigin(headers: Headers, allowedHosts: readonly string[] = env().HONE_ALLOWED_HOSTS): void {
  const allowed = [...LOOPBACK, ...allowedHosts];
  const host = headers.get('host');
  if (!host || !matches(host, allowed)) {
    throw new HoneError('FORBIDDEN', `Host "${host ?? ''}" is not allowed; add it to HONE_ALLOWED_HOSTS`);
  }
  const origin = headers.get('origin');
  if (origin) {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      throw new HoneError('FORBIDDEN', `Origin "${origin}" is not a valid origin`);
    }
    if (!matches(originHost, allowed)) throw new HoneError('FORBIDDEN', `Origin "${origin}" is not allowed; add its host to HONE_ALLOWED_HOSTS`);
  }
}
