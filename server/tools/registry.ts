import { deleteRoutingPolicyTool, getRoutingPoliciesTool, recomputeRoutingPoliciesTool, saveRoutingPolicyTool } from './adaptive';
import { getBugPatternsTool, getBugPatternTool, getBugPatternTrendsTool, recordBugPatternTool } from './bug-patterns';
import type { AnyTool } from './define';
import { createExperimentTool, getExperimentTool, listExperimentsTool, stopExperimentTool } from './experiments';
import { ingestTool } from './ingest';
import { getMetricSeriesTool, listMetricNamesTool, recordMetricTool } from './metrics';
import {
  analyzeMetricsTool,
  generateReportTool,
  getModelLeaderboardTool,
  getModelTrendsTool,
  listTaskTypesTool,
  updateModelPerformanceTool,
} from './model-performance';
import { generateRegressionTestTool, getRegressionTestCategoriesTool, getRegressionTestsTool } from './regression-tests';
import {
  deleteRoutingHeuristicTool,
  getRoutingHeuristicsTool,
  getRoutingHitRatesTool,
  getRoutingRuleHistoryTool,
  getRoutingRuleStatsTool,
  previewRouteTool,
  recordRouteOutcomeTool,
  resolveRouteTool,
  updateRoutingHeuristicTool,
} from './routing';
import { checkRoutingRulesTool } from './routing-checks';
import { replayRoutingRuleTool } from './routing-replay';

/**
 * Every operation Hone serves, grouped as the tRPC client sees them (`hone.<group>.<procedure>`).
 * An entry here is the whole of exposing an operation: the tRPC router, MCP server, REST routes and OpenAPI
 * document are all built from this object.
 */
export const toolGroups = {
  regressionTests: { generate: generateRegressionTestTool, list: getRegressionTestsTool, categories: getRegressionTestCategoriesTool },
  routing: {
    updateHeuristic: updateRoutingHeuristicTool,
    listHeuristics: getRoutingHeuristicsTool,
    resolve: resolveRouteTool,
    preview: previewRouteTool,
    deleteHeuristic: deleteRoutingHeuristicTool,
    hitRates: getRoutingHitRatesTool,
    ruleHistory: getRoutingRuleHistoryTool,
    checkRules: checkRoutingRulesTool,
    replay: replayRoutingRuleTool,
    recordOutcome: recordRouteOutcomeTool,
    ruleStats: getRoutingRuleStatsTool,
  },
  adaptive: {
    savePolicy: saveRoutingPolicyTool,
    policies: getRoutingPoliciesTool,
    deletePolicy: deleteRoutingPolicyTool,
    recompute: recomputeRoutingPoliciesTool,
  },
  bugPatterns: { record: recordBugPatternTool, list: getBugPatternsTool, trends: getBugPatternTrendsTool, get: getBugPatternTool },
  metrics: { record: recordMetricTool, names: listMetricNamesTool, series: getMetricSeriesTool },
  modelPerformance: {
    update: updateModelPerformanceTool,
    analyze: analyzeMetricsTool,
    report: generateReportTool,
    trends: getModelTrendsTool,
    leaderboard: getModelLeaderboardTool,
    taskTypes: listTaskTypesTool,
  },
  ingest: { batch: ingestTool },
  experiments: { create: createExperimentTool, get: getExperimentTool, list: listExperimentsTool, stop: stopExperimentTool },
} as const satisfies Record<string, Record<string, AnyTool>>;

export interface RegisteredTool {
  tool: AnyTool;
  /** Its tRPC path, e.g. `modelPerformance.update`. */
  procedurePath: string;
}

export const registeredTools: readonly RegisteredTool[] = Object.entries(toolGroups).flatMap(([group, procedures]) =>
  Object.entries(procedures).map(([procedure, tool]) => ({ tool: tool as AnyTool, procedurePath: `${group}.${procedure}` })),
);

export const tools: readonly AnyTool[] = registeredTools.map((r) => r.tool);

export const toolsByName: ReadonlyMap<string, AnyTool> = new Map(tools.map((tool) => [tool.name, tool]));

/** Tools by tRPC path (`modelPerformance.update`). */
export const toolsByProcedurePath: ReadonlyMap<string, AnyTool> = new Map(registeredTools.map((r) => [r.procedurePath, r.tool]));

const duplicate = tools.find((tool, i) => tools.findIndex((other) => other.name === tool.name) !== i);
if (duplicate) throw new Error(`Two tools are registered as ${duplicate.name}`);
