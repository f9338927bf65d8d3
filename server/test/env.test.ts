import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { targetFromEnv } from '../db/client';
import { parseEnv } from '../env';

describe('environment', () => {
  it('defaults to the embedded database under .hone and port 3000', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ PORT: 3000, HONE_DEFAULT_LAYER: 'balanced', HONE_DATA_DIR: '.hone/pgdata' });
    expect(targetFromEnv(env)).toEqual({ kind: 'pglite', dataDir: path.resolve('.hone/pgdata') });
    expect(targetFromEnv(parseEnv({ DATABASE_URL: '' })).kind).toBe('pglite');
  });

  it('selects PostgreSQL when DATABASE_URL is set', () => {
    const env = parseEnv({ DATABASE_URL: 'postgresql://u@db:5432/hone', HONE_DB_POOL_MAX: '25' });
    expect(targetFromEnv(env)).toEqual({ kind: 'postgres', url: 'postgresql://u@db:5432/hone', poolMax: 25 });
  });

  it.each([
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/db' }],
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['HONE_DEFAULT_LAYER', { HONE_DEFAULT_LAYER: 'turbo' }],
    ['HONE_DB_POOL_MAX', { HONE_DB_POOL_MAX: '0' }],
  ])('names %s when its value is wrong', (variable, source) => {
    expect(() => parseEnv(source)).toThrow(new RegExp(`^Invalid environment:\\n  ${variable}: `));
  });
});
