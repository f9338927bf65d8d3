// Builds dist/esm and dist/cjs (JavaScript and .d.ts) with the repository's TypeScript. The router types in
// src/generated/ come from the server (`npm run client:types` at the repository root), not from this build,
// so the package builds from its own sources alone.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const here = path.resolve(import.meta.dirname, '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(path.join(here, 'dist'), { recursive: true, force: true });
for (const project of ['tsconfig.json', 'tsconfig.cjs.json']) {
  const result = spawnSync(process.execPath, [tsc, '-p', project], { cwd: here, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
// dist/cjs holds CommonJS inside a "type": "module" package: this marker tells Node and TypeScript so.
writeFileSync(path.join(here, 'dist/cjs/package.json'), JSON.stringify({ type: 'commonjs' }) + '\n');

// The package.json says which API version it speaks, for people and tools; it must be the one compiled in.
const { honeApiVersion } = JSON.parse(readFileSync(path.join(here, 'package.json'), 'utf8'));
const generated = readFileSync(path.join(here, 'src/generated/router.ts'), 'utf8');
if (!generated.includes(`export const API_VERSION = '${honeApiVersion}';`)) {
  console.error(`package.json says honeApiVersion ${honeApiVersion}, src/generated/router.ts says otherwise: run npm run client:types`);
  process.exit(1);
}
