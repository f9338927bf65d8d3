import { z } from 'zod';
import { isoInstant } from './common';

// The date range every dashboard read takes: [from, to), ISO 8601. Shared by the tools, the services that
// resolve it and the dashboard's controls, so it stays free of database code.

/** The longest range a read may cover once its defaults are filled in: bounds the rows scanned and the buckets answered. */
export const MAX_RANGE_DAYS = 400;
export const DEFAULT_RANGE_DAYS = 7;
const DAY_MS = 86_400_000;

const instant = (what: string) => isoInstant().optional().describe(what);

export const timeRangeShape = {
  from: instant(`Start of the range (inclusive), ISO 8601, 1970 or later; default ${DEFAULT_RANGE_DAYS} days before \`to\``),
  to: instant('End of the range (exclusive), ISO 8601, 1970 or later; default now'),
};

export interface ResolvedRange {
  from: Date;
  to: Date;
}

export interface RangeIssue {
  path: ['from'];
  message: string;
}

/**
 * The range a request stands for, with its defaults filled in (to = now, from = 7 days before to), and what
 * is wrong with it. The cap applies to this resolved range whatever the caller gave: a lone `from` in year 1
 * would otherwise ask for two thousand years of buckets.
 */
export function resolveRange(
  input: { from?: string; to?: string },
  now: Date = new Date(),
): { range: ResolvedRange; issue: RangeIssue | null } {
  const to = input.to ? new Date(input.to) : now;
  const from = input.from ? new Date(input.from) : new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
  const span = to.getTime() - from.getTime();
  const toDefaulted = input.to ? '' : ' (default now)';
  let issue: RangeIssue | null = null;
  if (!(span > 0)) issue = { path: ['from'], message: `must be before to${toDefaulted}` };
  else if (span > MAX_RANGE_DAYS * DAY_MS)
    issue = { path: ['from'], message: `range must be at most ${MAX_RANGE_DAYS} days, up to to${toDefaulted}` };
  return { range: { from, to }, issue };
}

/** A strict object of the time range plus the given fields, refusing a resolved range that is empty, inverted or over MAX_RANGE_DAYS. */
export function withTimeRange<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.strictObject({ ...timeRangeShape, ...shape }).superRefine((input, ctx) => {
    const { from, to } = input as { from?: string; to?: string };
    const { issue } = resolveRange({ from, to });
    if (issue) ctx.addIssue({ code: 'custom', ...issue });
  });
}
