import { analyzeMetricsTool, generateReportTool, updateModelPerformanceTool } from '../../tools/model-performance';
import { router, toolMutation, toolQuery } from '../trpc';

export const modelPerformanceRouter = router({
  update: toolMutation(updateModelPerformanceTool),
  analyze: toolQuery(analyzeMetricsTool),
  report: toolQuery(generateReportTool),
});
