import { describe, expect, it } from 'vitest';
import { rollupSpans, type Span } from './time-buckets';

const at = (iso: string) => new Date(iso);
const iso = (spans: Span[]) => spans.map((s) => [s.from.toISOString(), s.to.toISOString()]);

describe('rollupSpans', () => {
  it('reads whole days from the daily rollup and the hours around them from the hourly one', () => {
    const spans = rollupSpans(at('2026-01-01T05:00:00Z'), at('2026-01-04T07:00:00Z'), { daily: true, raw: false });
    expect(spans.daily).toEqual({ from: at('2026-01-02T00:00:00Z'), to: at('2026-01-04T00:00:00Z') });
    expect(iso(spans.hourly)).toEqual([
      ['2026-01-01T05:00:00.000Z', '2026-01-02T00:00:00.000Z'],
      ['2026-01-04T00:00:00.000Z', '2026-01-04T07:00:00.000Z'],
    ]);
    expect(spans.raw).toEqual([]);
  });

  it('adds the partial hours at either end from raw rows when the source has them', () => {
    const spans = rollupSpans(at('2026-01-01T05:20:00Z'), at('2026-01-04T07:45:00Z'), { daily: true, raw: true });
    expect(iso(spans.raw)).toEqual([
      ['2026-01-01T05:20:00.000Z', '2026-01-01T06:00:00.000Z'],
      ['2026-01-04T07:00:00.000Z', '2026-01-04T07:45:00.000Z'],
    ]);
    expect(iso(spans.hourly)).toEqual([
      ['2026-01-01T06:00:00.000Z', '2026-01-02T00:00:00.000Z'],
      ['2026-01-04T00:00:00.000Z', '2026-01-04T07:00:00.000Z'],
    ]);
    expect(spans.daily).toEqual({ from: at('2026-01-02T00:00:00Z'), to: at('2026-01-04T00:00:00Z') });
  });

  it('keeps the hour-start rule of the hourly rollups when there are no raw rows', () => {
    const spans = rollupSpans(at('2026-01-01T05:20:00Z'), at('2026-01-03T07:45:00Z'), { daily: true, raw: false });
    expect(iso(spans.hourly)).toEqual([
      ['2026-01-01T05:20:00.000Z', '2026-01-02T00:00:00.000Z'],
      ['2026-01-03T00:00:00.000Z', '2026-01-03T07:45:00.000Z'],
    ]);
  });

  it('uses no daily rows for a range bucketed by hour, nor when no whole day fits', () => {
    const byHour = rollupSpans(at('2026-01-01T05:00:00Z'), at('2026-01-03T05:00:00Z'), { daily: false, raw: false });
    expect(byHour.daily).toBeNull();
    expect(iso(byHour.hourly)).toEqual([['2026-01-01T05:00:00.000Z', '2026-01-03T05:00:00.000Z']]);
    const noWholeDay = rollupSpans(at('2026-01-01T05:00:00Z'), at('2026-01-02T23:00:00Z'), { daily: true, raw: false });
    expect(noWholeDay.daily).toBeNull();
  });

  it('reads a range within one hour from raw rows only, and an aligned one from rollups only', () => {
    const withinHour = rollupSpans(at('2026-01-01T05:10:00Z'), at('2026-01-01T05:50:00Z'), { daily: true, raw: true });
    expect(withinHour).toEqual({ raw: [{ from: at('2026-01-01T05:10:00Z'), to: at('2026-01-01T05:50:00Z') }], hourly: [], daily: null });
    const days = rollupSpans(at('2026-01-01T00:00:00Z'), at('2026-01-08T00:00:00Z'), { daily: true, raw: true });
    expect(days).toEqual({ raw: [], hourly: [], daily: { from: at('2026-01-01T00:00:00Z'), to: at('2026-01-08T00:00:00Z') } });
  });

  it('covers the range exactly once, whatever its ends', () => {
    const starts = ['2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', '2026-01-01T13:30:00Z', '2026-01-01T23:59:59.999Z'];
    const lengthsMs = [1, 59 * 60_000, 3_600_000, 30 * 3_600_000, 49 * 3_600_000, 90 * 86_400_000 + 123_456];
    for (const start of starts)
      for (const length of lengthsMs)
        for (const raw of [true, false])
          for (const daily of [true, false]) {
            const from = at(start);
            const to = new Date(from.getTime() + length);
            const spans = rollupSpans(from, to, { daily, raw });
            const all = [...spans.raw, ...spans.hourly, ...(spans.daily ? [spans.daily] : [])].sort((a, b) => +a.from - +b.from);
            expect(all[0]!.from).toEqual(from);
            expect(all.at(-1)!.to).toEqual(to);
            for (let i = 1; i < all.length; i++) expect(all[i]!.from).toEqual(all[i - 1]!.to);
            if (spans.daily) expect((spans.daily.from.getTime() % 86_400_000) + (spans.daily.to.getTime() % 86_400_000)).toBe(0);
            if (raw) for (const s of spans.hourly) expect((s.from.getTime() % 3_600_000) + (s.to.getTime() % 3_600_000)).toBe(0);
          }
  });
});
