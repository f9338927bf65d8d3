import { z } from 'zod';

// Input schemas are shared by every face (tRPC, MCP, REST) and by the dashboard's forms,
// so they must stay free of server-only imports. Objects are strict: a misspelt parameter
// (task_type for taskType) is refused by name instead of being silently ignored.

export const jsonObject = z.record(z.string(), z.json());

export const nonBlank = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const pageLimit = z.number().int().min(1).max(1000).default(100).describe('Page size (1..1000, default 100)');
export const pageCursor = z
  .number()
  .int()
  .positive()
  .optional()
  .describe('nextCursor from the previous page; omit for the first page');

export interface Page<T> {
  items: T[];
  nextCursor: number | null;
}
