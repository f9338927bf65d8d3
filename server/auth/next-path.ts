const PROBE_ORIGIN = 'http://hone.invalid';

const hasControlCharacter = (text: string) =>
  [...text].some((character) => character.charCodeAt(0) < 0x20 || character.charCodeAt(0) === 0x7f);

/**
 * Where to go after signing in: only a path of this site, normalised; anything else is `/`. Resolving it as a URL
 * against a made-up origin catches what prefix checks miss (`/\evil.example`, `/<tab>/evil.example`, `//evil`,
 * `https://evil`): a browser resolves those to another host, and so does the URL parser. The result is rebuilt
 * from the parsed parts; a `next` with a control character (a newline reached the Location header: 500) is refused.
 */
export function safeNextPath(next: unknown): string {
  // Control characters are never part of a link a person followed; the URL parser would drop some of them silently.
  if (typeof next !== 'string' || !next.startsWith('/') || hasControlCharacter(next)) return '/';
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
