import { z } from 'zod';
import { env } from '../env';
import { DEFAULT_JSON_LIMITS, type JsonLimits } from './json-limits';
import { unstorableTextReason, unstorableValueIssues } from './storable-values';

// Input schemas are shared by every face (tRPC, MCP, REST) and by the dashboard's forms,
// so they must stay free of server-only imports. Objects are strict: a misspelt parameter
// (task_type for taskType) is refused by name instead of being silently ignored.
// Every value is bounded by what the database can store and what its meaning allows, so bad input is a
// 400 naming the field rather than a database error (a 500) or a stored absurdity.

/** PostgreSQL `integer`: ids and cursors beyond it cannot name a row. */
export const MAX_INT32 = 2_147_483_647;

/** A row id (or cursor): a positive whole number within PostgreSQL's integer. */
export const databaseId = () =>
  z.number().int('must be a whole number').min(1, 'must be a positive id').max(MAX_INT32, `must be at most ${MAX_INT32} (no such id)`);

/** Text PostgreSQL can store: no U+0000, no lone surrogates. */
export const storableText = <T extends z.ZodString>(schema: T) =>
  schema.superRefine((text, ctx) => {
    const reason = unstorableTextReason(text);
    if (reason) ctx.addIssue({ code: 'custom', message: reason });
  });

/** Trimmed, non-empty, at most `max` characters, storable. */
export const nonBlank = (max: number) =>
  storableText(z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`));

/** Trimmed (possibly empty), at most `max` characters, storable. */
export const optionalText = (max: number) => storableText(z.string().trim().max(max, `must be at most ${max} characters`));

/** A finite number within [min, max]; the bounds belong in the field's description too. */
export const boundedNumber = (min: number, max: number) =>
  z
    .number()
    .min(min, `must be >= ${min.toLocaleString('en')}`)
    .max(max, `must be <= ${max.toLocaleString('en')}`);

/** A rule's priority: higher is checked first. */
export const rulePriority = () => z.number().int().min(-1_000_000).max(1_000_000);

/** One model call's latency is at most a day: more is a unit mistake, and sums of such values stay exact enough. */
export const MAX_LATENCY_MS = 86_400_000;
/** One model call costs at most a million USD. */
export const MAX_CALL_COST = 1_000_000;
/** Metric values stay within ±1e15, so sums and averages over millions of them stay finite and meaningful. */
export const MAX_METRIC_MAGNITUDE = 1e15;

const EARLIEST_INSTANT_MS = Date.UTC(1970, 0, 1);
const LATEST_INSTANT_MS = Date.UTC(10_000, 0, 1) - 1;

/** An ISO 8601 timestamp with offset, between 1970-01-01 and 9999-12-31 (UTC). */
/** Longer than any ISO 8601 date-time with an offset and nanoseconds: a cap on what the format check reads. */
const MAX_INSTANT_LENGTH = 64;

export const isoInstant = () =>
  z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 date-time with offset, e.g. 2026-01-02T03:04:05Z' })
    .max(MAX_INSTANT_LENGTH, `must be at most ${MAX_INSTANT_LENGTH} characters`)
    .superRefine((text, ctx) => {
      const time = Date.parse(text);
      if (Number.isNaN(time)) return; // not a date at all: the format check above says so
      if (!(time >= EARLIEST_INSTANT_MS && time <= LATEST_INSTANT_MS)) {
        ctx.addIssue({ code: 'custom', message: 'must be between 1970-01-01 and 9999-12-31' });
      }
    });

/**
 * The JSON limits in force: HONE_MAX_JSON_BYTES / HONE_MAX_JSON_DEPTH on the server, the defaults in a
 * browser (whose form check is only a courtesy: the server checks again).
 */
export function currentJsonLimits(): JsonLimits {
  if (typeof window !== 'undefined') return DEFAULT_JSON_LIMITS;
  const { HONE_MAX_JSON_BYTES, HONE_MAX_JSON_DEPTH } = env();
  return { maxBytes: HONE_MAX_JSON_BYTES, maxDepth: HONE_MAX_JSON_DEPTH };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A JSON object of bounded size and depth whose strings and keys PostgreSQL can store and whose keys do not
 * reach the prototype. Checked on the raw value before the record schema runs: zod would silently drop a
 * `__proto__` key, and its JSON check recurses, so depth must be bounded first.
 */
export type JsonObject = Record<string, z.core.util.JSONType>;

// The preprocess step would make the input type `unknown`; callers (the typed client) should still see an object.
export const jsonObjectWithin = (limits: () => JsonLimits): z.ZodType<JsonObject, JsonObject> =>
  z.preprocess(
    (raw, ctx) => {
      if (!isPlainObject(raw)) return raw; // the record schema names the wrong type
      const { maxBytes, maxDepth } = limits();
      const issues = unstorableValueIssues(raw, { maxDepth });
      for (const issue of issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      if (issues.length > 0) return raw;
      const bytes = new TextEncoder().encode(JSON.stringify(raw)).length;
      if (bytes > maxBytes)
        ctx.addIssue({
          code: 'custom',
          message: `must be at most ${maxBytes.toLocaleString('en')} bytes as JSON (is ${bytes.toLocaleString('en')})`,
        });
      return raw;
    },
    z.record(z.string(), z.json()),
  );

export const jsonObject = jsonObjectWithin(currentJsonLimits);

/** The description of a JSON field, with the limits it is held to. */
export const jsonDescription = (what: string) =>
  `${what}. A JSON object of at most ${DEFAULT_JSON_LIMITS.maxBytes.toLocaleString('en')} bytes and ${DEFAULT_JSON_LIMITS.maxDepth} levels by default ` +
  '(HONE_MAX_JSON_BYTES, HONE_MAX_JSON_DEPTH); keys __proto__, constructor and prototype are refused';

/** The most rows one answer lists: a page's largest size, and the cap of the lists that are not paged. */
export const MAX_PAGE_SIZE = 1000;

export const pageLimit = z.number().int().min(1).max(MAX_PAGE_SIZE).default(100).describe(`Page size (1..${MAX_PAGE_SIZE}, default 100)`);
export const pageCursor = databaseId().optional().describe('nextCursor from the previous page; omit for the first page');

export interface Page<T> {
  items: T[];
  nextCursor: number | null;
}
