// Next.js bundles instrumentation (the front door, the background jobs), the route files and the proxy separately, and
// each bundle runs its own copy of a module: a registry kept in a module variable would exist once per bundle (in
// `next dev`, once per reload as well). What must exist once per server process is kept here instead.

/** The process's one value named `name`, made by `create` on first use and kept on globalThis under Symbol.for. */
export function processWide<T>(name: string, create: () => T): T {
  const holder = globalThis as unknown as Record<symbol, T | undefined>;
  const key = Symbol.for(`hone.${name}`);
  return (holder[key] ??= create());
}
