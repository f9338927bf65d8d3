import { z } from 'zod';
import { jsonObject, nonBlank } from './common';

export const RecordMetricInput = z.strictObject({
  name: nonBlank(200).describe('Metric name, e.g. routing_latency'),
  value: z.number().describe('Numeric value (any finite number)'),
  unit: nonBlank(50).describe('Unit, e.g. ms, tokens, USD'),
  context: jsonObject.default({}).describe('Additional context, e.g. { layer: "balanced" }'),
  recordedAt: z.iso.datetime({ offset: true }).optional().describe('ISO 8601 timestamp; server time when omitted'),
});
