import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { targetFromEnv } from '../db/client';
import { listenHost, parseEnv } from '../env';
import { describeRetention, retentionConfig } from '../services/retention';

describe('environment', () => {
  it('defaults to the embedded database under .hone and port 3000', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ PORT: 3000, HONE_DEFAULT_LAYER: 'balanced', HONE_DATA_DIR: '.hone/pgdata' });
    expect(targetFromEnv(env)).toEqual({ kind: 'pglite', dataDir: path.resolve('.hone/pgdata') });
    expect(targetFromEnv(parseEnv({ DATABASE_URL: '' })).kind).toBe('pglite');
  });

  it('reads the ingest limits: a batch size and an idempotency window written with a unit', () => {
    expect(parseEnv({})).toMatchObject({ HONE_MAX_INGEST_ITEMS: 5000, HONE_IDEMPOTENCY_WINDOW: 7 * 86_400_000 });
    expect(parseEnv({ HONE_IDEMPOTENCY_WINDOW: '90m' }).HONE_IDEMPOTENCY_WINDOW).toBe(90 * 60_000);
    expect(parseEnv({ HONE_IDEMPOTENCY_WINDOW: '48h', HONE_MAX_INGEST_ITEMS: '1000' })).toMatchObject({
      HONE_IDEMPOTENCY_WINDOW: 48 * 3_600_000,
      HONE_MAX_INGEST_ITEMS: 1000,
    });
  });

  it('keeps metric values 90 days and bug occurrences 400 by default; 0 keeps them forever', () => {
    expect(retentionConfig(parseEnv({})).maxAgeMs).toEqual({
      metricValues: 90 * 86_400_000,
      bugOccurrences: 400 * 86_400_000,
      idempotencyKeys: 7 * 86_400_000,
      routeDecisions: 7 * 86_400_000,
      decisionSamples: 30 * 86_400_000,
      policyShares: 90 * 86_400_000,
    });
    const off = retentionConfig(
      parseEnv({
        HONE_RETENTION_METRICS_DAYS: '0',
        HONE_RETENTION_BUG_OCCURRENCES_DAYS: '30',
        HONE_IDEMPOTENCY_WINDOW: '36h',
        HONE_RETENTION_DECISIONS_DAYS: '2',
        HONE_RETENTION_DECISION_SAMPLES_DAYS: '0',
        HONE_RETENTION_POLICY_SHARES_DAYS: '10',
      }),
    );
    expect(off.maxAgeMs).toEqual({
      metricValues: null,
      bugOccurrences: 30 * 86_400_000,
      idempotencyKeys: 36 * 3_600_000,
      routeDecisions: 2 * 86_400_000,
      decisionSamples: null,
      policyShares: 10 * 86_400_000,
    });
    expect(describeRetention(off)).toBe(
      'metric values forever, bug occurrences 30 days, ingest eventIds 36 hours, routing decisions 2 days, routing decision input samples forever, adaptive policy shares 10 days',
    );
  });

  it('selects PostgreSQL when DATABASE_URL is set', () => {
    const env = parseEnv({ DATABASE_URL: 'postgresql://u@db:5432/hone', HONE_DB_POOL_MAX: '25' });
    expect(targetFromEnv(env)).toEqual({
      kind: 'postgres',
      url: 'postgresql://u@db:5432/hone',
      poolMax: 25,
      deadlines: { connectMs: 2000, queryMs: 5000 },
    });
  });

  it('takes the database deadlines, the health probe deadline and the rate limit from the environment', () => {
    const env = parseEnv({
      DATABASE_URL: 'postgresql://u@db:5432/hone',
      HONE_DB_CONNECT_TIMEOUT_MS: '750',
      HONE_DB_QUERY_TIMEOUT_MS: '30000',
      HONE_HEALTH_TIMEOUT_MS: '500',
      HONE_RATE_LIMIT_PER_SECOND: '0.5',
      HONE_RATE_LIMIT_BURST: '3',
    });
    expect(targetFromEnv(env)).toMatchObject({ deadlines: { connectMs: 750, queryMs: 30000 } });
    expect(env).toMatchObject({ HONE_HEALTH_TIMEOUT_MS: 500, HONE_RATE_LIMIT_PER_SECOND: 0.5, HONE_RATE_LIMIT_BURST: 3 });
    expect(parseEnv({})).toMatchObject({ HONE_HEALTH_TIMEOUT_MS: 1000, HONE_RATE_LIMIT_PER_SECOND: 1000, HONE_RATE_LIMIT_BURST: 2000 });
    expect(parseEnv({ HONE_RATE_LIMIT_PER_SECOND: '0' }).HONE_RATE_LIMIT_PER_SECOND).toBe(0);
  });

  it.each([
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/db' }],
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['HONE_DEFAULT_LAYER', { HONE_DEFAULT_LAYER: 'turbo' }],
    ['HONE_DB_POOL_MAX', { HONE_DB_POOL_MAX: '0' }],
    ['HONE_AUTH_CACHE_MS', { HONE_AUTH_CACHE_MS: '-1' }],
    ['HONE_AUTH_CACHE_MS', { HONE_AUTH_CACHE_MS: '61000' }],
    ['HONE_IDEMPOTENCY_WINDOW', { HONE_IDEMPOTENCY_WINDOW: '7' }],
    ['HONE_IDEMPOTENCY_WINDOW', { HONE_IDEMPOTENCY_WINDOW: '0m' }],
    ['HONE_IDEMPOTENCY_WINDOW', { HONE_IDEMPOTENCY_WINDOW: '366d' }],
    ['HONE_MAX_INGEST_ITEMS', { HONE_MAX_INGEST_ITEMS: '0' }],
    ['HONE_RETENTION_METRICS_DAYS', { HONE_RETENTION_METRICS_DAYS: '-1' }],
    ['HONE_RETENTION_BUG_OCCURRENCES_DAYS', { HONE_RETENTION_BUG_OCCURRENCES_DAYS: '1.5' }],
    ['HONE_DB_CONNECT_TIMEOUT_MS', { HONE_DB_CONNECT_TIMEOUT_MS: 'soon' }],
    ['HONE_DB_QUERY_TIMEOUT_MS', { HONE_DB_QUERY_TIMEOUT_MS: '2.5' }],
    ['HONE_HEALTH_TIMEOUT_MS', { HONE_HEALTH_TIMEOUT_MS: '0' }],
    ['HONE_RATE_LIMIT_PER_SECOND', { HONE_RATE_LIMIT_PER_SECOND: '-1' }],
    ['HONE_RATE_LIMIT_BURST', { HONE_RATE_LIMIT_BURST: '0' }],
  ])('names %s when its value is wrong', (variable, source) => {
    expect(() => parseEnv(source)).toThrow(new RegExp(`^Invalid environment:\\n  ${variable}: `));
  });
});

describe('listenHost', () => {
  it('keeps an open server (authentication off, the embedded default) on loopback and says why', () => {
    expect(listenHost(parseEnv({}))).toEqual({ host: '127.0.0.1', reason: expect.stringContaining('authentication is off') });
    expect(listenHost(parseEnv({ HONE_AUTH: 'off', DATABASE_URL: 'postgresql://u@db/hone', NODE_ENV: 'production' })).host).toBe(
      '127.0.0.1',
    );
  });

  it('listens on every interface when keys are required, unless HOST says otherwise', () => {
    expect(listenHost(parseEnv({ HONE_AUTH: 'required' }))).toEqual({
      host: undefined,
      reason: expect.stringContaining('API keys are required'),
    });
    expect(listenHost(parseEnv({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://u@db/hone' })).host).toBeUndefined();
    expect(listenHost(parseEnv({ HONE_AUTH: 'required', HOST: '10.0.0.5' }))).toEqual({ host: '10.0.0.5', reason: 'HOST is set' });
  });

  it('lets the operator open an unauthenticated server on purpose with HOST', () => {
    expect(listenHost(parseEnv({ HOST: '0.0.0.0' }))).toEqual({ host: '0.0.0.0', reason: 'HOST is set' });
    expect(() => parseEnv({ HOST: '  ' })).toThrow(/HOST: must be an interface address/);
  });
});
