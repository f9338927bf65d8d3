import { env } from '../env';
import { describeIssues } from '../errors';
import { observeIngestOutcomes } from '../monitoring/metrics';
import { INGEST_ITEM_LISTS, IngestInput } from '../schemas/ingest';
import { ingestBatch } from '../services/ingest';
import { defineTool } from './define';

export const ingestTool = defineTool({
  name: 'ingest',
  description:
    'Record many items at once: model calls (as update_model_performance), metric values (as record_metric) and bug reports ' +
    '(as record_bug_pattern), each with an optional client eventId and the instant it happened (`at`). Up to 5,000 items by default. ' +
    'Each item is checked on its own: a bad item is rejected with its index and field (`errors`) while the good ones are stored; ' +
    'an item whose eventId was already stored (within 7 days by default) is a duplicate and not counted again, so a retried batch ' +
    'never double counts. The answer gives counts and one outcome per item, in the order sent. Use it from a gateway instead of one call per item.',
  input: IngestInput,
  readOnly: false,
  itemLists: INGEST_ITEM_LISTS,
  example: {
    modelCalls: [
      { eventId: 'call-0001', modelId: 'claude-sonnet-4', taskType: 'coding', success: true, latencyMs: 2340, cost: 0.0125 },
      { eventId: 'call-0002', modelId: 'gpt-4o', taskType: 'coding', success: false, latencyMs: 30_000, cost: 0.02 },
    ],
    metrics: [
      { eventId: 'metric-0001', metricName: 'routing_latency', metricValue: 156.7, metricUnit: 'ms', context: { layer: 'balanced' } },
    ],
    bugReports: [{ category: 'timeout', pattern: 'LLM timeout on large context', severity: 'high' }],
  },
  handler: async ({ prisma }, input) => {
    const result = await ingestBatch(prisma, input, { idempotencyWindowMs: env().HONE_IDEMPOTENCY_WINDOW });
    // Counted here, where every face's batch is answered: the answer's outcomes are what the caller is told.
    observeIngestOutcomes(result.outcomes);
    return result;
  },
  toText: (result) =>
    `stored ${result.stored}, duplicates ${result.duplicates}, rejected ${result.rejected}` +
    (result.errors.length ? `\nrejected items: ${describeIssues(result.errors)}` : ''),
});
