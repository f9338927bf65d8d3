import { format } from 'date-fns';

// Readable numbers everywhere: %, ms, $ and counts.

export const formatPercent = (value: number | null | undefined, digits = 1) => (value == null ? '–' : `${value.toFixed(digits)}%`);

export function formatMs(value: number | null | undefined): string {
  if (value == null) return '–';
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value).toLocaleString('en')} ms`;
}

export function formatUsd(value: number | null | undefined): string {
  if (value == null) return '–';
  if (value === 0) return '$0';
  return value < 0.01 ? `$${value.toPrecision(2)}` : `$${value.toFixed(value < 1 ? 4 : 2)}`;
}

export const formatCount = (value: number | null | undefined) => (value == null ? '–' : value.toLocaleString('en'));

/** A bucket start as an axis tick: the hour for hourly buckets, the day otherwise (UTC). */
export function formatBucket(iso: string, bucket: 'hour' | 'day'): string {
  const d = new Date(iso);
  const utc = new Date(d.getTime() + d.getTimezoneOffset() * 60_000);
  return bucket === 'hour' ? format(utc, 'd MMM HH:mm') : format(utc, 'd MMM');
}

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  const utc = new Date(d.getTime() + d.getTimezoneOffset() * 60_000);
  return `${format(utc, 'd MMM yyyy HH:mm')} UTC`;
}

/** A value with a unit: the unit chooses the formatter. */
export function formatWithUnit(value: number | null | undefined, unit: string): string {
  if (value == null) return '–';
  if (unit === 'ms') return formatMs(value);
  if (unit === '%') return formatPercent(value);
  if (unit === 'USD' || unit === '$') return formatUsd(value);
  return `${Number(value.toFixed(2)).toLocaleString('en')} ${unit}`;
}
