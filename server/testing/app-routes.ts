import { readdirSync } from 'node:fs';
import path from 'node:path';

const APP = path.resolve(import.meta.dirname, '../../app');

/** The URL path of every App Router route file (route.ts), dynamic segments filled with the value `sample`. */
export function appRoutePaths(directory = APP, prefix = ''): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    if (!entry.isDirectory()) return entry.name === 'route.ts' ? [prefix || '/'] : [];
    const segment = /^\[.+\]$/.test(entry.name) ? 'sample' : entry.name;
    return appRoutePaths(path.join(directory, entry.name), `${prefix}/${segment}`);
  });
}
