import { getRoutingHeuristicsTool, resolveRouteTool, updateRoutingHeuristicTool } from '../../tools/routing';
import { router, toolMutation, toolQuery } from '../trpc';

export const routingRouter = router({
  updateHeuristic: toolMutation(updateRoutingHeuristicTool),
  listHeuristics: toolQuery(getRoutingHeuristicsTool),
  resolve: toolMutation(resolveRouteTool),
});
