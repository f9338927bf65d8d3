const PROBE_ORIGIN = 'http://hone.invalid';

/**
 * Where to go after signing in: only a path of this site, normalised; anything else is `/`. Resolving it as a URL
 * against a made-up origin catches what prefix checks miss (`/\evil.example`, `/<tab>/evil.example`, `//evil`,
 * `https://evil`): a browser resolves those to another host, and so does the URL parser. The result is rebuilt
 * from the parsed parts, so it holds no control characters (a newline no longer reaches a Location header).
 */
export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(next, PROBE_ORIGIN);
  } catch {
    return '/';
  }
  if (url.origin !== PROBE_ORIGIN) return '/';
  const path = url.pathname + url.search + url.hash;
  // A path that still starts with two slashes or a backslash would be read as another host by the next parser.
  return path.startsWith('//') || path.startsWith('/\\') ? '/' : path;
}
