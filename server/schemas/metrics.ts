import { z } from 'zod';
import { boundedNumber, isoInstant, jsonDescription, jsonObject, MAX_METRIC_MAGNITUDE, nonBlank } from './common';
import { withTimeRange } from './time-range';

export const RecordMetricInput = z.strictObject({
  name: nonBlank(200).describe('Metric name, e.g. routing_latency'),
  value: boundedNumber(-MAX_METRIC_MAGNITUDE, MAX_METRIC_MAGNITUDE).describe('Numeric value, finite, within ±1e15'),
  unit: nonBlank(50).describe('Unit, e.g. ms, tokens, USD'),
  context: jsonObject.default({}).describe(jsonDescription('Additional context, e.g. { layer: "balanced" }')),
  recordedAt: isoInstant().optional().describe('ISO 8601 timestamp with offset, years 1970..9999; server time when omitted'),
});

export const GetMetricSeriesInput = withTimeRange({
  name: nonBlank(200).describe('Metric name (see list_metric_names)'),
  groupBy: nonBlank(100).optional().describe('Context key to split the series by, e.g. layer; values without it are grouped as "(none)"'),
});

export const ListMetricNamesInput = z.strictObject({}).prefault({});
