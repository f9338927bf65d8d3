import { MAX_PAGE_SIZE, type Page } from '../schemas/common';

/**
 * Lists that are not paged (the names of task types, metrics and test categories; the tests of a downloaded
 * category) hold at most a page's worth: names a client made up by the million must not make one answer huge.
 */
export const MAX_LISTED = MAX_PAGE_SIZE;

/** Callers fetch limit + 1 rows: the extra one only tells whether another page exists. */
export function pageOf<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}
