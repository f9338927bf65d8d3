import { describe, expect, it } from 'vitest';
import { expectBadRequest, useTestDatabase } from './database';

const t = useTestDatabase();

describe('record_metric', () => {
  it('stores the spec example at server time', async () => {
    const before = Date.now();
    const metric = await t.db.caller.metrics.record({
      name: 'routing_latency',
      value: 156.7,
      unit: 'ms',
      context: { layer: 'balanced', model: 'gpt-4o' },
    });
    expect(metric).toMatchObject({
      id: expect.any(Number),
      name: 'routing_latency',
      value: 156.7,
      unit: 'ms',
      context: { layer: 'balanced', model: 'gpt-4o' },
    });
    expect(typeof metric.id).toBe('number');
    expect(new Date(metric.recordedAt).getTime()).toBeGreaterThanOrEqual(before - 5000);
    const row = await t.db.prisma.performanceMetric.findFirstOrThrow();
    expect(row).toMatchObject({ metricName: 'routing_latency', metricValue: 156.7, metricUnit: 'ms' });
  });

  it('keeps a given ISO timestamp, a value at the ±1e15 bound, and an empty context by default', async () => {
    const metric = await t.db.caller.metrics.record({
      name: 'balance',
      value: -1e15,
      unit: 'USD',
      recordedAt: '2026-01-02T03:04:05.678+02:00',
    });
    expect(metric.recordedAt).toBe('2026-01-02T01:04:05.678Z');
    expect(metric.value).toBe(-1e15);
    expect(metric.context).toEqual({});
  });

  it.each([
    ['value', { value: Number.POSITIVE_INFINITY }],
    ['value', { value: Number.NaN }],
    ['value', { value: '12' }],
    ['name', { name: '' }],
    ['unit', { unit: undefined }],
    ['recordedAt', { recordedAt: 'yesterday' }],
    ['context', { context: [1, 2] }],
  ])('refuses a bad %s and writes nothing', async (field, patch) => {
    const input = { name: 'api_latency', value: 234.5, unit: 'ms', context: { endpoint: '/route' }, ...patch };
    await expectBadRequest(t.db.caller.metrics.record(input as never), field);
    expect(await t.db.prisma.performanceMetric.count()).toBe(0);
  });
});
