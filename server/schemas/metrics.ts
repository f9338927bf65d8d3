import { z } from 'zod';
import { jsonObject, nonBlank } from './common';
import { withTimeRange } from './time-range';

export const RecordMetricInput = z.strictObject({
  name: nonBlank(200).describe('Metric name, e.g. routing_latency'),
  value: z.number().describe('Numeric value (any finite number)'),
  unit: nonBlank(50).describe('Unit, e.g. ms, tokens, USD'),
  context: jsonObject.default({}).describe('Additional context, e.g. { layer: "balanced" }'),
  recordedAt: z.iso.datetime({ offset: true }).optional().describe('ISO 8601 timestamp; server time when omitted'),
});

export const GetMetricSeriesInput = withTimeRange({
  name: nonBlank(200).describe('Metric name (see list_metric_names)'),
  groupBy: nonBlank(100).optional().describe('Context key to split the series by, e.g. layer; values without it are grouped as "(none)"'),
});

export const ListMetricNamesInput = z.strictObject({}).prefault({});
