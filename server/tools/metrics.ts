import { GetMetricSeriesInput, ListMetricNamesInput, RecordMetricInput } from '../schemas/metrics';
import { getMetricSeries, listMetricNames, recordMetric } from '../services/metrics';
import { defineTool } from './define';

export const recordMetricTool = defineTool({
  name: 'record_metric',
  description:
    'Record one value of a system-wide metric (e.g. routing_latency in ms) with optional context, at server time unless recordedAt is given.',
  input: RecordMetricInput,
  readOnly: false,
  // The spec's example.
  example: { name: 'routing_latency', value: 156.7, unit: 'ms', context: { layer: 'balanced', model: 'gpt-4o' } },
  handler: ({ prisma }, input) => recordMetric(prisma, input),
});

export const listMetricNamesTool = defineTool({
  name: 'list_metric_names',
  description:
    'The metric names recorded so far, each with its number of values, newest unit, last recording time and the context keys ' +
    '(seen in its newest 1,000 day-and-context groups) it can be grouped by. Counted from the rollups, so values deleted by retention still count.',
  input: ListMetricNamesInput,
  readOnly: true,
  example: {},
  handler: ({ prisma }) => listMetricNames(prisma),
});

export const getMetricSeriesTool = defineTool({
  name: 'get_metric_series',
  description:
    'The average of one metric per time bucket over a date range (default the last 7 days, at most 400 days), optionally one series per value ' +
    'of a context key (e.g. groupBy "layer"), with the unit it is recorded in. At most 50 series, the most recorded values; `truncated` is true when more.',
  input: GetMetricSeriesInput,
  readOnly: true,
  example: { name: 'routing_latency', groupBy: 'layer' },
  handler: ({ prisma }, input) => getMetricSeries(prisma, input),
});
