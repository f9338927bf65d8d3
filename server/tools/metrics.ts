import { RecordMetricInput } from '../schemas/metrics';
import { recordMetric } from '../services/metrics';
import { defineTool } from './define';

export const recordMetricTool = defineTool({
  name: 'record_metric',
  description: 'Record one value of a system-wide metric (e.g. routing_latency in ms) with optional context, at server time unless recordedAt is given.',
  input: RecordMetricInput,
  readOnly: false,
  handler: ({ prisma }, input) => recordMetric(prisma, input),
});
