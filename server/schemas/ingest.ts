import { z } from 'zod';
import { env } from '../env';
import { fieldIssuesOf, type FieldIssue } from '../errors';
import { RecordBugPatternInput } from './bug-patterns';
import { isoInstant, storableText } from './common';
import { DEFAULT_MAX_INGEST_ITEMS, MAX_INGEST_ITEMS_CEILING } from './ingest-limits';
import { RecordMetricInput } from './metrics';
import { UpdateModelPerformanceInput } from './model-performance';
import { RecordRouteOutcomeInput, RouteDecisionFields } from './routing';
import { MAX_INPUT_DEPTH, unstorableValueIssues } from './storable-values';

// The `ingest` tool's input: a batch of items of several kinds. The batch itself is checked as a whole (a body
// that is not a batch is refused), each item on its own: a bad item is rejected with its index and field while
// the good ones are stored. Item fields follow the single-item tools' schemas, plus `eventId` and `at`.

/** A batch's items may lie at most this far in the future (clocks of gateway and server disagree a little). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

const eventId = storableText(z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters'))
  .optional()
  .describe(
    'Client-chosen id of this item (1..200 characters, e.g. a UUID), for safe retries: an id already stored within ' +
      'HONE_IDEMPOTENCY_WINDOW (7 days by default) for the same kind of item is reported as a duplicate and not counted again',
  );

const at = isoInstant()
  .refine((text) => Date.parse(text) <= Date.now() + MAX_CLOCK_SKEW_MS, 'must not be more than 5 minutes in the future')
  .optional()
  .describe('ISO 8601 instant the item happened, with offset; server time when omitted; at most 5 minutes in the future');

export const ModelCallItem = UpdateModelPerformanceInput.extend({ eventId, at });

const metricField = RecordMetricInput.shape;
export const MetricItem = z.strictObject({
  eventId,
  metricName: metricField.name,
  metricValue: metricField.value,
  metricUnit: metricField.unit,
  context: metricField.context,
  at,
});

export const BugReportItem = RecordBugPatternInput.extend({ eventId, at });

// Routing decisions and outcomes carry their own idempotency key, the decisionId: no eventId.
export const RouteDecisionItem = z.strictObject({ ...RouteDecisionFields, at });
export const RouteOutcomeItem = RecordRouteOutcomeInput;

/** One item of a batch after its own check: accepted with its parsed value, or rejected with the issues (paths within the item). */
export type ItemVerdict<Item> = { accepted: true; item: Item } | { accepted: false; issues: FieldIssue[] };

/** An item nests inside the input object and its list: what the whole input may nest, less those two levels. */
const ITEM_MAX_DEPTH = MAX_INPUT_DEPTH - 2;

/**
 * An item judged on its own: the raw-input guard the pipeline runs on whole inputs (U+0000, `__proto__`, depth; the
 * pipeline skips a tool's `itemLists`), then its schema. Never fails: a bad item becomes a rejected verdict.
 * Its JSON Schema and input type stay the item's own, so clients and agents see exactly what an item is.
 */
export function batchItem<Item extends z.ZodType>(schema: Item) {
  type Verdict = ItemVerdict<z.output<Item>>;
  const guarded = z.preprocess((raw, ctx) => {
    for (const issue of unstorableValueIssues(raw, { maxDepth: ITEM_MAX_DEPTH })) {
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
    return raw;
  }, schema) as unknown as z.ZodType<z.output<Item>, z.input<Item>>; // the preprocess step would make the input type `unknown`
  return (
    guarded
      .transform((item): Verdict => ({ accepted: true, item }))
      // zod also calls this without a context, to write the JSON Schema's `default` (which input schemas then drop):
      // answering that call keeps the item's own JSON Schema in MCP's tools/list and in OpenAPI.
      .catch((ctx?: z.core.$ZodCatchCtx): Verdict => ({ accepted: false, issues: ctx ? fieldIssuesOf(ctx.error) : [] }))
  );
}

/** One kind of item in a batch: a list of judged items, at most MAX_INGEST_ITEMS_CEILING (the whole batch's limit is checked below). */
function itemList<Item extends z.ZodType>(schema: Item, description: string) {
  return z
    .array(batchItem(schema))
    .max(MAX_INGEST_ITEMS_CEILING, `must contain at most ${MAX_INGEST_ITEMS_CEILING} items`)
    .optional()
    .describe(description);
}

/** The most items one batch may carry: HONE_MAX_INGEST_ITEMS on the server, the default elsewhere. */
export function maxIngestItems(): number {
  return typeof window === 'undefined' ? env().HONE_MAX_INGEST_ITEMS : DEFAULT_MAX_INGEST_ITEMS;
}

/** The input fields holding items, in the order outcomes are reported (and written: decisions before their outcomes). */
export const INGEST_ITEM_LISTS = ['modelCalls', 'metrics', 'bugReports', 'routeDecisions', 'routeOutcomes'] as const;
export type IngestItemList = (typeof INGEST_ITEM_LISTS)[number];

export const IngestInput = z
  .strictObject({
    modelCalls: itemList(ModelCallItem, 'Model calls, as update_model_performance takes them, each with an optional eventId and at'),
    metrics: itemList(
      MetricItem,
      'Metric values (metricName, metricValue, metricUnit, context as record_metric takes them), each with an optional eventId and at',
    ),
    bugReports: itemList(BugReportItem, 'Bug reports, as record_bug_pattern takes them, each with an optional eventId and at'),
    routeDecisions: itemList(
      RouteDecisionItem,
      "Routing decisions made by a gateway's local router (hone.router()): counted per rule version as resolve_route counts its own; " +
        'a decisionId already stored is a duplicate',
    ),
    routeOutcomes: itemList(
      RouteOutcomeItem,
      "Outcomes of routing decisions, as record_route_outcome takes them (written after the batch's routeDecisions); " +
        'an unknown decisionId is rejected, a second outcome of one decision is a duplicate',
    ),
  })
  .superRefine((batch, ctx) => {
    const total = INGEST_ITEM_LISTS.reduce((sum, list) => sum + (batch[list]?.length ?? 0), 0);
    const max = maxIngestItems();
    if (total === 0)
      ctx.addIssue({
        code: 'custom',
        message: 'must contain at least one item (modelCalls, metrics, bugReports, routeDecisions or routeOutcomes)',
      });
    if (total > max) {
      ctx.addIssue({
        code: 'custom',
        message: `must contain at most ${max.toLocaleString('en')} items in total (has ${total.toLocaleString('en')}; HONE_MAX_INGEST_ITEMS)`,
      });
    }
  });
