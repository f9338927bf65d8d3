import { addDays, addHours, formatISO, isValid, parseISO, startOfHour, subHours } from 'date-fns';

// The dashboard's shared controls live in the URL (shareable links): ?range=24h|7d|30d|custom&from&to&taskType.
// Pure functions: the server page and the client controls read the same params the same way.

export const RANGE_PRESETS = { '24h': 24, '7d': 7 * 24, '30d': 30 * 24 } as const;
export type RangePreset = keyof typeof RANGE_PRESETS;
export type RangeChoice = RangePreset | 'custom';
export const DEFAULT_RANGE: RangePreset = '7d';

export type SearchParams = Record<string, string | string[] | undefined>;

export interface DashboardParams {
  range: RangeChoice;
  /** Custom range days, yyyy-mm-dd (UTC), inclusive. */
  fromDay?: string;
  toDay?: string;
  taskType?: string;
}

export interface IsoRange {
  from: string;
  to: string;
}

/** A search param's first value, trimmed; undefined when absent or blank. */
export const firstParam = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
const isDay = (value: string | undefined): value is string => !!value && /^\d{4}-\d{2}-\d{2}$/.test(value) && isValid(parseISO(value));

export function parseDashboardParams(params: SearchParams): DashboardParams {
  const range = firstParam(params.range);
  const fromDay = firstParam(params.from);
  const toDay = firstParam(params.to);
  const taskType = firstParam(params.taskType);
  if (range === 'custom' && isDay(fromDay) && isDay(toDay) && fromDay <= toDay) return { range, fromDay, toDay, taskType };
  return { range: range && range in RANGE_PRESETS ? (range as RangePreset) : DEFAULT_RANGE, taskType };
}

const utcDay = (day: string) => new Date(`${day}T00:00:00Z`);

/**
 * The [from, to) instants of the params. A preset ends at the end of the current hour, so the
 * server's prefetch and the browser's query agree on the same key for the whole hour.
 */
export function rangeOf(params: DashboardParams, now: Date = new Date()): IsoRange {
  if (params.range === 'custom' && params.fromDay && params.toDay) {
    return { from: utcDay(params.fromDay).toISOString(), to: addDays(utcDay(params.toDay), 1).toISOString() };
  }
  const to = addHours(startOfHour(now), 1);
  const hours = RANGE_PRESETS[params.range as RangePreset] ?? RANGE_PRESETS[DEFAULT_RANGE];
  return { from: subHours(to, hours).toISOString(), to: to.toISOString() };
}

/** The query string for changed params, dropping what is at its default. */
export function withParams(current: URLSearchParams, changes: Record<string, string | undefined>): string {
  const next = new URLSearchParams(current);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === '') next.delete(key);
    else next.set(key, value);
  }
  if (next.get('range') !== 'custom') {
    next.delete('from');
    next.delete('to');
  }
  const query = next.toString();
  return query ? `?${query}` : '';
}

export const todayUtc = (now: Date = new Date()) => formatISO(now, { representation: 'date' });

export interface DashboardView {
  params: DashboardParams;
  range: IsoRange;
  /** The range plus the task type when one is chosen: the input of task-type-aware reads. */
  filter: IsoRange & { taskType?: string };
}

/** What a page reads from its URL: the params, the resolved range and the filter its queries take. */
export function dashboardView(searchParams: SearchParams, now: Date = new Date()): DashboardView {
  const params = parseDashboardParams(searchParams);
  const range = rangeOf(params, now);
  return { params, range, filter: { ...range, ...(params.taskType && { taskType: params.taskType }) } };
}
