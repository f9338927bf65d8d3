import { getBugPatternsTool, recordBugPatternTool } from './bug-patterns';
import type { Tool } from './define';
import { recordMetricTool } from './metrics';
import { analyzeMetricsTool, generateReportTool, updateModelPerformanceTool } from './model-performance';
import { generateRegressionTestTool, getRegressionTestsTool } from './regression-tests';
import { getRoutingHeuristicsTool, resolveRouteTool, updateRoutingHeuristicTool } from './routing';

/** Every operation Hone serves. Adding one here (and to its domain router) exposes it on every face. */
export const tools: readonly Tool[] = [
  generateRegressionTestTool,
  getRegressionTestsTool,
  updateRoutingHeuristicTool,
  getRoutingHeuristicsTool,
  recordBugPatternTool,
  getBugPatternsTool,
  recordMetricTool,
  updateModelPerformanceTool,
  analyzeMetricsTool,
  generateReportTool,
  resolveRouteTool,
] as Tool[];

export const toolsByName = new Map(tools.map((tool) => [tool.name, tool]));
