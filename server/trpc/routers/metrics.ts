import { recordMetricTool } from '../../tools/metrics';
import { router, toolMutation } from '../trpc';

export const metricsRouter = router({
  record: toolMutation(recordMetricTool),
});
