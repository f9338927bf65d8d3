import type { Page } from '../schemas/common';

/** Callers fetch limit + 1 rows: the extra one only tells whether another page exists. */
export function pageOf<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}
