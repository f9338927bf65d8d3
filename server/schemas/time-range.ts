import { z } from 'zod';

// The date range every dashboard read takes: [from, to), ISO 8601. Shared by the tools and the dashboard's controls.

export const MAX_RANGE_DAYS = 400;
const DAY_MS = 86_400_000;

const instant = (what: string) => z.iso.datetime({ offset: true }).optional().describe(what);

export const timeRangeShape = {
  from: instant('Start of the range (inclusive), ISO 8601; default 7 days before `to`'),
  to: instant('End of the range (exclusive), ISO 8601; default now'),
};

/** A strict object of the time range plus the given fields, refusing from >= to or a range over MAX_RANGE_DAYS. */
export function withTimeRange<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.strictObject({ ...timeRangeShape, ...shape }).superRefine((input, ctx) => {
    const { from, to } = input as { from?: string; to?: string };
    if (!from || !to) return;
    const span = Date.parse(to) - Date.parse(from);
    if (span <= 0) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before to' });
    else if (span > MAX_RANGE_DAYS * DAY_MS) ctx.addIssue({ code: 'custom', path: ['from'], message: `range must be at most ${MAX_RANGE_DAYS} days` });
  });
}
